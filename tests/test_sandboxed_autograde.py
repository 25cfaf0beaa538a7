"""``nbgrader autograde`` with the course's config runs every notebook in a sandboxed kernel.

One autograde run over a copy of the course grades, in this order: the source notebook
(``ref``), the release with a fake ``lrcourse/`` package shipped next to it, a notebook whose
answer ignores SIGINT/SIGALRM in an endless loop, one that kills its kernel (``os._exit``),
one that tries to read and write everything around it, and the source again (``z_honest``),
graded after all of them. Each cheat costs its own task only (the clean room, which scores
the tasks, runs the answers again outside the kernel); everyone else keeps full marks, and
feedback and grades.csv are still written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENT = "01_learning_rate"
CELL_TIMEOUT_S = 30  # c.Execute.timeout in course/nbgrader_config.py

pytestmark = pytest.mark.slow

SNOOP = """

import os as _os
_targets = {targets!r}
for _path in _targets:
    try:
        if _os.path.isdir(_path):
            _os.listdir(_path)
        else:
            open(_path, "rb").read(1)
        print("SNOOP read", _path)
    except OSError:
        print("SNOOP blocked", _path)
try:
    open({gradebook!r}, "ab").write(b"garbage")
    print("SNOOP wrote gradebook")
except OSError:
    print("SNOOP blocked writing the gradebook")
"""

IGNORE_INTERRUPTS = """

import signal as _signal
_signal.signal(_signal.SIGINT, _signal.SIG_IGN)
_signal.signal(_signal.SIGALRM, _signal.SIG_IGN)
while True:
    pass
"""

ANYTHING = """
print("FAKE LRCOURSE IMPORTED")


class _Anything:
    def __getattr__(self, name):
        return _Anything()

    def __call__(self, *args, **kwargs):
        return _Anything()


def __getattr__(name):
    return _Anything()
"""
FAKE_LRCOURSE = {  # a package whose checks and tests pass anything, shipped next to the notebook
    "lrcourse/__init__.py": ANYTHING,
    "lrcourse/grading/__init__.py": ANYTHING,
    "lrcourse/grading/a01_learning_rate.py": ANYTHING,
}


def nbgrader_meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def nbgrader(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "NBGRADER_EXECUTION"}
    env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env.get("PATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=root / "course",
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def with_code(source: nbformat.NotebookNode, grade_id: str, extra: str):
    nb = nbformat.from_dict(source)
    (cell,) = [c for c in nb.cells if nbgrader_meta(c).get("grade_id") == grade_id]
    cell.source += extra
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("sandboxed_course")
    ignore = shutil.ignore_patterns(
        "submitted", "autograded", "feedback", "gradebook.db", "*.log", "__pycache__", ".grad*"
    )
    shutil.copytree(REPO / "course", root / "course", ignore=ignore)
    shutil.copytree(REPO / "source_notebooks" / ASSIGNMENT, root / "source_notebooks" / ASSIGNMENT)
    env = {k: v for k, v in os.environ.items() if k != "NBGRADER_EXECUTION"}
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "release_assignments.py"), "--root", str(root)],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]

    source_path = root / "source_notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    source = nbformat.read(source_path, as_version=4)
    release = nbformat.read(root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    answers = [
        nbgrader_meta(c)["grade_id"]
        for c in source.cells
        if nbgrader_meta(c).get("solution") and c.cell_type == "code"
    ]
    submitted = root / "course" / "submitted"
    gradebook = root / "course" / "gradebook.db"
    targets = [
        str(gradebook),
        str(submitted / "ref" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
        str(source_path),
        str(REPO / "pyproject.toml"),
        str(REPO / "course" / "nbgrader_config.py"),
        str(Path.home() / ".bashrc"),
    ]
    students = {
        "ref": source,
        "s_fake_lrcourse": release,
        "s_ignorer": with_code(source, answers[2], IGNORE_INTERRUPTS),
        "s_killer": with_code(source, answers[1], "\n\nimport os\nos._exit(0)\n"),
        "s_snoop": with_code(
            source, answers[0], SNOOP.format(targets=targets, gradebook=str(gradebook))
        ),
        "z_honest": source,
    }
    for student, nb in students.items():
        folder = submitted / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")
    for name, text in FAKE_LRCOURSE.items():
        path = submitted / "s_fake_lrcourse" / ASSIGNMENT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    start = time.perf_counter()
    autograde = nbgrader(root, "autograde", ASSIGNMENT, "--force")
    seconds = time.perf_counter() - start
    assert autograde.returncode == 0, autograde.stderr[-5000:]
    for args in (("generate_feedback", ASSIGNMENT, "--force"), ("export", "--to", "grades.csv")):
        done = nbgrader(root, *args)
        assert done.returncode == 0, done.stderr[-3000:]
    return {"root": root, "answers": answers, "targets": targets, "seconds": seconds}


def scores(course, student: str) -> dict[str, tuple[float, float]]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course['root'] / 'course' / 'gradebook.db'}") as gb:
        submission = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
        return {
            g.name: (g.score, g.max_score) for g in submission.grades if g.cell.cell_type == "code"
        }


def autograded(course, student: str):
    path = course["root"] / "course" / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    return nbformat.read(path, as_version=4)


def assert_scores(course, student: str, zero: int | None = None, unsure: tuple = ()):
    """Full marks on every task but answer ``zero`` (0) and those in ``unsure`` (any score)."""
    got = scores(course, student)
    assert set(got) == {f"test_{a}" for a in course["answers"]}
    for i, answer in enumerate(course["answers"]):
        score, top = got[f"test_{answer}"]
        if i in unsure:
            assert 0 <= score <= top
        else:
            assert score == (0 if i == zero else top), (student, answer, score, top)


def cell_errors(nb, grade_id: str) -> list[str]:
    (cell,) = [c for c in nb.cells if nbgrader_meta(c).get("grade_id") == grade_id]
    return [f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"]


@pytest.mark.parametrize("student", ["ref", "z_honest"])
def test_honest_submissions_keep_full_marks_under_the_sandbox(course, student, report_figure):
    assert_scores(course, student)
    report_figure(
        f"sandboxed nbgrader autograde of 6 {ASSIGNMENT} submissions incl. one timeout [s]",
        course["seconds"],
        "{:.1f}",
    )


def test_a_fake_lrcourse_next_to_the_notebook_is_not_imported(course):
    folder = course["root"] / "course" / "submitted" / "s_fake_lrcourse" / ASSIGNMENT
    would_pass = "from lrcourse.grading import a01_learning_rate as g; g.GD_STEP.test_visible(1)"
    imported_next_door = subprocess.run([sys.executable, "-c", would_pass], cwd=folder)
    assert imported_next_door.returncode == 0  # the fake works wherever cwd is on sys.path
    assert all(score == 0 for score, _ in scores(course, "s_fake_lrcourse").values())
    printed = nbformat.writes(autograded(course, "s_fake_lrcourse"))
    assert "FAKE LRCOURSE IMPORTED" not in printed


def test_a_kernel_killer_costs_only_its_own_notebook(course):
    # the kernel is gone after answer 1: its later cells did not run in the kernel (the clean
    # room still scores their answers, which are the reference's)
    assert_scores(course, "s_killer", zero=1, unsure=(2, 3))
    nb = autograded(course, "s_killer")
    assert cell_errors(nb, course["answers"][1]) == [
        "KernelDied: the kernel died while running this cell"
    ]
    assert cell_errors(nb, course["answers"][2]) == [
        "KernelDied: not run: the kernel died in an earlier cell"
    ]


def test_an_interrupt_ignorer_costs_only_its_own_notebook(course):
    assert_scores(course, "s_ignorer", zero=2, unsure=(3,))
    nb = autograded(course, "s_ignorer")
    assert cell_errors(nb, course["answers"][2])[-1].startswith("KernelDied: the kernel ignored")
    # one cell timeout and the grace after the interrupt, not one per remaining cell (the
    # bound is loose: this machine may be busy; tests/test_sandbox.py times the kill itself)
    assert course["seconds"] < 6 * 60 + CELL_TIMEOUT_S + 10


def test_a_snooping_notebook_reaches_nothing_around_it(course):
    assert_scores(course, "s_snoop", unsure=(0,))  # the clean room runs the snooping too
    nb = autograded(course, "s_snoop")
    (cell,) = [c for c in nb.cells if nbgrader_meta(c).get("grade_id") == course["answers"][0]]
    printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    for target in course["targets"]:
        if os.path.exists(target):
            assert f"SNOOP blocked {target}" in printed, printed
    assert "SNOOP blocked writing the gradebook" in printed
    assert "SNOOP read" not in printed and "SNOOP wrote" not in printed


def test_feedback_and_grades_csv_are_written_for_everyone(course):
    rows = (course["root"] / "course" / "grades.csv").read_text().splitlines()
    assert len(rows) == 1 + 6
    for student in ("ref", "s_killer", "s_ignorer", "z_honest"):
        feedback = course["root"] / "course" / "feedback" / student / ASSIGNMENT
        assert (feedback / f"{ASSIGNMENT}.html").exists(), student
