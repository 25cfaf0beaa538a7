"""Time ``make grade`` on a class: N submissions of each assignment, parallel vs serial nbgrader.

    .venv/bin/python benchmarks/grading.py [--n 100] [--jobs CORES] [--timeout 300]
                                           [--skip-serial] [--keep DIR]

The submissions are made from ``source_notebooks/``: most are the source itself (full marks).
Every tenth student, from the fourth on, gets one answer replaced by a wrong one. The last
student's answer loops forever, inside the function and at the top level of its cell, so
nbgrader's cell timeout has to stop it.

1. ``make grade``'s code path (``scripts/grade_submissions.grade``, ``--force``) on a
   temporary copy of the course: the release, the parallel autograde and the feedback.
2. Plain serial nbgrader on a second copy with the same submissions:
   ``nbgrader autograde <assignment> --force`` for each assignment.

The table gives the wall time, the seconds per submission and per core, i.e. wall time x
workers / submissions, which is the figure to compare with serial nbgrader. It also splits a
worker's time, per submission: kernel start, execution of the cells, the clean room (the
answer cells run again outside the kernel and compared with the answer keys), database
(nbgrader's own gradebook work in the worker plus the parent's merge), and the rest
(sanitising, writing, and the worker's start). Targets (issue 8): at most 2.4 s per
submission on 2 cores, and per core at most 1.5 times serial nbgrader.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

from grade_submissions import grade  # noqa: E402
from nbgrader_course import assignments, output_to, run_nbgrader  # noqa: E402
from release_assignments import release  # noqa: E402


def copy_course(root: Path) -> None:
    (root / "course").mkdir(parents=True)
    shutil.copy(REPO / "course" / "nbgrader_config.py", root / "course")
    for folder in ("autograder", "graders"):
        if (REPO / "course" / folder).is_dir():
            shutil.copytree(
                REPO / "course" / folder,
                root / "course" / folder,
                ignore=shutil.ignore_patterns("__pycache__"),
            )
    shutil.copytree(REPO / "source_notebooks", root / "source_notebooks")
    shutil.copytree(REPO / "release", root / "release")


def answer_cells(nb) -> list:
    return [
        c
        for c in nb.cells
        if c.cell_type == "code"
        and c.metadata.get("nbgrader", {}).get("solution")
        and re.search(r"^def (\w+)\(", c.source, re.M)
    ]


def replaced(cell, body: str, top_level: str = "") -> str:
    name, params = re.search(r"^def (\w+)\((.*?)\):", cell.source, re.M | re.S).groups()
    return f"def {name}({params}):\n{body}\n{top_level}"


def make_submissions(root: Path, n: int) -> dict[str, str]:
    """n students per assignment; return {student: what is special about them}."""
    special = {}
    for assignment in assignments(root):
        (source,) = sorted((root / "source_notebooks" / assignment).glob("*.ipynb"))
        for i in range(n):
            student = f"s{i:03d}"
            nb = nbformat.read(source, as_version=4)
            answers = answer_cells(nb)
            if i == n - 1:
                cell = answers[len(answers) // 2]
                cell.source = replaced(
                    cell, "    while True:\n        pass\n", "while True:\n    pass\n"
                )
                special[student] = "endless loop"
            elif i % 10 == 3:
                cell = answers[i % len(answers)]
                cell.source = replaced(cell, "    return 0.0\n")
                special[student] = "one wrong answer"
            folder = root / "course" / "submitted" / student / assignment
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / source.name)
    return special


PLAIN_CHAIN = """
# benchmarks/grading.py: plain nbgrader, for comparison (no sandbox, no clean room)
c.Autograde.autograde_preprocessors = [
    "nbgrader.preprocessors.Execute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
"""


def serial_nbgrader(root: Path, names: list[str]) -> float:
    """Plain nbgrader: its default autograde chain, serially, unsandboxed."""
    log = root / "course" / "serial.log"
    with output_to(log):
        release(root)
    config = root / "course" / "nbgrader_config.py"
    config.write_text(config.read_text() + PLAIN_CHAIN)
    start = time.perf_counter()
    with output_to(log):
        for name in names:
            run_nbgrader(root, "autograde", name, "--force")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100, help="submissions per assignment")
    parser.add_argument("--jobs", type=int, default=None, help="workers (default: one per core)")
    parser.add_argument("--timeout", type=float, default=300.0, help="wall-clock limit per worker")
    parser.add_argument("--skip-serial", action="store_true", help="do not run serial nbgrader")
    parser.add_argument("--keep", type=Path, default=None, help="build the courses here, keep them")
    args = parser.parse_args()

    base = Path(args.keep or tempfile.mkdtemp(prefix="grading-bench-"))
    names = assignments(REPO)
    rows = []
    parallel_root = base / "parallel"
    copy_course(parallel_root)
    special = make_submissions(parallel_root, args.n)
    total = args.n * len(names)
    print(f"{total} submissions ({args.n} per assignment); special: {special}", flush=True)

    report = grade(parallel_root, force=True, jobs=args.jobs, timeout=args.timeout)
    print(report.table(), flush=True)
    graded = [o for o in report.outcomes if o.status != "skipped"]

    def per(key: str) -> float:
        return sum(o.timings.get(key, 0.0) for o in graded) / len(graded)

    kernel = per("kernel_start")
    execution = per("execute_with_kernel_start") - kernel
    database = per("database") + per("merge")
    clean_room = per("clean_room")
    worker = sum(o.seconds for o in graded) / len(graded)
    rows.append(
        (
            f"make grade ({report.jobs} workers)",
            report.autograde_seconds,
            report.jobs,
            f"{kernel:.2f}",
            f"{execution:.2f}",
            f"{clean_room:.2f}",
            f"{database:.2f}",
            f"{worker - kernel - execution - clean_room - database:.2f}",
        )
    )
    print(
        f"make grade in all: {report.seconds:.1f} s (autograde {report.autograde_seconds:.1f} s, "
        f"feedback {report.feedback_seconds:.1f} s, the rest: release and export)"
    )

    if not args.skip_serial:
        serial_root = base / "serial"
        copy_course(serial_root)
        make_submissions(serial_root, args.n)
        serial = serial_nbgrader(serial_root, names)
        rows.append(("plain serial nbgrader autograde", serial, 1, *"-----"))

    header = (
        "method",
        "autograde wall s",
        "s/submission",
        "s/submission per core",
        "kernel start",
        "execution",
        "clean room",
        "database",
        "other",
    )
    table = [header]
    for method, wall, cores, *split in rows:
        per_sub = wall / total
        table.append((method, f"{wall:.1f}", f"{per_sub:.2f}", f"{per_sub * cores:.2f}", *split))
    widths = [max(len(str(r[i])) for r in table) for i in range(len(header))]
    print()
    for row in table:
        print(" | ".join(str(c).rjust(w) for c, w in zip(row, widths, strict=True)))
    print("(kernel start ... other: a worker's seconds per submission)")
    if len(rows) == 2:
        ratio = (rows[0][1] * rows[0][2]) / rows[1][1]
        print(f"per core, make grade takes {ratio:.2f}x the time of serial nbgrader")
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
