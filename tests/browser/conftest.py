"""Fixtures for the browser tests: one JupyterLab server and one chromium per session.

The server serves a temporary copy of ``release/`` and ``source_notebooks/`` (the originals are
never opened, modified or saved) with private Jupyter directories; see ``lab_harness``.
Timings are printed in pytest's summary and written to ``test-artifacts/browser-timings.json``.
"""

from __future__ import annotations

import json
import math
import os
import sys

import nbformat
import pytest
from lab_harness import (
    REPO_ROOT,
    TIMINGS,
    BrowserMissing,
    LabServer,
    copy_tree,
    ensure_chromium,
    launch_browser,
    record_timing,
)

sys.path.insert(0, str(REPO_ROOT / "scripts"))
from notebook_hygiene import stamp_language_info  # noqa: E402

ARTIFACTS = REPO_ROOT / "test-artifacts"
NOTEBOOK_TREES = ("release", "source_notebooks")


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "browser: drives JupyterLab in headless chromium (needs /usr/bin/chromium: "
        "scripts/install_browser.sh)",
    )


@pytest.fixture(scope="session")
def lab_root(tmp_path_factory):
    """A temporary Lab root holding copies of the course notebooks, each stamped with this
    Python's ``language_info`` as a learner's workspace copy is (``stamp_language_info``):
    JupyterLab would otherwise mark every notebook unsaved the moment it opens."""
    root = tmp_path_factory.mktemp("lab-root")
    for tree in NOTEBOOK_TREES:
        if (REPO_ROOT / tree).is_dir():
            copy_tree(REPO_ROOT / tree, root / tree)
            for path in (root / tree).rglob("*.ipynb"):
                nb = nbformat.read(path, as_version=4)
                nbformat.write(stamp_language_info(nb), path)
    return root


@pytest.fixture(scope="session")
def lab_server(lab_root, tmp_path_factory):
    server = LabServer(lab_root, workdir=tmp_path_factory.mktemp("lab-server"))
    try:
        server.start()
        record_timing("jupyterlab", ready_s=server.ready_s)
        yield server
    finally:
        server.cleanup()


@pytest.fixture(scope="session")
def browser():
    try:
        ensure_chromium()  # installs Debian's chromium when running as root
    except BrowserMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = launch_browser(pw)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def screenshots_dir():
    path = ARTIFACTS / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def pytest_terminal_summary(terminalreporter):
    if not TIMINGS:
        return
    terminalreporter.section("browser timings (s)")
    for name, values in TIMINGS.items():
        shown = ", ".join(
            f"{k.removesuffix('_s')} {v:.2f}" for k, v in values.items() if not math.isnan(v)
        )
        terminalreporter.write_line(f"{name}: {shown}")
    os.makedirs(ARTIFACTS, exist_ok=True)
    clean = {n: {k: v for k, v in d.items() if not math.isnan(v)} for n, d in TIMINGS.items()}
    (ARTIFACTS / "browser-timings.json").write_text(json.dumps(clean, indent=2) + "\n")
