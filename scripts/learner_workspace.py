"""``make lab``'s first step: the learner's workspace ``work/``, filled from ``release/``.

- An assignment not yet in the workspace is copied in (the first run copies them all).
- A learner's files are never overwritten. When ``release/<assignment>`` has changed since
  it was copied (the instructor fixed a notebook), the new version is copied beside the old
  one, as ``work/<assignment>_v2/`` (then ``_v3`` ...), and one line says so.
- The workspace remembers what it was given in ``work/.lrcourse-workspace.json`` (a dot
  file: the file browser and the contents API do not show it).

``work/`` is git-ignored and is the root of the learner's JupyterLab: ``source_notebooks/``,
``course/`` and the gradebook lie outside it.

Usage: python scripts/learner_workspace.py [--root REPOSITORY] [--work FOLDER]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
from pathlib import Path

import nbformat
from notebook_hygiene import stamp_language_info

REPO_ROOT = Path(__file__).resolve().parent.parent
RECORD = ".lrcourse-workspace.json"


def release_digest(folder: Path) -> str:
    """SHA-256 over the relative paths and bytes of every file in an assignment folder."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if ".ipynb_checkpoints" in path.parts:
            continue
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _free_name(work: Path, name: str) -> str:
    version = 2
    while (work / f"{name}_v{version}").exists():
        version += 1
    return f"{name}_v{version}"


def fill(release: Path, work: Path) -> list[str]:
    """Bring every assignment of ``release`` into ``work``; return one notice per change."""
    if not release.is_dir():
        raise SystemExit(f"learner workspace: {release} is missing; run `make release` first")
    work.mkdir(parents=True, exist_ok=True)
    record_file = work / RECORD
    record = json.loads(record_file.read_text()) if record_file.exists() else {}
    notices = []
    for source in sorted(p for p in release.iterdir() if p.is_dir() and any(p.glob("*.ipynb"))):
        name, digest = source.name, release_digest(source)
        given = record.get(name)
        if given is not None and given["digest"] == digest:
            continue
        if given is None and not (work / name).exists():
            folder = name
            notice = f"added {name} to {work.name}/{folder}/"
        else:
            folder = _free_name(work, name)
            mine = given["folder"] if given else name
            notice = (
                f"{name} was updated: the new version is in {work.name}/{folder}/, "
                f"your work in {work.name}/{mine}/ is untouched"
            )
        shutil.copytree(source, work / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        for notebook in (work / folder).glob("*.ipynb"):  # opening it then marks nothing unsaved
            nb = stamp_language_info(nbformat.read(notebook, as_version=4))
            nbformat.write(nb, notebook)
        record[name] = {"folder": folder, "digest": digest}
        notices.append(notice)
    record_file.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    return notices


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Fill the learner workspace from release/.")
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="the repository")
    parser.add_argument("--work", type=Path, default=None, help="the workspace (default: work/)")
    args = parser.parse_args()
    root = args.root.resolve()
    for line in fill(root / "release", args.work or root / "work"):
        print(line)
