"""Calling a learner's function once, safely, and recording what it did as an ``Outcome``.

Used in two places: the learner's own kernel (the ``check`` cell) and the clean room where the
autograder runs answer cells. The clean room has nothing of lrcourse but this module and the
two it imports (``time_limit``, ``plain_values``), which the autograder copies in; so this
module imports only the standard library and NumPy.

Each call gets a deep copy of its inputs (so an answer that changes an input in place is told
so), NumPy warnings silenced, and a time limit (``time_limit``), so an endless loop costs one
task.
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass

import numpy as np

from .time_limit import AnswerTimeout, call_with_time_limit

NO_VALUE = object()

NOT_WRITTEN = "not_written"  # raise NotImplementedError() is still there
TIMEOUT = "timeout"  # did not return within the time limit
RAISED = "raised"  # raised an exception: detail is "TypeError: ..."
MUTATED = "mutated"  # changed an input in place: detail is the input's name
MISSING = "missing"  # no such function: detail says why


@dataclass(frozen=True)
class Outcome:
    """What one call of the learner's function did.

    ``value`` is what it returned (``NO_VALUE`` when it returned nothing usable); ``failure``
    is None or one of the constants above, with ``detail``.
    """

    value: object = NO_VALUE
    failure: str | None = None
    detail: str = ""

    @property
    def fatal(self) -> bool:
        """No point trying further inputs."""
        return self.failure in (NOT_WRITTEN, TIMEOUT, MISSING)


def _unchanged(before, after) -> bool:
    if isinstance(before, np.ndarray):
        return isinstance(after, np.ndarray) and np.array_equal(before, after, equal_nan=True)
    try:
        return bool(before == after)
    except (TypeError, ValueError):
        return True


def call_answer(func, args: tuple, parameter_names, time_limit_s: float) -> Outcome:
    """Call ``func(*args)`` on a copy of ``args`` within ``time_limit_s`` seconds."""
    if not callable(func):
        return Outcome(
            failure=MISSING, detail=f"it is a {type(func).__name__}; define it with `def`"
        )
    copies = copy.deepcopy(args)
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = call_with_time_limit(time_limit_s, func, *copies)
    except NotImplementedError:
        return Outcome(failure=NOT_WRITTEN)
    except AnswerTimeout:
        return Outcome(failure=TIMEOUT)
    except (Exception, SystemExit) as error:
        text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        return Outcome(failure=RAISED, detail=text[:500])
    for name, before, after in zip(parameter_names, args, copies, strict=False):
        if not _unchanged(before, after):
            return Outcome(value=value, failure=MUTATED, detail=name)
    return Outcome(value=value)
