"""One autograded exercise: its reference, its test inputs, and the mistakes it recognises.

A ``Task`` is what a notebook's check cell and its locked test cell talk to:

- ``task.check(func)`` runs the visible cases and prints a verdict with a specific hint
  (which input, expected vs got, the likely mistake). It never raises, so learners can run
  it at any time.
- ``task.test_visible(func)`` and ``task.test_hidden(func)`` raise ``AnswerRejected`` (an
  ``AssertionError``) with the same explanation; nbgrader scores a test cell 0 when it raises.
  Hidden cases are drawn afresh from a random seed on every run (the seed is in the message),
  so an answer that hard-codes the visible results fails.

Every call of learner code goes through ``_run``: inputs are deep-copied (an answer that
changes its input in place is told so), NumPy warnings are silenced (nbgrader scores a test
cell that writes to stderr 0), a time limit stops endless loops, and ``call_watched`` rejects
answers that delegate to a reference implementation or a framework optimizer.
"""

from __future__ import annotations

import copy
import inspect
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .comparison import describe_difference, same_answer
from .delegation import DelegationFound, call_watched, static_findings
from .formatting import describe_call, short_repr
from .time_limit import AnswerTimeout, call_with_time_limit

_NO_VALUE = object()
DELEGATION_RULE = (
    "Exercises ask you to write the computation yourself (with NumPy); an answer that calls a "
    "reference implementation (lrcourse.optim, lrcourse.schedules, lrcourse.callbacks, "
    "lrcourse.lr_finder, lrcourse.grading) or a framework optimizer or scheduler (torch, keras, "
    "tensorflow) scores 0 for the task."
)


class AnswerRejected(AssertionError):
    """A learner's answer failed a graded test; the message says why."""


@dataclass(frozen=True)
class Case:
    """One input to the learner's function (positional arguments)."""

    args: tuple


@dataclass(frozen=True)
class Mistake:
    """A classic wrong answer, recognised by giving the same outputs as ``implementation``."""

    hint: str
    implementation: Callable


@dataclass(frozen=True)
class Outcome:
    """What one call of the learner's function produced."""

    value: object = _NO_VALUE
    problem: str | None = None  # something wrong with this call
    fatal: bool = False  # no point trying further inputs (not written, endless, delegating)


@dataclass(frozen=True)
class Verdict:
    """The result of running a learner's function on a list of cases."""

    name: str
    total: int
    passed: int
    explanation: str | None  # None when every case passed

    @property
    def ok(self) -> bool:
        return self.explanation is None


def _quietly(func, args):
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*copy.deepcopy(args))


def _unchanged(before, after) -> bool:
    if isinstance(before, np.ndarray):
        return isinstance(after, np.ndarray) and np.array_equal(before, after, equal_nan=True)
    try:
        return bool(before == after)
    except (TypeError, ValueError):
        return True


def delegation_message(uses: Sequence[str]) -> str:
    more = f" (and {len(uses) - 1} more)" if len(uses) > 1 else ""
    return f"it calls {uses[0]}{more}. {DELEGATION_RULE}"


@dataclass(frozen=True)
class Task:
    """An exercise: learners write ``name``; ``reference`` is the right answer."""

    name: str
    reference: Callable
    visible: tuple[Case, ...]
    draw_hidden: Callable[[np.random.Generator], Sequence[Case]]
    mistakes: tuple[Mistake, ...] = ()
    rtol: float = 1e-6
    atol: float = 1e-12
    time_limit_s: float = 5.0

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(inspect.signature(self.reference).parameters)

    def describe(self, case: Case) -> str:
        return describe_call(self.name, self.parameter_names, case.args)

    # -- running learner code ----------------------------------------------------------
    def _run(self, func, case: Case) -> Outcome:
        args = copy.deepcopy(case.args)
        call = self.describe(case)
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                value = call_with_time_limit(self.time_limit_s, call_watched, func, args)
        except NotImplementedError:
            return Outcome(
                problem=f"{self.name} is not written yet: replace `raise NotImplementedError()` "
                "with your code and run its cell",
                fatal=True,
            )
        except AnswerTimeout:
            return Outcome(
                problem=f"{call} did not return within {self.time_limit_s:g} s: is there a loop "
                "that never ends (a condition that never becomes false, a counter never "
                "increased)?",
                fatal=True,
            )
        except DelegationFound as found:
            return Outcome(problem=delegation_message(found.uses), fatal=True)
        except (Exception, SystemExit) as error:
            return Outcome(problem=f"{call} raised {type(error).__name__}: {error}")
        for name, before, after in zip(self.parameter_names, case.args, args, strict=False):
            if not _unchanged(before, after):
                return Outcome(
                    value=value,
                    problem=f"it changed its input `{name}` in place (with `-=`, `+=` or an "
                    "item assignment); build and return a new value instead, so the caller's "
                    "array stays as it was",
                )
        return Outcome(value=value)

    def diagnose(self, cases: Sequence[Case], outputs: Sequence) -> str | None:
        """The hint of the first mistake that reproduces every output the learner gave."""
        answered = [(c, out) for c, out in zip(cases, outputs, strict=True) if out is not _NO_VALUE]
        if not answered:
            return None
        for mistake in self.mistakes:
            try:
                matches = all(
                    same_answer(_quietly(mistake.implementation, c.args), out, rtol=1e-9, atol=0)
                    for c, out in answered
                )
            except Exception:  # a mistaken implementation may not handle every input
                matches = False
            if matches:
                return mistake.hint
        return None

    def evaluate(self, func, cases: Sequence[Case]) -> Verdict:
        """Run ``func`` on ``cases`` and explain the first failure."""
        cases = list(cases)
        if not callable(func):
            return Verdict(
                self.name,
                len(cases),
                0,
                f"{self.name} is a {type(func).__name__}, not a function: define it with `def`",
            )
        uses = static_findings(func)
        if uses:
            return Verdict(self.name, len(cases), 0, delegation_message(uses))
        outputs, passed, first_failure = [], 0, None
        for case in cases:
            outcome = self._run(func, case)
            if outcome.fatal:
                return Verdict(self.name, len(cases), passed, outcome.problem)
            expected = _quietly(self.reference, case.args)
            problem = outcome.problem
            if problem is None:
                problem = describe_difference(
                    outcome.value, expected, rtol=self.rtol, atol=self.atol
                )
            outputs.append(outcome.value)
            if problem is None:
                passed += 1
            elif first_failure is None:
                first_failure = (case, expected, outcome.value, problem)
        if first_failure is None:
            return Verdict(self.name, len(cases), passed, None)
        case, expected, got, problem = first_failure
        lines = [
            f"Call:     {self.describe(case)}",
            f"Expected: {short_repr(expected)}",
            f"Got:      {'(nothing)' if got is _NO_VALUE else short_repr(got)}",
            f"Problem:  {problem}",
        ]
        hint = self.diagnose(cases, outputs)
        if hint:
            lines.append(f"Hint:     {hint}")
        return Verdict(self.name, len(cases), passed, "\n".join(lines))

    # -- what notebooks call -----------------------------------------------------------
    def check(self, func) -> None:
        """Print how ``func`` does on the visible cases, with a hint when it fails."""
        verdict = self.evaluate(func, self.visible)
        if verdict.ok:
            print(
                f"✓ {self.name} passes all {verdict.total} visible tests. "
                "The graded test also tries inputs you have not seen."
            )
            return
        print(f"✗ {self.name}: {verdict.passed} of {verdict.total} visible tests pass.")
        print(verdict.explanation)

    def test_visible(self, func) -> None:
        """Raise ``AnswerRejected`` unless ``func`` passes the visible cases."""
        self._require(self.evaluate(func, self.visible), "visible tests")

    def test_hidden(self, func, *, seed: int | None = None) -> None:
        """Raise ``AnswerRejected`` unless ``func`` matches the reference on fresh random inputs."""
        if seed is None:
            seed = int(np.random.SeedSequence().entropy % 2**32)
        cases = self.draw_hidden(np.random.default_rng(seed))
        self._require(self.evaluate(func, cases), f"hidden tests, inputs drawn with seed {seed}")

    def _require(self, verdict: Verdict, which: str) -> None:
        if not verdict.ok:
            raise AnswerRejected(
                f"{self.name} scores 0 for this task ({which}: "
                f"{verdict.passed} of {verdict.total} pass).\n{verdict.explanation}"
            )
