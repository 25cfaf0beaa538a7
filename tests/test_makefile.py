"""The Makefile picks a supported Python (3.11 to 3.13) from the PATH, overridable with
PYTHON=, and says what to do when there is none (it used to call python3.11 only)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="needs make")


def _make(bin_dir: Path, *args: str) -> subprocess.CompletedProcess:
    """make with only ``bin_dir`` on the PATH (plus echo: make runs it without a shell)."""
    if not (bin_dir / "echo").exists():
        (bin_dir / "echo").symlink_to(shutil.which("echo"))
    return subprocess.run(
        [MAKE, "-s", "-C", str(ROOT), *args],
        capture_output=True,
        text=True,
        env={"PATH": str(bin_dir), "HOME": str(bin_dir)},
    )


def _fake(bin_dir: Path, name: str, *, works: bool) -> None:
    path = bin_dir / name
    if works:
        path.symlink_to(sys.executable)  # a supported version: the one running the tests
    else:  # like a pyenv shim of a version that is not active
        path.write_text("#!/bin/sh\necho 'pyenv: python3.11: command not found' >&2\nexit 127\n")
        path.chmod(0o755)


def test_picks_the_first_supported_python_that_runs(tmp_path):
    _fake(tmp_path, "python3.11", works=False)
    _fake(tmp_path, "python3.12", works=True)
    _fake(tmp_path, "python3.13", works=True)
    done = _make(tmp_path, "which-python")
    assert done.returncode == 0 and done.stdout.strip() == str(tmp_path / "python3.12")


def test_python_can_be_given(tmp_path):
    _fake(tmp_path, "python3.12", works=True)
    done = _make(tmp_path, "which-python", "PYTHON=/opt/python3.13/bin/python3")
    assert done.stdout.strip() == "/opt/python3.13/bin/python3"


def test_no_supported_python_is_one_clear_error(tmp_path):
    _fake(tmp_path, "python3.11", works=False)
    assert _make(tmp_path, "which-python").stdout.strip() == "none"
    done = _make(tmp_path, "venv", "VENV=" + str(tmp_path / "venv"))
    assert done.returncode == 2
    assert "need Python 3.11, 3.12 or 3.13" in done.stdout and "PYTHON=" in done.stdout
    assert not (tmp_path / "venv").exists()
