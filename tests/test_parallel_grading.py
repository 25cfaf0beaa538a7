"""``make grade`` grades a class in parallel and incrementally (course/autograder/parallel.py).

A tiny assignment of its own (two answers with their test cells and a reflection graded by
hand) keeps these tests quick; the course's real assignments are graded end to end in
test_course_pipeline.py. Every course here is a temporary copy with the course's own
``course/nbgrader_config.py`` and ``course/autograder/``.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENT = "99_tiny"
TIME_LIMIT_S = 25  # below nbgrader's 30 s cell timeout: the hang must be stopped by the limit
AUTOGRADED = {"test_double": 2.0, "test_half": 1.0}

pytestmark = pytest.mark.slow


def nbgrader_cell(cell, grade_id: str, *, solution=False, grade=False, locked=False, points=0):
    meta = {"grade_id": grade_id, "solution": solution, "grade": grade, "locked": locked}
    meta["schema_version"] = 3
    if grade:
        meta["points"] = points
    cell.metadata["nbgrader"] = meta
    return cell


def answer(name: str, body: str) -> str:
    return f"def {name}(x):\n    ### BEGIN SOLUTION\n    return {body}\n    ### END SOLUTION\n"


def source_notebook() -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        new_markdown_cell("# A tiny assignment"),
        nbgrader_cell(new_code_cell(answer("double", "2 * x")), "double", solution=True),
        nbgrader_cell(
            new_code_cell("assert double(2) == 4"), "test_double", grade=True, locked=True, points=2
        ),
        nbgrader_cell(new_code_cell(answer("half", "x / 2")), "half", solution=True),
        nbgrader_cell(
            new_code_cell("assert half(4) == 2"), "test_half", grade=True, locked=True, points=1
        ),
        nbgrader_cell(
            new_markdown_cell("### BEGIN SOLUTION\nBecause.\n### END SOLUTION"),
            "reflection",
            solution=True,
            grade=True,
            points=1,
        ),
    ]
    return nb


HANG = "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\ntime.sleep(10**6)\n"
SUBMISSIONS = {  # student -> {answer cell: new source}
    "full": {},
    "wrong": {"half": "def half(x):\n    return x\n"},
    "blank": {"double": "raise NotImplementedError()", "half": "raise NotImplementedError()"},
    "hang": {"double": HANG},
    "exiter": {"half": "import os\nos._exit(1)\n"},
}
HONEST = ["blank", "full", "wrong"]


ANSWER_KEY = """
import numpy as np
from autograder.exercise import Case, Exercise, Mistakes


def reference(x):
    return {formula}


EXERCISE = Exercise(
    name="{name}",
    reference=reference,
    visible=(Case((2.0,)), Case((4.0,))),
    draw_hidden=lambda rng: [Case((float(rng.uniform(-9, 9)),))],
    mistakes=tuple(Mistakes()),
)
"""


def make_course(root: Path) -> Path:
    (root / "course").mkdir(parents=True)
    shutil.copy(REPO / "course" / "nbgrader_config.py", root / "course")
    shutil.copytree(REPO / "course" / "autograder", root / "course" / "autograder")
    keys = root / "course" / "graders" / ASSIGNMENT
    keys.mkdir(parents=True)
    for name, formula in (("double", "2 * x"), ("half", "x / 2")):
        (keys / f"{name}.py").write_text(ANSWER_KEY.format(name=name, formula=formula))
    (root / "source_notebooks" / ASSIGNMENT).mkdir(parents=True)
    nbformat.write(
        source_notebook(), root / "source_notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    )
    return root


def submit(root: Path, student: str, changes: dict[str, str]) -> Path:
    nb = source_notebook()
    for cell in nb.cells:
        grade_id = cell.metadata["nbgrader"]["grade_id"] if "nbgrader" in cell.metadata else None
        if grade_id in changes:
            cell.source = changes[grade_id]
    folder = root / "course" / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")
    if student == "wrong":
        (folder / "timestamp.txt").write_text("2026-11-30 12:00:00.000000 UTC")
    return folder


def env() -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k != "NBGRADER_EXECUTION"}
    return {**keep, "PYTHONPATH": str(REPO), "TF_CPP_MIN_LOG_LEVEL": "3"}


def make_grade(root: Path, *args: str) -> str:
    """``make grade``'s script on a copy of the course; its screen output."""
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "grade_submissions.py"), "--root", str(root)]
        + ["--jobs", "2", "--timeout", str(TIME_LIMIT_S), *args],
        capture_output=True,
        text=True,
        env=env(),
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout + done.stderr


def summary(output: str) -> dict[str, int]:
    """The counts in the summary table's row of the assignment."""
    (row,) = [line.split() for line in output.splitlines() if line.startswith(ASSIGNMENT + " ")]
    return dict(
        zip(("submissions", "graded", "skipped", "failed"), map(int, row[1:5]), strict=True)
    )


def gradebook(root: Path, students) -> dict:
    """Everything autograding writes into the gradebook, per student."""
    from nbgrader.api import Gradebook

    found = {}
    with Gradebook(f"sqlite:///{root / 'course' / 'gradebook.db'}", "lrcourse") as gb:
        for student in students:
            sub = gb.find_submission(ASSIGNMENT, student)
            (nb,) = sub.notebooks
            found[student] = {
                "timestamp": sub.timestamp,
                "late": nb.late_submission_penalty,
                "grades": {
                    g.name: (g.auto_score, g.manual_score, g.extra_credit, g.needs_manual_grade)
                    for g in nb.grades
                },
                "comments": {c.name: (c.auto_comment, c.manual_comment) for c in nb.comments},
            }
    return found


def autograded_scores(book: dict, student: str) -> dict[str, float]:
    return {name: book[student]["grades"][name][0] for name in AUTOGRADED}


# -- a class graded in parallel, and the same class graded by plain serial nbgrader ---------------


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    parallel_root = make_course(tmp_path_factory.mktemp("parallel"))
    for student, changes in SUBMISSIONS.items():
        submit(parallel_root, student, changes)
    start = time.perf_counter()
    output = make_grade(parallel_root)
    seconds = time.perf_counter() - start

    serial_root = make_course(tmp_path_factory.mktemp("serial"))
    for student in HONEST:
        submit(serial_root, student, SUBMISSIONS[student])
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        from nbgrader_course import run_nbgrader
        from release_assignments import release

        release(serial_root)
        run_nbgrader(serial_root, "autograde", ASSIGNMENT, "--force")
    finally:
        sys.path.remove(str(REPO / "scripts"))
    return parallel_root, serial_root, output, seconds


def test_parallel_gives_the_same_gradebook_as_serial_nbgrader(graded):
    parallel_root, serial_root, _, _ = graded
    in_parallel = gradebook(parallel_root, HONEST)
    assert in_parallel == gradebook(serial_root, HONEST)
    assert autograded_scores(in_parallel, "full") == AUTOGRADED
    assert autograded_scores(in_parallel, "wrong") == {"test_double": 2.0, "test_half": 0.0}
    assert autograded_scores(in_parallel, "blank") == {"test_double": 0.0, "test_half": 0.0}
    assert str(in_parallel["wrong"]["timestamp"]) == "2026-11-30 12:00:00"
    assert in_parallel["full"]["comments"]["reflection"] == (None, None)


def test_a_hang_and_a_dead_kernel_cost_only_their_student(graded):
    """The hang costs its student's assignment (the worker is killed at the limit); a kernel
    that dies costs only its notebook's remaining cells: the sandbox marks them, the notebook is
    still graded and the clean room still scores the answers written before it died."""
    root, _, output, seconds = graded
    assert summary(output) == {"submissions": 5, "graded": 4, "skipped": 0, "failed": 1}
    book = gradebook(root, SUBMISSIONS)
    assert autograded_scores(book, "hang") == {"test_double": 0.0, "test_half": 0.0}
    assert not (root / "course" / "feedback" / "hang").exists()
    assert autograded_scores(book, "exiter") == {"test_double": 2.0, "test_half": 0.0}
    problems = [line for line in output.splitlines() if line.startswith("problem:")]
    assert any("hang  99_tiny  cell double: killed after" in line for line in problems), problems
    assert all(" full " not in p and " wrong " not in p for p in problems), problems
    for student in [*HONEST, "exiter"]:
        assert (
            root / "course" / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
        ).is_file()
    rows = (root / "course" / "grades.csv").read_text().splitlines()
    assert rows[0].startswith("assignment,") and len(rows) == 1 + len(SUBMISSIONS)
    assert seconds < 180  # the hang stopped at the limit, not at nbgrader's cell timeouts


def test_nothing_a_killed_worker_started_survives(graded):
    import psutil

    root = str(graded[0])
    left = []
    for process in psutil.process_iter(["cwd", "cmdline"]):
        where = process.info.get("cwd") or ""
        if where.startswith(root):
            left.append((process.pid, process.info.get("cmdline")))
    assert not left


def test_the_noise_goes_to_the_log_not_the_screen(graded):
    root, _, output, _ = graded
    log = (root / "course" / "grading.log").read_text()
    assert "AutogradeApp | INFO" in log and "GenerateFeedbackApp" in log
    for noise in ("AutogradeApp", "GenerateAssignmentApp", "running over TCP", "SAWarning"):
        assert noise not in output
    assert "100%" in output and "5/5" in output  # the progress bar


# -- incremental grading and the grader's own entries -------------------------------------------


def set_entries(root: Path, student: str, **cells) -> None:
    """Enter grades as Formgrader would: cells={name: {field: value}}."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'course' / 'gradebook.db'}", "lrcourse") as gb:
        for name, fields in cells.items():
            for field, value in fields.items():
                if field == "manual_comment":
                    gb.find_comment(name, ASSIGNMENT, ASSIGNMENT, student).manual_comment = value
                else:
                    setattr(gb.find_grade(name, ASSIGNMENT, ASSIGNMENT, student), field, value)
        gb.db.commit()


def test_incremental_grading_force_and_manual_grades(tmp_path):
    root = make_course(tmp_path)
    for student in ("full", "wrong"):
        submit(root, student, SUBMISSIONS[student])
    assert summary(make_grade(root)) == {"submissions": 2, "graded": 2, "skipped": 0, "failed": 0}

    again = make_grade(root)
    assert summary(again) == {"submissions": 2, "graded": 0, "skipped": 2, "failed": 0}
    assert "releasing" not in again  # nothing changed in source_notebooks/ either

    submit(root, "wrong", {})  # the learner fixed the answer and submitted again
    changed = make_grade(root)
    assert summary(changed) == {"submissions": 2, "graded": 1, "skipped": 1, "failed": 0}
    assert autograded_scores(gradebook(root, ["wrong"]), "wrong") == AUTOGRADED

    # a grader's entries in Formgrader: a manual grade and comment, extra credit on the
    # reflection (graded by hand) and on a test cell (autograded: nobody gives extra credit there)
    set_entries(
        root,
        "full",
        reflection={"manual_score": 1.0, "extra_credit": 0.5, "manual_comment": "Well argued."},
        test_double={"extra_credit": 3.0},
    )
    feedback = root / "course" / "feedback" / "full" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    assert "Well argued." not in feedback.read_text()
    kept = make_grade(root)
    assert summary(kept) == {"submissions": 2, "graded": 0, "skipped": 2, "failed": 0}
    assert "Well argued." in feedback.read_text()  # feedback follows the gradebook

    forced = make_grade(root, "--force")
    assert summary(forced) == {"submissions": 2, "graded": 2, "skipped": 0, "failed": 0}
    assert "full  99_tiny  test_double: extra credit 3.0 reset" in forced
    grades = gradebook(root, ["full"])["full"]
    assert grades["grades"]["reflection"] == (None, 1.0, 0.5, True)  # nbgrader: review it
    assert grades["grades"]["test_double"] == (2.0, None, None, False)
    assert grades["comments"]["reflection"] == (None, "Well argued.")
    with open(root / "course" / "grades.csv", newline="") as table:
        rows = {row["student_id"]: row for row in csv.DictReader(table)}
    assert float(rows["full"]["raw_score"]) == 2 + 1 + 1 + 0.5
