"""From what a learner's function did on each case to a verdict a learner can act on.

One mechanism for both places an answer is judged:

- the ``check`` cell in the learner's notebook (advice, on the visible cases, from the check
  data released with the assignment);
- the autograder (the authority, on visible and hidden cases, outside the learner's kernel).

Both describe each call as an ``Outcome`` (a returned value, an exception, or a reason to stop
trying), and ``explain`` turns the outcomes, the expected values and the known mistakes'
outputs into a ``Verdict``: which input fails, what was expected, what came back, what is
wrong with it, and the classic mistake that reproduces every output the learner gave.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .answer_calls import MISSING, MUTATED, NO_VALUE, NOT_WRITTEN, RAISED, TIMEOUT, Outcome
from .comparison import describe_difference, same_answer
from .formatting import describe_call, short_repr

# TypeErrors that mean "a math-module function got an array" (math.floor, math.pow, math.exp...)
_SCALAR_MATH = re.compile(
    r"only (length-1|0-dimensional|integer scalar) arrays can be converted"
    r"|must be real number, not numpy\.ndarray"
    r"|can't convert np\.ndarray"
)


@dataclass(frozen=True)
class Verdict:
    name: str
    total: int
    passed: int
    explanation: str | None  # None when every case passed

    @property
    def ok(self) -> bool:
        return self.explanation is None


def scalar_math_advice(detail: str) -> str:
    """Advice for the TypeError of math.floor / math.pow / ... called on an array, or ''."""
    if not detail.startswith("TypeError") or not _SCALAR_MATH.search(detail):
        return ""
    return (
        " The functions of the `math` module (math.floor, math.pow, math.exp, math.cos...) "
        "take single numbers only; with arrays use NumPy's: np.floor, np.power, np.exp, "
        "np.cos, which work element by element."
    )


def _advice(detail: str) -> str:
    if "No module named" in detail or "cannot be imported" in detail:
        return (
            " The autograder runs answers where only NumPy and the standard library can be "
            "imported: write the computation yourself, without lrcourse, torch or Keras."
        )
    return scalar_math_advice(detail)


def problem_of(outcome: Outcome, name: str, call: str, time_limit_s: float) -> str | None:
    """What went wrong with this call itself (before comparing values), or None."""
    if outcome.failure == NOT_WRITTEN:
        return (
            f"{name} is not written yet: replace `raise NotImplementedError()` with your code "
            "and run its cell"
        )
    if outcome.failure == MISSING:
        detail = outcome.detail.rstrip(".")
        return f"there is no function named `{name}`: {detail}." + _advice(outcome.detail)
    if outcome.failure == TIMEOUT:
        return (
            f"{call} did not return within {time_limit_s:g} s: is there a loop that never "
            "ends (a condition that never becomes false, a counter never increased)?"
        )
    if outcome.failure == RAISED:
        return f"{call} raised {outcome.detail}." + _advice(outcome.detail)
    if outcome.failure == MUTATED:
        return (
            f"it changed its input `{outcome.detail}` in place (with `-=`, `+=` or an item "
            "assignment); build and return a new value instead, so the caller's array stays as "
            "it was"
        )
    return None


def matching_mistake(outcomes: Sequence[Outcome], mistakes: Sequence[tuple[str, Sequence]]):
    """The hint of the first mistake whose outputs equal every output the learner gave.

    ``mistakes`` holds ``(hint, outputs)`` with one output per case (``NO_VALUE`` where the
    mistaken formula itself fails). No hint when any call raised or gave nothing: a run that
    broke on some inputs says nothing reliable about which formula was meant.
    """
    if not outcomes or any(o.failure is not None or o.value is NO_VALUE for o in outcomes):
        return None
    for hint, outputs in mistakes:
        if all(
            out is not NO_VALUE and same_answer(out, o.value, rtol=1e-9, atol=0)
            for out, o in zip(outputs, outcomes, strict=True)
        ):
            return hint
    return None


def explain(
    name: str,
    parameter_names: Sequence[str],
    cases: Sequence[tuple],
    expected: Sequence,
    outcomes: Sequence[Outcome],
    mistakes: Sequence[tuple[str, Sequence]] | None,
    *,
    rtol: float,
    atol: float,
    time_limit_s: float,
) -> Verdict:
    """The verdict on ``outcomes`` (one per case, possibly fewer after a fatal one).

    ``mistakes`` may be a callable returning the list, so that the autograder computes the
    mistakes' outputs only when an answer fails.
    """
    passed, first_failure = 0, None
    for args, want, outcome in zip(cases, expected, outcomes, strict=False):
        call = describe_call(name, parameter_names, args)
        problem = problem_of(outcome, name, call, time_limit_s)
        if problem is None:
            problem = describe_difference(outcome.value, want, rtol=rtol, atol=atol)
        if problem is None:
            passed += 1
        elif first_failure is None:
            first_failure = (call, want, outcome, problem)
        if outcome.fatal:
            break
    if first_failure is None and len(outcomes) == len(cases):
        return Verdict(name, len(cases), passed, None)
    call, want, outcome, problem = first_failure
    if outcome.failure in (NOT_WRITTEN, MISSING):
        return Verdict(name, len(cases), passed, f"Problem:  {problem}")
    lines = [
        f"Call:     {call}",
        f"Expected: {short_repr(want)}",
        f"Got:      {'(nothing)' if outcome.value is NO_VALUE else short_repr(outcome.value)}",
        f"Problem:  {problem}",
    ]
    if len(outcomes) == len(cases):
        if callable(mistakes):
            mistakes = mistakes()
        hint = matching_mistake(outcomes, mistakes or ())
        if hint:
            lines.append(f"Hint:     {hint}")
    return Verdict(name, len(cases), passed, "\n".join(lines))
