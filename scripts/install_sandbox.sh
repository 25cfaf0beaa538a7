#!/bin/sh
# Install the sandbox that grading runs learner code in: Debian's bubblewrap package (bwrap).
#
# Idempotent: does nothing when bwrap is already on PATH. Without root (or without apt-get)
# it only explains how to install it and exits 0: grading still works without bubblewrap,
# unsandboxed, and warns that submissions are not isolated (course/autograder/sandbox.py).
set -eu

if command -v bwrap >/dev/null 2>&1; then
    echo "install_sandbox: $(command -v bwrap) already present ($(bwrap --version 2>/dev/null || echo 'version unknown'))"
    exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "install_sandbox: installing Debian's bubblewrap package with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends bubblewrap
    if ! command -v bwrap >/dev/null 2>&1; then
        echo "install_sandbox: apt-get finished but bwrap is still missing" >&2
        exit 1
    fi
    echo "install_sandbox: installed $(bwrap --version 2>/dev/null || command -v bwrap)"
    exit 0
fi

cat >&2 <<MSG
install_sandbox: bubblewrap (bwrap) is missing and cannot be installed from here.
Grading will still work, but learner code will run unsandboxed (as you, with your files).
To isolate submissions, install it and grade again:

    sudo apt-get update && sudo apt-get install -y bubblewrap     (Debian/Ubuntu)
    sudo dnf install -y bubblewrap                                (Fedora)

bubblewrap is Linux-only: on macOS, grade inside a Linux container or VM.
MSG
exit 0
