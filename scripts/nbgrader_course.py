"""Where the course lives and how to run nbgrader on it (shared by the release and grade scripts).

The folder names mirror ``course/nbgrader_config.py``; nbgrader itself reads that file,
these constants only tell the scripts where to look for assignments and results.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = "source_notebooks"
RELEASE_DIR = "release"
COURSE_DIR = "course"
SUBMITTED_DIR = os.path.join(COURSE_DIR, "submitted")
GRADES_CSV = os.path.join(COURSE_DIR, "grades.csv")


def assignments(root: Path) -> list[str]:
    """Every folder of ``source_notebooks/`` that holds a notebook, sorted."""
    source = root / SOURCE_DIR
    return sorted(p.name for p in source.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def run_nbgrader(root: Path, *args: str) -> None:
    """Run ``nbgrader <args>`` in ``<root>/course`` (where nbgrader finds its config)."""
    # nbgrader runs the `alembic` command of its own environment when it creates a gradebook
    path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    env = {**os.environ, "PATH": path, "TF_CPP_MIN_LOG_LEVEL": "3"}
    command = [sys.executable, "-m", "nbgrader", *args]
    print("+ (cd course &&) nbgrader " + " ".join(args), flush=True)
    subprocess.run(command, cwd=root / COURSE_DIR, env=env, check=True)


def parse_args(description: str, *, student: bool = False) -> argparse.Namespace:
    """The scripts' options: ``--root`` (a copy of the course, as the tests make) and, for
    grading, ``--student``. ``--help`` prints them and does nothing else."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--root",
        type=lambda p: Path(p).resolve(),
        default=REPO_ROOT,
        help="the repository (or a copy of it) holding course/ (default: this one)",
    )
    if student:
        parser.add_argument(
            "--student", default="*", help="grade only this student's submissions (default: all)"
        )
    return parser.parse_args()
