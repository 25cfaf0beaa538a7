"""Where the course lives and how to run nbgrader on it (shared by the release and grade scripts).

The folder names mirror ``course/nbgrader_config.py``; nbgrader itself reads that file,
these constants only tell the scripts where to look for assignments and results.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = "source_notebooks"
RELEASE_DIR = "release"
COURSE_DIR = "course"
SUBMITTED_DIR = os.path.join(COURSE_DIR, "submitted")
GRADES_CSV = os.path.join(COURSE_DIR, "grades.csv")
GRADING_LOG = os.path.join(COURSE_DIR, "grading.log")  # what nbgrader prints during `make grade`


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


@contextlib.contextmanager
def output_to(log: Path) -> Iterator[None]:
    """Send everything this process and its children print to ``log`` (appended) meanwhile."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(log, "a", encoding="utf-8") as out:
        os.dup2(out.fileno(), 1)
        os.dup2(out.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def positive(kind):
    """An argparse type: ``kind`` (int or float) greater than 0."""

    def parse(text: str):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
        return value

    parse.__name__ = kind.__name__
    return parse


def parse_args(description: str, *, student: bool = False) -> argparse.Namespace:
    """The scripts' options: ``--root`` (a copy of the course, as the tests make) and, for
    grading, ``--student``, ``--force``, ``--jobs``, ``--timeout``. ``--help`` prints them
    and does nothing else."""
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
        parser.add_argument(
            "--force",
            action="store_true",
            help="grade again submissions that are already graded and unchanged",
        )
        parser.add_argument(
            "--jobs",
            type=positive(int),
            default=None,
            help="submissions graded at a time (default: one per core)",
        )
        parser.add_argument(
            "--timeout",
            type=positive(float),
            default=None,
            help="seconds one submission may take before its worker is killed (default: 300)",
        )
    return parser.parse_args()
