"""Take the README's picture of the course in JupyterLab: ``docs/jupyterlab.png``.

Uses the browser tests' harness (tests/browser/lab_harness.py): a private JupyterLab serving a
temporary copy of ``release/``, Debian's chromium through Playwright. Opens a release notebook
as a learner would, runs it, scrolls to its first widget explorer and saves a 1280x800
screenshot, reduced to a palette PNG when it is larger than ``--max-kb``.

    .venv/bin/python scripts/readme_screenshot.py [--notebook release/NN_topic/NN_topic.ipynb]
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tests" / "browser"))

from lab_harness import LabServer, copy_tree, launch_browser, run_notebook  # noqa: E402


def shrink_png(data: bytes, max_bytes: int) -> bytes:
    """The PNG as is if small enough, else quantised to a 256-colour palette."""
    if len(data) <= max_bytes:
        return data
    from PIL import Image

    image = Image.open(io.BytesIO(data)).convert("RGB")
    out = io.BytesIO()
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(out, "PNG", optimize=True)
    return out.getvalue()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--notebook",
        help="path from the repository root (default: the first "
        "release notebook with a widget explorer)",
    )
    parser.add_argument("--output", default=str(REPO_ROOT / "docs" / "jupyterlab.png"))
    parser.add_argument("--max-kb", type=int, default=300)
    args = parser.parse_args(argv)

    notebooks = (
        [args.notebook]
        if args.notebook
        else sorted(
            p.relative_to(REPO_ROOT).as_posix() for p in REPO_ROOT.glob("release/*/*.ipynb")
        )
    )
    if not notebooks:
        print("no notebook in release/: run `make release` first", file=sys.stderr)
        return 1

    from playwright.sync_api import sync_playwright

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="lrcourse-shot-") as tmp:
        root = Path(tmp) / "root"
        for tree in ("release",):
            copy_tree(REPO_ROOT / tree, root / tree)
        with LabServer(root, workdir=Path(tmp) / "server") as server, sync_playwright() as pw:
            browser = launch_browser(pw)
            try:
                for rel in notebooks:
                    report, page = run_notebook(
                        browser, server, rel, mode="learner", workspace="readme", interact=False
                    )
                    try:
                        explorers = page.explorer_cells()
                        if not explorers and rel != notebooks[-1]:
                            continue  # prefer a notebook that shows an explorer
                        if explorers:
                            page.show_cell(explorers[0])
                        png = page.page.screenshot()
                    finally:
                        page.close()
                    problems = report.problems()
                    if problems:
                        print(f"warning: {rel}: " + "; ".join(problems), file=sys.stderr)
                    break
            finally:
                browser.close()

    data = shrink_png(png, args.max_kb * 1024)
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"{out}: {len(data) / 1024:.0f} KB from {rel} in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
