"""The clean room (course/autograder/clean_room.py): answer cells run where only NumPy exists.

Each test starts real clean-room processes through the sandbox (bubblewrap when installed),
so these are marked slow; each takes a second or a few.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "course"))

from autograder import sandbox  # noqa: E402
from autograder.clean_room import Call, run_answers  # noqa: E402

from lrcourse.grading.answer_calls import MISSING, NOT_WRITTEN, RAISED, TIMEOUT  # noqa: E402

pytestmark = pytest.mark.slow

GOOD = "def double(x):\n    return 2 * np.asarray(x)\n"


def call(function="double", args=None, limit=1.0):
    return Call(function, ("x",), (np.arange(3.0),) if args is None else args, limit)


def test_an_honest_answer_comes_back_as_plain_values():
    run = run_answers([GOOD], [call(), call(args=(1.5,))])
    first, second = run.outcomes
    assert first.failure is None and np.array_equal(first.value, [0.0, 2.0, 4.0])
    assert first.value.dtype == np.float64
    assert second.failure is None and second.value == 3.0
    assert run.children == 1


def test_only_numpy_and_the_standard_library_can_be_imported():
    cells = [
        "import lrcourse\n",
        "def double(x):\n    import torch\n    return x\n",
        "def triple(x):\n    import math, json, scipy\n    return 3 * x\n",
    ]
    run = run_answers(cells, [call(), call("triple", args=(1.0,))])
    assert run.cell_errors[0].startswith("ModuleNotFoundError")
    assert run.outcomes[0].failure == RAISED and "torch" in run.outcomes[0].detail
    assert run.outcomes[1].failure is None and run.outcomes[1].value == 3.0


def test_a_stub_is_not_written_and_a_missing_function_is_missing():
    stub = "def double(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"
    run = run_answers([stub], [call(), call("nowhere")])
    assert [o.failure for o in run.outcomes] == [NOT_WRITTEN, MISSING]


def test_an_answer_that_ignores_sigalrm_costs_its_own_function_only():
    cells = [
        "import signal\n\ndef double(x):\n"
        "    signal.signal(signal.SIGALRM, signal.SIG_IGN)\n    while True:\n        pass\n",
        "def triple(x):\n    return 3 * x\n",
    ]
    start = time.perf_counter()
    run = run_answers(cells, [call(), call(), call("triple", args=(2.0,))])
    assert time.perf_counter() - start < 15
    assert run.outcomes[0].failure == TIMEOUT
    assert run.outcomes[1] is None  # not tried again
    assert run.outcomes[2].value == 6.0 and run.children == 2


def test_an_answer_that_kills_its_process_costs_its_own_function_only():
    cells = ["import os\n\ndef double(x):\n    os._exit(0)\n", "def triple(x):\n    return 3 * x\n"]
    run = run_answers(cells, [call(), call("triple", args=(2.0,))])
    assert run.outcomes[0].failure == RAISED and "ProcessEnded" in run.outcomes[0].detail
    assert run.outcomes[1].value == 6.0


def test_a_cell_that_never_finishes_is_skipped():
    cells = [
        "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    pass\n",
        GOOD,
    ]
    run = run_answers(cells, [call()])
    assert "did not finish" in run.cell_errors[0]
    assert run.outcomes[0].failure is None


def test_faked_values_come_back_as_their_type_name_only():
    cell = (
        "class Anything(float):\n    def __eq__(self, other):\n        return True\n"
        "    __hash__ = float.__hash__\n\n"
        "def double(x):\n    return Anything(2.0)\n"
    )
    (outcome,) = run_answers([cell], [call()]).outcomes
    assert type(outcome.value).__name__ == "Opaque" and outcome.value.type_name == "Anything"


def test_memory_is_limited():
    cell = "def double(x):\n    return float(len(bytearray(16 * 2**30)))\n"
    (outcome,) = run_answers([cell], [call()]).outcomes
    assert outcome.failure == RAISED and "MemoryError" in outcome.detail


@pytest.mark.skipif(not sandbox.isolation_available(), reason="needs bubblewrap")
def test_nothing_outside_the_clean_room_can_be_read():
    cell = f"def double(x):\n    return float(len(open({str(REPO / 'README.md')!r}).read()))\n"
    (outcome,) = run_answers([cell], [call()]).outcomes
    assert outcome.failure == RAISED and "FileNotFoundError" in outcome.detail
