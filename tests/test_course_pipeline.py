"""The nbgrader pipeline, end to end, for every assignment in source_notebooks/.

Per assignment, in a temporary copy of the course (course/: nbgrader_config.py, the grading
machinery and the answer keys, plus that assignment's source):

1. the source notebook is executed as an instructor would (outputs, widget state saved);
2. ``scripts/release_assignments.py`` (what ``make release`` runs) must strip all of that and
   produce exactly the release committed in ``release/`` (notebook and check data), without
   solutions, hidden tests or widget state;
3. ``scripts/grade_submissions.py`` (what ``make grade`` runs: sandboxed kernels, the clean
   room decides) grades: the source itself (full marks on every autograded cell), the untouched
   release (0), submissions that delegate one task to the answer key (0 on that task only), one
   with an endless loop in one answer and at the top level of its cell (0 on that task only, in
   bounded time), and one that cheats on most tasks, one way per task (issue 8's categories:
   patching the checks in the kernel, an input transformer, hidden tracebacks, faked values,
   reading the expected values from the checker's frames, a subprocess, ignoring SIGALRM, killing
   the process, gigabytes of memory, reading the solutions and writing the gradebook): 0 on each
   cheated task, full marks on the honest ones, and nobody else's grade changes.

The assignment's answer key is ``course/graders/<assignment>/``; an exercise ``<name>`` has
the solution cell ``<name>`` and the test cell ``test_<name>``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPTS = REPO / "scripts"
ASSIGNMENTS = sorted(
    p.name for p in (REPO / "source_notebooks").iterdir() if p.is_dir() and any(p.glob("*.ipynb"))
)
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
# The course's c.Execute.timeout is 30 s; the test copies run with 15 s (the endless answer's
# cell waits for it: 15 s saved per assignment, and no cell under grading takes 2 s here)
CELL_TIMEOUT_S = 15

pytestmark = pytest.mark.slow


def nbgrader_meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def answer_key(assignment: str) -> tuple:
    sys.path.insert(0, str(REPO / "course"))
    from autograder.answer_key import answer_key

    return tuple(answer_key(assignment).values())


def run_script(script: str, root: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "NBGRADER_EXECUTION"}
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / script), "--root", str(root), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    return done.stdout


def execute_like_an_instructor(path: Path) -> dict[str, float]:
    """Run every cell (not under nbgrader); save outputs and widget state; cell timings."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    os.environ.pop("NBGRADER_EXECUTION", None)
    NotebookClient(nb, kernel_name="python3", timeout=120, record_timing=True).execute()
    nbformat.write(nb, path)
    timings = {}
    for cell in nb.cells:
        stamps = cell.metadata.get("execution", {})
        if "iopub.execute_input" in stamps and "shell.execute_reply" in stamps:
            start, end = (
                datetime.fromisoformat(stamps[k].replace("Z", "+00:00"))
                for k in ("iopub.execute_input", "shell.execute_reply")
            )
            timings[cell.id] = (end - start).total_seconds()
    return timings


# -- submissions: the source, with one answer cell replaced ------------------------------------


def delegating_answer(task, assignment: str, root: Path, how: str) -> str:
    """The task handed to its answer key (or to the solution): works only where they are
    visible, which the sandbox and the clean room must prevent."""
    params = ", ".join(task.parameter_names)
    header = f"def {task.name}({params}):\n"
    key = f"sys.path.insert(0, {str(root / 'course')!r})\n"
    lookup = f"answer_key({assignment!r})[{task.name!r}].reference"
    if how == "answer-key":
        return (
            f"import sys\n{key}from autograder.answer_key import answer_key\n\n"
            f"helper = {lookup}\n\n\n{header}    return helper({params})\n"
        )
    if how == "import-inside":
        return (
            f"{header}    import sys\n    {key}    from autograder.answer_key import answer_key\n\n"
            f"    return {lookup}({params})\n"
        )
    folder = "source_notebooks" if how == "solution" else "course/submitted/ref"
    source = root / folder / assignment / f"{assignment}.ipynb"  # the solution, or a classmate's
    return (
        f"{header}    import json\n\n    nb = json.load(open({str(source)!r}))\n"
        "    for cell in nb['cells']:\n"
        f"        if cell['metadata'].get('nbgrader', {{}}).get('grade_id') == {task.name!r}:\n"
        "            namespace = {'np': __import__('numpy')}\n"
        "            exec(''.join(cell['source']), namespace)\n"
        f"            return namespace[{task.name!r}]({params})\n"
    )


CHEATS = {
    # in-kernel patches of everything the check cells use, with a wrong answer
    "patch": (
        "import numpy, sys\n"
        "numpy.allclose = lambda *a, **k: True\n"
        "from lrcourse.grading import checks\n"
        "checks.ExerciseChecks.test_visible = lambda self, f: print('ok')\n"
        "sys.modules['lrcourse.grading.verdict'].explain = None\n"
        "grader.__dict__['exercises'] = {}\n",
        "return 0.0",
    ),
    # an input transformer that empties later test cells, and no tracebacks shown
    "transformer": (
        "ip = get_ipython()\n"
        "ip.input_transformers_post.append(\n"
        "    lambda lines: ['pass\\n'] if any('test_visible' in l for l in lines) else lines\n"
        ")\n"
        "ip.showtraceback = lambda *a, **k: None\n",
        "return 0.0",
    ),
    # a value that equals anything
    "fake": (
        "class Anything(float):\n"
        "    def __eq__(self, other):\n        return True\n"
        "    def __array__(self, *a, **k):\n        raise TypeError('no')\n"
        "    __hash__ = float.__hash__\n",
        "return Anything(0.0)",
    ),
    # the expected value read out of the checker's frames
    "frames": (
        "import inspect\n",
        "for frame in inspect.stack():\n"
        "        for name in ('want', 'expected'):\n"
        "            if name in frame.frame.f_locals:\n"
        "                return frame.frame.f_locals[name]\n"
        "    return 0.0",
    ),
    # the answer computed by another process that imports the answer key
    "subprocess": (
        "import subprocess, sys\n",
        "out = subprocess.run([sys.executable, '-c', 'import lrcourse; print(1)'],"
        " capture_output=True, text=True)\n"
        "    return float(out.stdout or 'nan')",
    ),
    # SIGALRM and SIGINT ignored, then an endless loop
    "sigalrm": (
        "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n",
        "signal.signal(signal.SIGALRM, signal.SIG_IGN)\n    while True:\n        pass",
    ),
    # the process killed
    "exit": ("import os\n", "os._exit(0)"),
    # gigabytes of memory
    "memory": ("", "blob = bytearray(16 * 2**30)\n    return float(len(blob))"),
}


def cheating_answer(task, how: str, gradebook: Path) -> str:
    preamble, body = CHEATS[how]
    if how == "patch":  # and an attempt at the gradebook itself
        preamble += (
            f"try:\n    open({str(gradebook)!r}, 'r+b').write(b'garbage')\n"
            "except OSError:\n    pass\n"
        )
    params = ", ".join(task.parameter_names)
    return f"{preamble}\n\ndef {task.name}({params}):\n    {body}\n"


def endless_answer(task) -> str:
    params = ", ".join(task.parameter_names)
    return (
        f"def {task.name}({params}):\n    while True:\n        pass\n\n\n"
        "while True:  # also at the top level of the cell: nbgrader's cell timeout must stop it\n"
        "    pass\n"
    )


def with_answer(source: Path, task_name: str, answer: str) -> nbformat.NotebookNode:
    nb = nbformat.read(source, as_version=4)
    (cell,) = [c for c in nb.cells if nbgrader_meta(c).get("grade_id") == task_name]
    cell.source = answer
    return nb


@dataclasses.dataclass
class GradedCourse:
    assignment: str
    root: Path
    notebook: str
    tasks: tuple
    cell_seconds: dict[str, float]
    autograde_one_s: float
    autograde_rest_s: float
    special: dict[str, tuple[str, str]]  # student -> (task name, what was done)

    def scores(self, student: str) -> dict[str, tuple[float, float, str]]:
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{self.root / 'course' / 'gradebook.db'}") as gb:
            submission = gb.find_submission_notebook(self.notebook, self.assignment, student)
            return {g.name: (g.score, g.max_score, g.cell.cell_type) for g in submission.grades}

    def autograded(self, student: str) -> nbformat.NotebookNode:
        path = self.root / "course" / "autograded" / student / self.assignment
        return nbformat.read(path / f"{self.notebook}.ipynb", as_version=4)


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def graded(request, tmp_path_factory) -> GradedCourse:
    assignment = request.param
    source_dir = REPO / "source_notebooks" / assignment
    (notebook,) = [p.stem for p in source_dir.glob("*.ipynb")]  # one notebook per assignment
    root = tmp_path_factory.mktemp(f"course_{assignment}")
    ignore = shutil.ignore_patterns(
        "submitted", "autograded", "feedback", "gradebook.db", "*.log", "__pycache__", ".grad*"
    )
    shutil.copytree(REPO / "course", root / "course", ignore=ignore)
    with open(root / "course" / "nbgrader_config.py", "a", encoding="utf-8") as config:
        config.write(f"\nc.Execute.timeout = {CELL_TIMEOUT_S}  # tests/test_course_pipeline.py\n")
    shutil.copytree(source_dir, root / "source_notebooks" / assignment)
    source = root / "source_notebooks" / assignment / f"{notebook}.ipynb"
    cell_seconds = execute_like_an_instructor(source)
    assert "widgets" in nbformat.read(source, as_version=4).metadata  # something to strip

    run_script("release_assignments.py", root)

    tasks = answer_key(assignment)
    submitted = root / "course" / "submitted"

    def submit(student: str, nb: nbformat.NotebookNode):
        (submitted / student / assignment).mkdir(parents=True)
        nbformat.write(nb, submitted / student / assignment / f"{notebook}.ipynb")

    submit("ref", nbformat.read(source, as_version=4))
    out = run_script("grade_submissions.py", root, "--student", "ref")
    autograde_one_s = float(re.search(r"autograded \S+ in ([\d.]+) s", out).group(1))

    release_nb = root / "release" / assignment / f"{notebook}.ipynb"
    submit("s_release", nbformat.read(release_nb, as_version=4))
    special = {}
    for i, how in enumerate(("answer-key", "import-inside", "solution", "classmate")):
        task = tasks[i % len(tasks)]
        special[f"s_{how}"] = (task.name, how)
        answer = delegating_answer(task, assignment, root, how)
        submit(f"s_{how}", with_answer(source, task.name, answer))
    cheats = list(CHEATS)[: len(tasks) - 1]  # the last task stays honest
    cheating = nbformat.read(source, as_version=4)
    gradebook = root / "course" / "gradebook.db"
    for task, how in zip(tasks, cheats, strict=False):
        (cell,) = [c for c in cheating.cells if nbgrader_meta(c).get("grade_id") == task.name]
        cell.source = cheating_answer(task, how, gradebook)
    special["s_cheats"] = (tuple(t.name for t in tasks[: len(cheats)]), ",".join(cheats))
    submit("s_cheats", cheating)
    looping = tasks[len(tasks) // 2]
    special["s_endless"] = (looping.name, "endless")
    submit("s_endless", with_answer(source, looping.name, endless_answer(looping)))
    start = time.perf_counter()
    run_script("grade_submissions.py", root, "--student", "s_*")
    autograde_rest_s = time.perf_counter() - start
    return GradedCourse(
        assignment, root, notebook, tasks, cell_seconds, autograde_one_s, autograde_rest_s, special
    )


# -- the source notebook ------------------------------------------------------------------------


def test_source_follows_the_conventions(graded):
    nb = nbformat.read(
        REPO / "source_notebooks" / graded.assignment / f"{graded.notebook}.ipynb", 4
    )
    assert nb.metadata.kernelspec.name == "python3"
    metas = [nbgrader_meta(c) for c in nb.cells if nbgrader_meta(c)]
    ids = [m["grade_id"] for m in metas]
    assert len(ids) == len(set(ids)), "grade_ids must be unique"
    assert all(m.get("schema_version") == 3 for m in metas)
    cells = {nbgrader_meta(c).get("grade_id"): c for c in nb.cells}
    for task in graded.tasks:
        answer, test = cells[task.name], cells[f"test_{task.name}"]
        assert nbgrader_meta(answer)["solution"] and "### BEGIN SOLUTION" in answer.source
        assert f"def {task.name}(" in answer.source
        meta = nbgrader_meta(test)
        assert meta["grade"] and meta["locked"] and meta["points"] > 0
        assert f"grader.{task.name.upper()}.test_visible({task.name})" in test.source
        assert any(f".check({task.name})" in c.source for c in nb.cells if c.cell_type == "code")
    manual = [m for m in metas if m["grade"] and m["solution"]]
    assert manual, "reflection questions: markdown answer cells graded by hand"


def test_every_cell_runs_in_seconds_outside_grading(graded, report_figure):
    """Run All outside grading: seconds per cell, except the marked training cells (about a
    minute scaled down, by the issue; the bounds leave room for a loaded machine)."""
    source = graded.root / "source_notebooks" / graded.assignment / f"{graded.notebook}.ipynb"
    training = {c.id for c in nbformat.read(source, as_version=4).cells if "= TRAINING" in c.source}
    others = {k: v for k, v in graded.cell_seconds.items() if k not in training}
    slowest = max(others.values())
    name = graded.assignment
    report_figure(f"slowest cell of {name} outside grading, training aside [s]", slowest, "{:.1f}")
    report_figure(f"Run All of {name} outside grading, training aside [s]", sum(others.values()))
    assert slowest < 20, sorted(others.items(), key=lambda kv: -kv[1])[:3]
    for cell_id in training:
        seconds = graded.cell_seconds[cell_id]
        report_figure(f"training cell of {name}, scaled down [s]", seconds, "{:.1f}")
        assert seconds < 120


# -- the release --------------------------------------------------------------------------------


def release_notebooks(root: Path, assignment: str):
    return sorted((root / "release" / assignment).glob("*.ipynb"))


def test_release_holds_no_solution_hidden_test_or_widget_state(graded):
    for where in (graded.root, REPO):
        for path in release_notebooks(where, graded.assignment):
            nb = nbformat.read(path, as_version=4)
            assert "widgets" not in nb.metadata
            assert nb.metadata.kernelspec.name == "python3"
            text = json.dumps(nb)
            assert not [m for m in MARKERS if m in text]
            for cell in nb.cells:
                assert cell.cell_type != "code" or not cell.outputs
                meta = nbgrader_meta(cell)
                if meta.get("solution") and cell.cell_type == "code":
                    assert "raise NotImplementedError()" in cell.source
                if meta.get("grade") and not meta.get("solution"):
                    assert cell.metadata["editable"] is False and meta["locked"]
            for task in graded.tasks:  # the reference answers are gone
                solution = next(
                    c for c in nb.cells if nbgrader_meta(c).get("grade_id") == task.name
                )
                assert "return" not in solution.source.split("# YOUR CODE HERE")[1]


def normalised(path: Path) -> dict:
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["metadata"].pop("language_info", None)
    for cell in nb["cells"]:
        cell["metadata"].pop("execution", None)
    return nb


def test_committed_release_is_what_make_release_produces(graded):
    made = release_notebooks(graded.root, graded.assignment)
    committed = release_notebooks(REPO, graded.assignment)
    assert [p.name for p in made] == [p.name for p in committed]
    for new, old in zip(made, committed, strict=True):
        assert normalised(new) == normalised(old), f"run `make release` and commit {old}"
    checks = [
        where / "release" / graded.assignment / "checks.json" for where in (graded.root, REPO)
    ]
    made_data, committed_data = (json.loads(p.read_text(encoding="utf-8")) for p in checks)
    assert same_check_data(made_data, committed_data), "run `make release` and commit it"


def same_check_data(a, b) -> bool:
    """Equal, but for floats a few ulp apart: libm and NumPy's SIMD kernels differ in the last
    bit between machines (seen: exp() in 02's check data on two VMs of the same kind)."""
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) == {"float"} == set(b):
            x, y = float(a["float"]), float(b["float"])  # "nan" == "nan" as text
            return a == b or abs(x - y) <= 1e-13 * max(abs(x), abs(y))
        return a.keys() == b.keys() and all(same_check_data(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_check_data(x, y) for x, y in zip(a, b, strict=True))
    return a == b


# -- grading ------------------------------------------------------------------------------------


def autograded_cells(scores: dict) -> dict:
    return {name: s for name, s in scores.items() if s[2] == "code"}


def test_the_source_as_a_submission_gets_full_points(graded, report_figure):
    report_figure(
        f"autograde time of one {graded.assignment} submission [s]",
        graded.autograde_one_s,
        "{:.1f}",
    )
    cells = autograded_cells(graded.scores("ref"))
    assert set(cells) == {f"test_{t.name}" for t in graded.tasks}
    assert {name: score for name, (score, top, _) in cells.items()} == {
        name: top for name, (_, top, _) in cells.items()
    }
    assert graded.autograde_one_s < 60


def test_the_untouched_release_gets_zero(graded):
    scores = graded.scores("s_release")
    assert all(score == 0 for score, _, _ in scores.values()), scores


@pytest.mark.parametrize(
    "student", ["s_answer-key", "s_import-inside", "s_solution", "s_classmate"]
)
def test_delegating_to_the_answer_key_scores_zero_on_that_task_only(graded, student):
    task_name, _ = graded.special[student]
    cells = autograded_cells(graded.scores(student))
    for name, (score, top, _) in cells.items():
        assert score == (0 if name == f"test_{task_name}" else top), (name, score)
    test_cell = next(
        c
        for c in graded.autograded(student).cells
        if nbgrader_meta(c).get("grade_id") == f"test_{task_name}"
    )
    error = "".join(o.get("evalue", "") for o in test_cell.outputs if o.output_type == "error")
    assert "scores 0 for this task" in error


def test_every_cheat_scores_zero_on_its_task_and_changes_nobody_elses_grade(graded):
    cheated, _ = graded.special["s_cheats"]
    cells = autograded_cells(graded.scores("s_cheats"))
    for name, (score, top, _) in cells.items():
        assert score == (0 if name[len("test_") :] in cheated else top), (name, score)
    assert any(score == top for score, top, _ in cells.values()), "an honest task keeps its marks"
    # the source graded before everyone else still has full marks, in an intact gradebook
    ref = autograded_cells(graded.scores("ref"))
    assert all(score == top for score, top, _ in ref.values()), ref
    for student, (task_name, _) in graded.special.items():
        if student.startswith("s_") and isinstance(task_name, str):
            for name, (score, top, _) in autograded_cells(graded.scores(student)).items():
                assert score == (0 if name == f"test_{task_name}" else top), (student, name)


def test_a_failed_test_in_the_feedback_names_no_machine_path(graded):
    nb = graded.autograded("s_cheats")
    for cell in nb.cells:
        if nbgrader_meta(cell).get("grade") and cell.cell_type == "code":
            for output in cell.outputs:
                text = "\n".join(output.get("traceback", [])) + output.get("text", "")
                assert str(graded.root) not in text and "site-packages" not in text, text


def test_an_endless_answer_costs_that_task_only_in_bounded_time(graded, report_figure):
    task_name, _ = graded.special["s_endless"]
    cells = autograded_cells(graded.scores("s_endless"))
    for name, (score, top, _) in cells.items():
        assert score == (0 if name == f"test_{task_name}" else top), (name, score)
    nb = graded.autograded("s_endless")
    by_id = {nbgrader_meta(c).get("grade_id"): c for c in nb.cells}
    answer_errors = [o.ename for o in by_id[task_name].outputs if o.output_type == "error"]
    assert answer_errors, "the top-level loop should have been interrupted"
    test_error = "".join(
        o.get("evalue", "") + "\n".join(o.get("traceback", []))
        for o in by_id[f"test_{task_name}"].outputs
    )
    assert "did not return within" in test_error
    report_figure(
        f"autograde time of 5 {graded.assignment} submissions incl. an endless one [s]",
        graded.autograde_rest_s,
        "{:.1f}",
    )
    # the release step, four quick submissions and one that waits for a cell timeout
    assert graded.autograde_rest_s < 5 * 60 + CELL_TIMEOUT_S


def test_grades_csv_and_feedback_are_written(graded):
    rows = (graded.root / "course" / "grades.csv").read_text().splitlines()
    assert rows[0].startswith("assignment,") and len(rows) == 1 + 2 + len(graded.special)
    feedback = graded.root / "course" / "feedback" / "ref" / graded.assignment
    assert (feedback / f"{graded.notebook}.html").exists()
