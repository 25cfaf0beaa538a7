"""The clean room: a submission's answer cells, run where only NumPy can be imported.

``run_answers(cells, calls)`` copies ``clean_room_child.py`` and the three lrcourse modules it
needs into a fresh folder, starts it through ``sandbox.popen_sandboxed`` with only NumPy and
SciPy importable (no lrcourse, torch, Keras or TensorFlow, no grader, no network, no other
files), sends the inputs and reads back plain values (``plain_values``: JSON that can only
decode to numbers, booleans, None, arrays of numeric dtype, lists and tuples of those, or the
name of some other type). Nothing the learner defined is ever called in this process.

A call that does not return within its time limit (even one that ignores SIGALRM) or that
kills the process costs its function only: the child is killed and a new one carries on with
the next function. A cell that never finishes is skipped in the next child.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from lrcourse import grading
from lrcourse.grading import plain_values
from lrcourse.grading.answer_calls import NO_VALUE, RAISED, TIMEOUT, Outcome

from . import sandbox

DECLARED_IMPORTS = "import math\n\nimport numpy as np\n"
CELL_TIME_LIMIT_S = 10.0
STARTUP_S = 20.0  # python + NumPy start-up on a loaded machine
RUNTIME_MODULES = ("answer_calls.py", "time_limit.py", "plain_values.py")
CRASHED = (
    "ProcessEnded: the Python process running it ended (os._exit, a crash, a signal or the "
    "memory limit)"
)


@dataclass(frozen=True)
class Call:
    function: str
    parameters: tuple[str, ...]
    args: tuple
    time_limit_s: float


@dataclass
class CleanRoomRun:
    outcomes: list[Outcome | None]  # one per call; None: not run (its function had failed)
    cell_errors: dict[int, str] = field(default_factory=dict)
    seconds: float = 0.0
    children: int = 0


def _importable_dirs() -> list[Path]:
    """Site-packages folders of NumPy and SciPy (and their bundled libraries)."""
    import numpy

    dirs = [Path(numpy.__file__).parent]
    try:
        import scipy

        dirs.append(Path(scipy.__file__).parent)
    except ImportError:
        pass
    for d in list(dirs):
        dirs += [p for p in d.parent.glob(f"{d.name}.libs") if p.is_dir()]
    return dirs


def _prepare(folder: Path) -> None:
    shutil.copy(Path(__file__).with_name("clean_room_child.py"), folder / "run_answers.py")
    runtime = folder / "answer_runtime"
    runtime.mkdir()
    (runtime / "__init__.py").write_text("")
    source = Path(grading.__file__).parent
    for name in RUNTIME_MODULES:
        shutil.copy(source / name, runtime / name)


def _read_events(path: Path) -> list[dict]:
    if not path.exists():
        return []
    events = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict):
            events.append(event)
    return events


def _decode_outcome(data) -> Outcome:
    """An Outcome from the child's record, trusting nothing in it."""
    if not isinstance(data, dict):
        return Outcome(failure=RAISED, detail="the answer's result could not be read")
    failure = data.get("failure")
    if failure not in (None, "not_written", "timeout", "raised", "mutated", "missing"):
        failure = RAISED
    detail = data.get("detail", "")
    detail = detail[:500] if isinstance(detail, str) else ""
    value = NO_VALUE
    if "value" in data:
        try:
            value = plain_values.decode(data["value"])
        except (ValueError, TypeError, OverflowError):
            return Outcome(failure=RAISED, detail="its return value could not be read")
    return Outcome(value=value, failure=failure, detail=detail)


def _run_child(folder, cells, calls, skip_cells, deadline_of) -> tuple[list[dict], bool]:
    """Run one child until it finishes or stalls; return its events and whether it was killed."""
    request = {
        "preamble": DECLARED_IMPORTS,
        "cells": [[i, src] for i, src in enumerate(cells) if i not in skip_cells],
        "calls": calls,
        "cell_time_limit_s": CELL_TIME_LIMIT_S,
    }
    (folder / "request.json").write_text(json.dumps(request, allow_nan=False), encoding="utf-8")
    results = folder / "results.jsonl"
    results.unlink(missing_ok=True)
    process = sandbox.popen_sandboxed(
        [sys.executable, "run_answers.py"],
        workdir=folder,
        python_paths=_importable_dirs(),
    )
    last_count, last_progress = 0, time.monotonic()
    try:
        while process.poll() is None:
            time.sleep(0.02)
            events = _read_events(results)
            if len(events) != last_count:
                last_count, last_progress = len(events), time.monotonic()
            if time.monotonic() - last_progress > deadline_of(events):
                sandbox.kill_tree(process)
                process.wait()
                return _read_events(results), True
    finally:
        if process.poll() is None:
            sandbox.kill_tree(process)
            process.wait()
    return _read_events(results), False


def run_answers(cells: list[str], calls: list[Call]) -> CleanRoomRun:
    """Run the answer ``cells`` in a clean room and make every call in ``calls``."""
    start = time.perf_counter()
    run = CleanRoomRun(outcomes=[None] * len(calls))
    skip_cells: set[int] = set()
    pending = list(range(len(calls)))
    while pending:
        encoded = [
            {
                "index": k,
                "function": calls[k].function,
                "parameters": list(calls[k].parameters),
                "args": plain_values.encode(list(calls[k].args)),
                "time_limit_s": calls[k].time_limit_s,
            }
            for k in pending
        ]

        def deadline_of(events, pending=pending):
            if not any("ready" in e for e in events):
                return STARTUP_S + CELL_TIME_LIMIT_S + 2.0
            done = sum(1 for e in events if "call" in e)
            current = pending[min(done, len(pending) - 1)]
            return calls[current].time_limit_s + 2.0

        with tempfile.TemporaryDirectory(prefix="clean-room-") as tmp:
            folder = Path(tmp)
            _prepare(folder)
            events, killed = _run_child(folder, cells, encoded, skip_cells, deadline_of)
        run.children += 1
        ready = False
        for event in events:
            if "cell_error" in event and isinstance(event["cell_error"], list):
                index, text = event["cell_error"][:2]
                if isinstance(index, int) and isinstance(text, str):
                    run.cell_errors[index] = text[:500]
            if event.get("ready") is True:
                ready = True
            k = event.get("call")
            if isinstance(k, int) and k in pending and run.outcomes[k] is None:
                run.outcomes[k] = _decode_outcome(event.get("outcome"))
        if not ready:  # a cell never finished: skip it from now on
            started = [e["cell"] for e in events if isinstance(e.get("cell"), int)]
            stuck = started[-1] if started else None
            if stuck is None or stuck in skip_cells:
                for k in pending:  # the child cannot even start: nothing can be graded
                    run.outcomes[k] = Outcome(failure=RAISED, detail=CRASHED)
                break
            skip_cells.add(stuck)
            run.cell_errors[stuck] = f"the cell did not finish within {CELL_TIME_LIMIT_S:g} s"
            continue
        unanswered = [k for k in pending if run.outcomes[k] is None]
        if not unanswered:
            break
        failed = calls[unanswered[0]].function
        why = Outcome(failure=TIMEOUT) if killed else Outcome(failure=RAISED, detail=CRASHED)
        run.outcomes[unanswered[0]] = why
        pending = [k for k in unanswered[1:] if calls[k].function != failed]
    run.seconds = time.perf_counter() - start
    return run
