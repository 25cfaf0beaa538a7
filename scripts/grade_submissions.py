"""``make grade``: autograde ``course/submitted/`` in parallel, then feedback and grades.csv.

1. ``release`` (see ``release_assignments``) records the assignments in
   ``course/gradebook.db``, since a fresh clone has none. It re-creates ``release/``, which
   stays unchanged as long as ``source_notebooks/`` does. It is skipped when
   ``source_notebooks/``, ``release/`` and the config are as they were at the last release
   made here and the gradebook holds every assignment (``--force`` releases anyway).
2. ``course/autograder/parallel.py`` grades every submission that is new or changed since it
   was last graded. Each runs ``nbgrader autograde <assignment> --student <s> --force`` in a
   worker of its own, one worker per core. The results are merged into ``course/gradebook.db``,
   and each submission gets ``nbgrader generate_feedback`` (HTML in ``course/feedback/``).
3. ``nbgrader export --to course/grades.csv``.

On screen: a progress bar, one line per problem (student, assignment, cell), and a summary
table. Everything nbgrader prints goes to ``course/grading.log``.

Submissions go to ``course/submitted/<student>/<assignment>/<notebook>.ipynb``.

Usage: python scripts/grade_submissions.py [--root COPY] [--student GLOB] [--force]
       [--jobs N] [--timeout SECONDS]
"""

from __future__ import annotations

import sys
from pathlib import Path

from nbgrader_course import (
    GRADES_CSV,
    GRADING_LOG,
    REPO_ROOT,
    SUBMITTED_DIR,
    assignments,
    output_to,
    parse_args,
    run_nbgrader,
)
from release_assignments import release

sys.path.insert(0, str(REPO_ROOT / "course"))  # course/autograder: instructor-only, not installed

from autograder import parallel  # noqa: E402


def submitted_assignments(root: Path, names: list[str], student: str) -> list[str]:
    return [n for n in names if any((root / SUBMITTED_DIR).glob(f"{student}/{n}/*.ipynb"))]


def grade(
    root: Path,
    student: str = "*",
    *,
    force: bool = False,
    jobs: int | None = None,
    timeout: float | None = None,
    progress: bool = True,
) -> parallel.Report:
    """Release, autograde what changed, write feedback and grades.csv; return the report."""
    log = root / GRADING_LOG
    names = assignments(root)
    if force or not parallel.release_is_current(root, names):
        print(f"releasing {', '.join(names)} (nbgrader's output: {log}) ...", flush=True)
        with output_to(log):
            names = release(root)
        parallel.record_release(root, names)
    report = parallel.grade_class(
        root,
        submitted_assignments(root, names, student),
        student=student,
        force=force,
        jobs=jobs,
        timeout=timeout or parallel.DEFAULT_TIMEOUT_S,
        progress=progress,
    )
    with output_to(log):
        run_nbgrader(root, "export", "--to", str(root / GRADES_CSV))
    return report


if __name__ == "__main__":
    args = parse_args(
        "Autograde course/submitted/ in parallel, write feedback and course/grades.csv "
        "(`make grade`).",
        student=True,
    )
    done = grade(args.root, args.student, force=args.force, jobs=args.jobs, timeout=args.timeout)
    print(done.table())
    for assignment, outcomes in done.by_assignment().items():
        took = sum(o.seconds for o in outcomes if o.status != "skipped")
        print(f"autograded {assignment} in {took:.1f} s")
    print(f"grades: {args.root / GRADES_CSV}")
