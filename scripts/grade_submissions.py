"""``make grade``: autograde everything in ``course/submitted/``, then feedback and grades.csv.

1. ``release`` (see ``release_assignments``): records the assignments in
   ``course/gradebook.db`` (a fresh clone has none) and re-creates ``release/``, unchanged
   as long as ``source_notebooks/`` is;
2. for every assignment someone submitted:
   ``nbgrader autograde <assignment> --force`` then
   ``nbgrader generate_feedback <assignment> --force`` (HTML in ``course/feedback/``);
3. ``nbgrader export --to course/grades.csv``.

Submissions go to ``course/submitted/<student>/<assignment>/<notebook>.ipynb``.

Usage: python scripts/grade_submissions.py [--root COPY] [--student GLOB]
"""

from __future__ import annotations

import time
from pathlib import Path

from nbgrader_course import GRADES_CSV, SUBMITTED_DIR, parse_args, run_nbgrader
from release_assignments import release


def submitted_assignments(root: Path, names: list[str], student: str) -> list[str]:
    return [n for n in names if any((root / SUBMITTED_DIR).glob(f"{student}/{n}/*.ipynb"))]


def grade(root: Path, student: str = "*") -> dict[str, float]:
    """Autograde and give feedback; return the seconds autograding took per assignment."""
    names = release(root)
    seconds = {}
    for name in submitted_assignments(root, names, student):
        start = time.perf_counter()
        run_nbgrader(root, "autograde", name, "--force", "--student", student)
        seconds[name] = time.perf_counter() - start
        run_nbgrader(root, "generate_feedback", name, "--force", "--student", student)
    run_nbgrader(root, "export", "--to", str(root / GRADES_CSV))
    return seconds


if __name__ == "__main__":
    args = parse_args(
        "Autograde course/submitted/, write feedback and course/grades.csv (`make grade`).",
        student=True,
    )
    for assignment, took in grade(args.root, args.student).items():
        print(f"autograded {assignment} in {took:.1f} s")
