"""A class graded in parallel, and only what changed: the autograding behind ``make grade``.

nbgrader grades one submission after another. It has no parallel autograde (its issue #174),
because every student's grades go into the one SQLite gradebook. Here each
(student, assignment) gets its own worker process, and as many workers run at a time as there
are cores:

1. The worker gets a private copy of ``course/gradebook.db``, made with SQLite's backup API so
   that a Formgrader writing at the same moment does no harm. It runs nbgrader's own
   ``nbgrader autograde <assignment> --student <student> --force --db <copy>``, configured by
   ``course/nbgrader_config.py``, in a process group of its own.
2. The parent merges that student's results from the copy into ``course/gradebook.db``
   through nbgrader's ``Gradebook`` API, one worker at a time. It copies the submission's
   timestamp, the late penalty, and each cell's auto score, needs_manual_grade and auto
   comment. What a grader entered in Formgrader stays: manual scores and comments, extra
   credit on hand-graded cells, flags and extensions. Extra credit on an autograded cell is
   reset and reported, since no grader marks those cells by hand. Nothing else is read from
   the copy.
3. A worker that runs past the wall-clock limit is killed with its whole process tree, kernel
   included. A worker that is killed or crashes costs only that student's assignment: its
   autograded cells score 0 and the problem is reported. Everybody else is graded, and
   feedback and grades.csv are still written.
4. A submission that is already graded and unchanged is skipped unless ``force`` is set.
   "Unchanged" means the same hash of its submitted files and of the grading inputs (see
   ``grading_inputs_digest``), kept in ``course/grading_state.json``.
5. Feedback (``nbgrader generate_feedback``) also runs in parallel, one worker per student and
   assignment. It is written for the submissions graded in this run, and for those whose
   gradebook entries have changed since their feedback was written, e.g. after a manual grade
   in Formgrader.

The workers are forked from a server process that has already imported nbgrader
(multiprocessing's ``forkserver``). Importing nbgrader costs about 3 s of CPU, more than
starting a kernel. Everything nbgrader prints goes to ``course/grading.log``, not the screen.

Use::

    report = grade_class(root, ["01_learning_rate"], jobs=os.cpu_count(), timeout=300)
    print(report.table())
"""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import hashlib
import json
import multiprocessing
import multiprocessing.connection
import os
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

COURSE = "course"
SOURCE = "source_notebooks"
RELEASE = "release"
GRADEBOOK = "gradebook.db"
LOG = "grading.log"
STATE = "grading_state.json"
STATE_VERSION = 1
DB_PLACEHOLDER = "<the worker's gradebook>"
#: The wall-clock limit of one worker in seconds. A cell may run 30 s before nbgrader
#: interrupts it (``c.Execute.timeout``), so this leaves room for several stuck cells.
DEFAULT_TIMEOUT_S = 300.0
#: Errors in an autograded notebook that mean the grading itself hit a problem (a cell that
#: timed out, a kernel that died or was interrupted), as opposed to a wrong answer.
TROUBLE_ERRORS = ("CellTimeoutError", "DeadKernelError", "KeyboardInterrupt", "TimeoutError")
TROUBLE_WORDS = ("timed out", "timeout", "did not return within", "kernel died", "interrupt")
PRELOAD = [
    "nbgrader.apps.nbgraderapp",
    "nbgrader.converters",
    "nbgrader.preprocessors",
    "nbclient",
    "jupyter_client",
]


# -- the course's folders --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Course:
    """The folders of a course as ``course/nbgrader_config.py`` lays them out under ``root``."""

    root: Path

    @property
    def dir(self) -> Path:
        return self.root / COURSE

    def submitted(self, student: str = "", assignment: str = "") -> Path:
        return self._under("submitted", student, assignment)

    def autograded(self, student: str = "", assignment: str = "") -> Path:
        return self._under("autograded", student, assignment)

    def feedback(self, student: str = "", assignment: str = "") -> Path:
        return self._under("feedback", student, assignment)

    def _under(self, kind: str, student: str, assignment: str) -> Path:
        return self.dir / kind / student / assignment

    @property
    def gradebook(self) -> Path:
        return self.dir / GRADEBOOK

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.gradebook}"

    @property
    def log(self) -> Path:
        return self.dir / LOG

    @property
    def state_file(self) -> Path:
        return self.dir / STATE


@dataclasses.dataclass(frozen=True, order=True)
class Job:
    """One submission: what one worker grades."""

    assignment: str
    student: str

    def __str__(self) -> str:
        return f"{self.student}/{self.assignment}"


def available_cores() -> int:
    """The cores this process may run on (all of them, unless restricted)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def submissions(course: Course, assignments: Iterable[str], student: str = "*") -> list[Job]:
    """Every (student, assignment) under ``course/submitted/`` holding a notebook, sorted;
    ``student`` is a glob, as nbgrader's ``--student``."""
    found = []
    for assignment in assignments:
        for folder in sorted(course.submitted().glob(f"*/{assignment}")):
            name = folder.parent.name
            if fnmatch.fnmatchcase(name, student) and any(folder.glob("*.ipynb")):
                found.append(Job(assignment, name))
    return sorted(found)


# -- what decides whether a submission must be graded again ----------------------------------------


def _digest_files(digest, base: Path, paths: Iterable[Path]) -> None:
    for path in sorted(paths):
        if (
            path.is_file()
            and "__pycache__" not in path.parts
            and ".ipynb_checkpoints" not in str(path)
        ):
            digest.update(str(path.relative_to(base)).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())


def _digest_tree(digest, base: Path, folder: Path, keep: Callable[[Path], bool] = bool) -> None:
    digest.update(f"[{folder.relative_to(base)}]".encode())
    if folder.is_dir():
        _digest_files(digest, base, (p for p in folder.rglob("*") if keep(p)))


def grading_inputs_digest(course: Course, assignment: str) -> str:
    """Hash of everything that decides an assignment's grades besides the submission:
    ``source_notebooks/<assignment>/`` (tests, points, checksums), the non-notebook files of
    ``release/<assignment>/`` (the check data a kernel reads), ``course/graders/<assignment>/``,
    ``course/autograder/``, ``course/nbgrader_config.py``, and the in-kernel grading helpers
    ``lrcourse/grading/`` of this checkout where there are any."""
    digest = hashlib.sha256()
    root = course.root
    _digest_tree(digest, root, root / SOURCE / assignment)
    _digest_tree(digest, root, root / RELEASE / assignment, lambda p: p.suffix != ".ipynb")
    _digest_tree(digest, root, course.dir / "graders" / assignment)
    _digest_tree(digest, root, course.dir / "autograder")
    _digest_files(digest, root, [course.dir / "nbgrader_config.py"])
    helpers = Path(__file__).resolve().parents[2] / "lrcourse" / "grading"
    if helpers.is_dir():
        _digest_files(digest, helpers.parent, helpers.rglob("*.py"))
    return digest.hexdigest()


def submission_digest(course: Course, job: Job, inputs_digest: str) -> str:
    """Hash of the submitted files (notebooks, timestamp.txt, anything else) and the inputs."""
    digest = hashlib.sha256(inputs_digest.encode())
    folder = course.submitted(job.student, job.assignment)
    _digest_files(digest, folder, folder.rglob("*"))
    return digest.hexdigest()


def _load_state(course: Course, part: str = "graded") -> dict:
    try:
        state = json.loads(course.state_file.read_text())
    except (OSError, ValueError):
        return {}
    return state.get(part, {}) if state.get("version") == STATE_VERSION else {}


def _save_state(course: Course, value: dict, part: str = "graded") -> None:
    try:
        state = json.loads(course.state_file.read_text())
    except (OSError, ValueError):
        state = {}
    if state.get("version") != STATE_VERSION:
        state = {"version": STATE_VERSION}
    state[part] = value
    tmp = course.state_file.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1))
    tmp.replace(course.state_file)


def _release_digest(course: Course, assignment: str) -> str:
    digest = hashlib.sha256()
    _digest_tree(digest, course.root, course.root / SOURCE / assignment)
    _digest_tree(digest, course.root, course.root / RELEASE / assignment)
    _digest_files(digest, course.root, [course.dir / "nbgrader_config.py"])
    return digest.hexdigest()


def release_is_current(root: Path, assignments: Sequence[str]) -> bool:
    """Whether the last release (recorded by ``record_release``) still matches
    ``source_notebooks/``, ``release/`` and the config, and the gradebook holds every
    assignment, so that ``make grade`` need not release again."""
    course = Course(Path(root))
    released = _load_state(course, "released")
    if not course.gradebook.is_file() or any(
        released.get(a) != _release_digest(course, a) for a in assignments
    ):
        return False
    con = sqlite3.connect(course.gradebook)
    try:
        known = {row[0] for row in con.execute("SELECT name FROM assignment")}
    except sqlite3.Error:
        return False
    finally:
        con.close()
    return set(assignments) <= known


def record_release(root: Path, assignments: Sequence[str]) -> None:
    course = Course(Path(root))
    _save_state(course, {a: _release_digest(course, a) for a in assignments}, "released")


# -- the gradebook ---------------------------------------------------------------------------------


def copy_gradebook(source: Path, target: Path) -> None:
    """A consistent copy of an SQLite gradebook, even while someone writes to it."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def _course_id(db: Path, assignment: str) -> str:
    con = sqlite3.connect(db)
    try:
        row = con.execute(
            "SELECT course_id FROM assignment WHERE name = ?", (assignment,)
        ).fetchone()
    finally:
        con.close()
    if row is None:
        raise LookupError(f"assignment {assignment!r} is not in {db}: run `make release`")
    return row[0]


def _gradebook(db: Path, assignment: str):
    from nbgrader.api import Gradebook

    return Gradebook(f"sqlite:///{db}", _course_id(db, assignment))


def _autograded_cells(notebook) -> set[str]:
    """Names of a submitted notebook's autograded cells: test cells, which are grade cells of
    type code that are not also answer cells (those are graded by hand)."""
    answers = {cell.name for cell in notebook.notebook.solution_cells}
    return {
        cell.name
        for cell in notebook.notebook.grade_cells
        if cell.cell_type == "code" and cell.name not in answers
    }


def merge_submission(main: Path, worker: Path, job: Job) -> list[str]:
    """Copy ``job``'s autograde results from the worker's gradebook into the main one; keep what
    graders entered. Return notes on extra credit that was reset or ignored."""
    notes = []
    with _gradebook(worker, job.assignment) as wgb, _gradebook(main, job.assignment) as gb:
        done = wgb.find_submission(job.assignment, job.student)
        gb.update_or_create_student(job.student)
        submission = gb.update_or_create_submission(job.assignment, job.student)
        submission.timestamp = done.timestamp
        for worked in done.notebooks:
            notebook = gb.find_submission_notebook(worked.name, job.assignment, job.student)
            notebook.late_submission_penalty = worked.late_submission_penalty
            autograded = _autograded_cells(notebook)
            grades = {grade.name: grade for grade in notebook.grades}
            for new in worked.grades:
                grade = grades[new.name]
                grade.auto_score = new.auto_score
                needs_manual = new.needs_manual_grade
                if grade.manual_score != new.manual_score:  # a grader was busy meanwhile
                    needs_manual = grade.manual_score is not None or new.auto_score is None
                grade.needs_manual_grade = needs_manual
                if new.extra_credit != grade.extra_credit:
                    notes.append(f"{new.name}: extra credit {new.extra_credit} ignored")
                if new.name in autograded and grade.extra_credit:
                    notes.append(f"{new.name}: extra credit {grade.extra_credit} reset")
                    grade.extra_credit = None
            comments = {comment.name: comment for comment in notebook.comments}
            for new in worked.comments:
                comments[new.name].auto_comment = new.auto_comment
        gb.db.commit()
    return notes


def record_failure(main: Path, job: Job, timestamp: str | None) -> None:
    """A submission that could not be graded: 0 on its autograded cells; hand grades stay."""
    kwargs = {"timestamp": timestamp} if timestamp else {}
    with _gradebook(main, job.assignment) as gb:
        gb.update_or_create_student(job.student)
        submission = gb.update_or_create_submission(job.assignment, job.student, **kwargs)
        for notebook in submission.notebooks:
            autograded = _autograded_cells(notebook)
            for grade in notebook.grades:
                if grade.name in autograded:
                    grade.auto_score = 0.0
                    grade.extra_credit = None
                    grade.needs_manual_grade = grade.manual_score is not None
        gb.db.commit()


def gradebook_entries(gb, job: Job) -> tuple[str, float, float]:
    """(digest of everything feedback shows, score, max score) of a graded submission."""
    from nbgrader.api import MissingEntry

    try:
        submission = gb.find_submission(job.assignment, job.student)
    except MissingEntry:
        return "", 0.0, 0.0
    rows = [str(submission.timestamp)]
    for notebook in sorted(submission.notebooks, key=lambda n: n.name):
        rows.append(f"{notebook.name} {notebook.late_submission_penalty} {notebook.flagged}")
        for g in sorted(notebook.grades, key=lambda g: g.name):
            rows.append(f"{g.name} {g.auto_score} {g.manual_score} {g.extra_credit}")
        for c in sorted(notebook.comments, key=lambda c: c.name):
            rows.append(f"{c.name} {c.auto_comment!r} {c.manual_comment!r}")
    digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return digest, float(submission.score), float(submission.max_score)


# -- workers ---------------------------------------------------------------------------------------


def _add(timings: dict, key: str, seconds: float) -> None:
    timings[key] = timings.get(key, 0.0) + seconds


def _timed(cls, name: str, key: str, timings: dict) -> None:
    original = getattr(cls, name)

    @functools.wraps(original)
    def wrapper(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            _add(timings, key, time.perf_counter() - start)

    setattr(cls, name, wrapper)


def _timed_async(cls, name: str, key: str, timings: dict) -> None:
    original = getattr(cls, name)

    @functools.wraps(original)
    async def wrapper(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return await original(self, *args, **kwargs)
        finally:
            _add(timings, key, time.perf_counter() - start)

    setattr(cls, name, wrapper)


def _install_timers(timings: dict, cell_file: str) -> None:
    """Measure where a worker's time goes and note which cell runs, without changing what
    nbgrader does: the parent names that cell when the worker fails or is killed."""
    from nbclient import NotebookClient
    from nbgrader.converters.autograde import Autograde
    from nbgrader.preprocessors import AssignLatePenalties, Execute, SaveAutoGrades

    _timed_async(NotebookClient, "async_start_new_kernel", "kernel_start", timings)
    _timed_async(NotebookClient, "async_start_new_kernel_client", "kernel_start", timings)
    _timed(Execute, "preprocess", "execute_with_kernel_start", timings)
    _timed(Autograde, "init_assignment", "database", timings)
    _timed(SaveAutoGrades, "preprocess", "database", timings)
    _timed(AssignLatePenalties, "preprocess", "database", timings)
    from .verdicts import CleanRoomVerdicts

    _timed(CleanRoomVerdicts, "preprocess", "clean_room", timings)

    def note_cell(original):
        @functools.wraps(original)
        def execute_cell(self, cell, cell_index, *args, **kwargs):
            Path(cell_file).write_text(cell_name(cell, cell_index))
            return original(self, cell, cell_index, *args, **kwargs)

        return execute_cell

    # nbconvert's ExecutePreprocessor calls the synchronous wrapper, which nbclient builds
    # around the original coroutine function; so both are wrapped
    NotebookClient.execute_cell = note_cell(NotebookClient.execute_cell)
    NotebookClient.async_execute_cell = note_cell(NotebookClient.async_execute_cell)


def cell_name(cell, index: int) -> str:
    """A cell's nbgrader grade_id, or its number and first line."""
    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    if grade_id:
        return grade_id
    first = next((line for line in str(cell.get("source", "")).splitlines() if line.strip()), "")
    return f"#{index} ({first.strip()[:40]})"


def _worker(task: dict) -> None:
    """A worker process: ``nbgrader <task argv>`` in ``course/``, output into the task's log."""
    os.setsid()  # its own process group, so that it can be killed with everything it started
    log = os.open(task["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.chdir(task["cwd"])
    os.environ.update(task["env"])
    timings: dict[str, float] = {}
    code = 1
    start = time.perf_counter()
    try:
        _install_timers(timings, task["cell_file"])
        from nbgrader.apps.nbgraderapp import NbGraderApp

        NbGraderApp.launch_instance(argv=task["argv"])
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else int(stop.code is not None)
    except BaseException:
        traceback.print_exc()
    timings["total"] = time.perf_counter() - start
    Path(task["result"]).write_text(json.dumps({"code": code, "timings": timings}))
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def kill_tree(pid: int) -> None:
    """SIGKILL a worker, its process group and every process it started: kernels run in a
    session of their own (jupyter_client starts them with ``start_new_session``)."""
    import psutil

    try:
        descendants = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        descendants = []
    groups = {pid}
    for process in descendants:
        try:
            groups.add(os.getpgid(process.pid))
        except ProcessLookupError:
            pass
    groups.discard(os.getpgrp())
    for group in groups:
        try:
            os.killpg(group, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    for process in [psutil.Process(pid) if psutil.pid_exists(pid) else None, *descendants]:
        try:
            if process is not None:
                process.kill()
        except psutil.NoSuchProcess:
            pass


@dataclasses.dataclass
class _Running:
    job: Job
    kind: str
    process: multiprocessing.process.BaseProcess
    tmp: Path
    started: float
    killed: bool = False


@dataclasses.dataclass
class WorkerResult:
    job: Job
    kind: str  # "autograde" or "feedback"
    code: int | None  # None: killed at the time limit
    seconds: float
    tmp: Path
    timings: dict[str, float]

    @property
    def ok(self) -> bool:
        return self.code == 0


class Workers:
    """Runs nbgrader commands, ``jobs`` at a time, each in a worker with a wall-clock limit."""

    def __init__(self, course: Course, jobs: int, timeout: float, log) -> None:
        self.course, self.jobs, self.timeout, self.log = course, max(1, jobs), timeout, log
        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload(PRELOAD)
        venv_bin = os.path.dirname(sys.executable)  # nbgrader runs its environment's `alembic`
        self.env = {
            "PATH": os.pathsep.join([venv_bin, os.environ.get("PATH", "")]),
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "PYTHONWARNINGS": "ignore",
        }

    def run(
        self,
        tasks: Sequence[tuple[Job, str, list[str]]],
        prepare: Callable[[Job, Path], None],
        done: Callable[[WorkerResult], None],
    ) -> None:
        """Run each (job, kind, nbgrader argv) in a fresh temporary folder; ``prepare(job,
        tmp)`` runs in the parent just before the worker starts, ``done(result)`` once it has
        ended (in the order they end), then the folder is removed."""
        pending, running = list(reversed(tasks)), []
        while pending or running:
            while pending and len(running) < self.jobs:
                job, kind, argv = pending.pop()
                running.append(self._start(job, kind, argv, prepare))
            now = time.monotonic()
            wait_s = min(r.started + self.timeout for r in running) - now
            multiprocessing.connection.wait(
                [r.process.sentinel for r in running], timeout=max(0.0, min(wait_s, 1.0))
            )
            now = time.monotonic()
            for item in list(running):
                if item.process.exitcode is None and now - item.started > self.timeout:
                    kill_tree(item.process.pid)
                    item.killed = True
                if item.process.exitcode is not None or item.killed:
                    item.process.join()
                    running.remove(item)
                    result = self._result(item, now)
                    try:
                        done(result)
                    finally:
                        shutil.rmtree(item.tmp, ignore_errors=True)

    def _start(self, job: Job, kind: str, argv: list[str], prepare) -> _Running:
        tmp = Path(tempfile.mkdtemp(prefix=f"grade-{job.student}-{job.assignment}-"))
        prepare(job, tmp)
        db = f"sqlite:///{tmp / GRADEBOOK}"
        task = {
            "argv": [db if arg == DB_PLACEHOLDER else arg for arg in argv],
            "cwd": str(self.course.dir),
            "env": self.env,
            "log": str(tmp / "nbgrader.log"),
            "result": str(tmp / "result.json"),
            "cell_file": str(tmp / "cell.txt"),
        }
        process = self.context.Process(target=_worker, args=(task,), daemon=True)
        process.start()
        return _Running(job, kind, process, tmp, time.monotonic())

    def _result(self, item: _Running, now: float) -> WorkerResult:
        seconds = now - item.started
        timings, code = {}, None if item.killed else item.process.exitcode
        try:
            written = json.loads((item.tmp / "result.json").read_text())
            timings, code = written["timings"], (None if item.killed else written["code"])
        except (OSError, ValueError, KeyError):
            if code == 0:  # ended without saying how: it did not finish nbgrader
                code = -1
        with open(item.tmp / "nbgrader.log", "a+", errors="replace") as log:
            log.seek(0)
            text = log.read()
        how = "killed at the time limit" if item.killed else f"exit code {code}"
        self.log.write(f"\n===== {item.kind} {item.job}: {how}, {seconds:.1f} s =====\n{text}")
        self.log.flush()
        return WorkerResult(item.job, item.kind, code, seconds, item.tmp, timings)


BOILERPLATE = ("error processing", "traceback (most recent", "please see", "removing failed")


def log_errors(result: WorkerResult) -> str:
    """What went wrong in a failed worker: nbgrader's first telling ERROR line and the final
    line of the exception it logged."""
    try:
        lines = (result.tmp / "nbgrader.log").read_text(errors="replace").splitlines()
    except OSError:
        return ""
    errors = [line.split("]", 1)[-1].strip() for line in lines if "| ERROR]" in line]
    telling = [e for e in errors if not any(word in e.lower() for word in BOILERPLATE)]
    raised = [
        line.strip()
        for line in lines
        if line.startswith("    ")
        and ": " in line
        and line.split(":")[0].strip().endswith(("Error", "Exception", "Exit", "Interrupt"))
    ]
    found = telling[:1] + [_short_exception(line) for line in raised[-1:]]
    return " / ".join(dict.fromkeys(text[:160] for text in found))


def _short_exception(line: str) -> str:
    """'nbclient.exceptions.DeadKernelError: Kernel died' -> 'DeadKernelError: Kernel died'."""
    name, message = line.split(": ", 1)
    return f"{name.rsplit('.', 1)[-1]}: {message}"


def running_cell(result: WorkerResult) -> str:
    try:
        return (result.tmp / "cell.txt").read_text()
    except OSError:
        return ""


# -- problems found in an autograded notebook ------------------------------------------------------


def cell_problems(path: Path) -> list[str]:
    """'<cell>: <error>' for each graded or answer cell whose error says the grading itself
    hit trouble: a timeout, an interrupt, a dead kernel (wrong answers are not listed)."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return [f"{path.name}: unreadable autograded notebook"]
    found = []
    for cell in notebook.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not (meta.get("grade") or meta.get("solution")):
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            name, value = output.get("ename", ""), str(output.get("evalue", ""))
            text = f"{name} {value}".lower()
            if name in TROUBLE_ERRORS or any(word in text for word in TROUBLE_WORDS):
                short = " ".join(value.split())[:120]
                found.append(
                    f"cell {meta.get('grade_id')}: {name}" + (f": {short}" if short else "")
                )
                break
    return found


# -- the whole class -------------------------------------------------------------------------------


@dataclasses.dataclass
class Outcome:
    job: Job
    status: str  # graded, skipped, failed, killed
    seconds: float = 0.0
    score: float = 0.0
    max_score: float = 0.0
    timings: dict[str, float] = dataclasses.field(default_factory=dict)
    problems: list[str] = dataclasses.field(default_factory=list)
    feedback: str = ""  # written, kept, failed, none


@dataclasses.dataclass
class Report:
    outcomes: list[Outcome]
    seconds: float
    log: Path
    jobs: int
    autograde_seconds: float = 0.0  # wall-clock time of the autograde phase
    feedback_seconds: float = 0.0  # and of the feedback phase

    def by_assignment(self) -> dict[str, list[Outcome]]:
        grouped: dict[str, list[Outcome]] = {}
        for outcome in self.outcomes:
            grouped.setdefault(outcome.job.assignment, []).append(outcome)
        return grouped

    @property
    def problems(self) -> list[str]:
        return [
            f"{o.job.student}  {o.job.assignment}  {p}" for o in self.outcomes for p in o.problems
        ]

    def table(self) -> str:
        header = (
            "assignment",
            "submissions",
            "graded",
            "skipped",
            "failed",
            "mean score",
            "worker s",
        )
        rows = [header]
        for assignment, outcomes in self.by_assignment().items():
            count = {s: sum(o.status == s for o in outcomes) for s in ("graded", "skipped")}
            failed = sum(o.status in ("failed", "killed") for o in outcomes)
            top = max((o.max_score for o in outcomes), default=0.0)
            mean = sum(o.score for o in outcomes) / len(outcomes)
            worker_s = sum(o.seconds for o in outcomes if o.status != "skipped")
            rows.append(
                (
                    assignment,
                    str(len(outcomes)),
                    str(count["graded"]),
                    str(count["skipped"]),
                    str(failed),
                    f"{mean:.1f} / {top:g}",
                    f"{worker_s:.1f}",
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
        lines = [
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows
        ]
        lines.insert(1, "  ".join("-" * w for w in widths))
        lines.append(
            f"{len(self.outcomes)} submissions in {self.seconds:.1f} s with {self.jobs} workers; "
            f"{len(self.problems)} problems; nbgrader's log: {self.log}"
        )
        return "\n".join(lines)


def _read_timestamp(course: Course, job: Job) -> str | None:
    path = course.submitted(job.student, job.assignment) / "timestamp.txt"
    try:
        return path.read_text().strip() or None
    except OSError:
        return None


def _up_to_date(course: Course, job: Job, gb) -> bool:
    from nbgrader.api import MissingEntry

    try:
        gb.find_submission(job.assignment, job.student)
    except MissingEntry:
        return False
    submitted = course.submitted(job.student, job.assignment).glob("*.ipynb")
    graded = course.autograded(job.student, job.assignment)
    return all((graded / path.name).is_file() for path in submitted)


def grade_class(
    root: Path,
    assignments: Sequence[str],
    *,
    student: str = "*",
    force: bool = False,
    jobs: int | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
    progress: bool = True,
    say: Callable[[str], None] | None = None,
) -> Report:
    """Autograde every submission of ``assignments`` under ``root/course/submitted/`` (those
    of students matching the glob ``student``) that changed since it was last graded (all of
    them with ``force``), merge the grades into ``course/gradebook.db`` and write feedback.
    The gradebook must already hold the assignments (``make release`` puts them there)."""
    from tqdm import tqdm

    course = Course(Path(root))
    jobs = jobs or available_cores()
    start = time.perf_counter()
    state = _load_state(course)
    todo = submissions(course, assignments, student)
    inputs = {a: grading_inputs_digest(course, a) for a in {job.assignment for job in todo}}
    digests = {job: submission_digest(course, job, inputs[job.assignment]) for job in todo}
    outcomes = {job: Outcome(job, "graded") for job in todo}

    with open(course.log, "a", encoding="utf-8") as log, _warnings_to(log):
        log.write(
            f"\n##### make grade {time.strftime('%Y-%m-%d %H:%M:%S')}: {len(todo)} submissions\n"
        )
        bar = tqdm(total=len(todo), desc="grading", unit="submission", disable=not progress)
        tell = say or bar.write

        def problem(outcome: Outcome, text: str) -> None:
            outcome.problems.append(text)
            tell(f"problem: {outcome.job.student}  {outcome.job.assignment}  {text}")

        to_grade = []
        with _gradebook(course.gradebook, todo[0].assignment) if todo else _Nothing() as gb:
            for job in todo:
                key = str(job)
                if (
                    not force
                    and state.get(key, {}).get("digest") == digests[job]
                    and _up_to_date(course, job, gb)
                ):
                    outcomes[job].status = "skipped"
                    bar.update()
                else:
                    to_grade.append(job)

        def prepare_autograde(job: Job, tmp: Path) -> None:
            copy_gradebook(course.gradebook, tmp / GRADEBOOK)
            state.pop(str(job), None)

        def finish_autograde(result: WorkerResult) -> None:
            job, outcome = result.job, outcomes[result.job]
            outcome.seconds, outcome.timings = result.seconds, dict(result.timings)
            if result.ok:
                merge_start = time.perf_counter()
                try:
                    notes = merge_submission(course.gradebook, result.tmp / GRADEBOOK, job)
                except Exception as error:  # a worker's gradebook that cannot be merged
                    result.code = -2
                    log.write(traceback.format_exc())
                    problem(
                        outcome, f"could not merge its grades ({type(error).__name__}: {error})"
                    )
                else:
                    for note in notes:
                        problem(outcome, note)
                    outcome.timings["merge"] = time.perf_counter() - merge_start
                    for path in sorted(
                        course.autograded(job.student, job.assignment).glob("*.ipynb")
                    ):
                        for text in cell_problems(path):
                            problem(outcome, f"{path.stem} {text}")
                    state[str(job)] = {"digest": digests[job]}
            if not result.ok:
                cell = running_cell(result)
                where = f"cell {cell}: " if cell else ""
                if result.code is None:
                    outcome.status = "killed"
                    problem(outcome, f"{where}killed after {timeout:g} s (time limit); scores 0")
                elif result.code != -2:
                    outcome.status = "failed"
                    why = log_errors(result) or f"nbgrader exited with code {result.code}"
                    problem(outcome, f"{where}not graded, scores 0: {why}")
                else:
                    outcome.status = "failed"
                record_failure(course.gradebook, job, _read_timestamp(course, job))
                shutil.rmtree(course.autograded(job.student, job.assignment), ignore_errors=True)
                shutil.rmtree(course.feedback(job.student, job.assignment), ignore_errors=True)
            _save_state(course, state)
            bar.update()

        autograde_start = time.perf_counter()
        workers = Workers(course, jobs, timeout, log)
        autograde = [(job, "autograde", _autograde_argv(job)) for job in to_grade]
        workers.run(autograde, prepare_autograde, finish_autograde)
        bar.close()
        autograde_seconds = time.perf_counter() - autograde_start
        feedback_start = time.perf_counter()

        # feedback: for what was graded now, and what changed in the gradebook since
        feedback_jobs = []
        with _gradebook(course.gradebook, todo[0].assignment) if todo else _Nothing() as gb:
            for job in todo:
                outcome = outcomes[job]
                entries, outcome.score, outcome.max_score = gradebook_entries(gb, job)
                if outcome.status in ("failed", "killed"):
                    outcome.feedback = "none"
                    continue
                feedback = course.feedback(job.student, job.assignment)
                fresh = all(
                    (feedback / f"{p.stem}.html").is_file()
                    for p in course.autograded(job.student, job.assignment).glob("*.ipynb")
                )
                if (
                    outcome.status == "skipped"
                    and fresh
                    and state[str(job)].get("feedback") == entries
                ):
                    outcome.feedback = "kept"
                else:
                    feedback_jobs.append((job, "feedback", _feedback_argv(job)))
                    state[str(job)]["feedback_pending"] = entries

        def finish_feedback(result: WorkerResult) -> None:
            outcome, entry = outcomes[result.job], state[str(result.job)]
            pending = entry.pop("feedback_pending", None)
            if result.ok:
                outcome.feedback, entry["feedback"] = "written", pending
            else:
                outcome.feedback = "failed"
                why = "killed at the time limit" if result.code is None else log_errors(result)
                why = why or f"exit code {result.code}"
                problem(outcome, f"feedback not written: {why}")
            _save_state(course, state)

        if feedback_jobs:
            bar = tqdm(
                total=len(feedback_jobs), desc="feedback", unit="submission", disable=not progress
            )
            tell = say or bar.write

            def finish_and_count(result: WorkerResult) -> None:
                finish_feedback(result)
                bar.update()

            workers.run(feedback_jobs, lambda job, tmp: None, finish_and_count)
            bar.close()

    return Report(
        sorted(outcomes.values(), key=lambda o: o.job),
        time.perf_counter() - start,
        course.log,
        jobs,
        autograde_seconds,
        time.perf_counter() - feedback_start,
    )


class _Nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


class _warnings_to:
    """Route Python warnings (SQLAlchemy's, nbgrader's) to the log while grading."""

    def __init__(self, log) -> None:
        self.log = log

    def __enter__(self):
        self._catch = warnings.catch_warnings()
        self._catch.__enter__()
        warnings.simplefilter("always")
        warnings.showwarning = lambda message, category, filename, lineno, *_: self.log.write(
            f"{filename}:{lineno}: {category.__name__}: {message}\n"
        )
        return self

    def __exit__(self, *exc):
        return self._catch.__exit__(*exc)


def _autograde_argv(job: Job) -> list[str]:
    # DB_PLACEHOLDER becomes the worker's own gradebook (Workers._start)
    return [
        "autograde",
        job.assignment,
        "--student",
        job.student,
        "--force",
        "--db",
        DB_PLACEHOLDER,
    ]


def _feedback_argv(job: Job) -> list[str]:
    return ["generate_feedback", job.assignment, "--student", job.student, "--force"]
