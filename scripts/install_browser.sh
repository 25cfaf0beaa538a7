#!/bin/sh
# Install the browser used by the browser tests (tests/browser/): Debian's chromium package.
#
# Idempotent: does nothing when /usr/bin/chromium already exists. Never downloads browsers
# through `playwright install`; Playwright drives this system chromium via executable_path.
set -eu

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
    echo "install_browser: $CHROMIUM already present ($("$CHROMIUM" --version 2>/dev/null || echo 'version unknown'))"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    echo "install_browser: installing Debian's chromium package with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    # Recommends would pull printer/desktop daemons; fonts-liberation is the one that matters
    # (metric-compatible fonts for screenshots).
    apt-get install -y --no-install-recommends chromium fonts-liberation
    if [ ! -x "$CHROMIUM" ]; then
        echo "install_browser: apt-get finished but $CHROMIUM is still missing" >&2
        exit 1
    fi
    echo "install_browser: installed $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
    exit 0
fi

cat >&2 <<MSG
install_browser: $CHROMIUM is missing and this script is not running as root.
Install Debian's chromium package, then run the browser tests again:

    sudo apt-get update && sudo apt-get install -y chromium

(Do not run 'playwright install': the tests use the system chromium at $CHROMIUM.)
MSG
exit 1
