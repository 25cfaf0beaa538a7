"""The learner's check cells: advice on the visible cases, from the data released with each
assignment.

``make release`` writes ``checks.json`` next to each released notebook: for every exercise, its
visible cases, the expected outputs and the outputs of each classic mistake with its hint. No
code that computes an answer is shipped to learners. A notebook's setup cell loads it::

    grader = load_checks("02_schedules")
    grader.STEP_DECAY.check(step_decay)          # check cell: prints a verdict and a hint
    grader.STEP_DECAY.test_visible(step_decay)   # test cell: raises AnswerRejected on a failure

What runs here is advice. The score is decided by the autograder, which runs the answer cells
again outside the notebook, where lrcourse, torch and Keras cannot be imported, on the visible
cases and on random hidden ones.
"""

from __future__ import annotations

import dis
import json
from dataclasses import dataclass
from pathlib import Path

from . import plain_values
from .answer_calls import call_answer
from .verdict import NO_VALUE, Verdict, explain

CHECKS_FILE = "checks.json"
# Names whose use inside an answer the autograder cannot follow (they are absent there).
_UNAVAILABLE = ("lrcourse", "torch", "keras", "tensorflow", "tf", "optim", "schedules")


class AnswerRejected(AssertionError):
    """A learner's answer failed a test; IPython shows only the explanation, no traceback."""

    def _render_traceback_(self):
        return ["\x1b[0;31mAnswerRejected\x1b[0m", *str(self).splitlines()]


class ChecksNotFound(FileNotFoundError):
    def _render_traceback_(self):
        return [f"\x1b[0;31mChecksNotFound\x1b[0m: {self}"]


def unavailable_names(func) -> list[str]:
    """Names in ``func``'s code (and nested functions) of modules the autograder lacks."""
    found, codes = [], [getattr(func, "__code__", None)]
    while codes:
        code = codes.pop()
        if code is None:
            continue
        for instruction in dis.get_instructions(code):
            name = instruction.argval
            if isinstance(name, str) and name.split(".")[0] in _UNAVAILABLE and name not in found:
                found.append(name)
        codes.extend(c for c in code.co_consts if hasattr(c, "co_code"))
    return found


@dataclass(frozen=True)
class ExerciseChecks:
    """One exercise's released check data: visible cases, expected outputs, mistakes."""

    name: str
    parameters: tuple[str, ...]
    cases: tuple[tuple, ...]
    expected: tuple
    mistakes: tuple[tuple[str, tuple], ...]
    rtol: float
    atol: float
    time_limit_s: float

    @classmethod
    def from_data(cls, data: dict) -> ExerciseChecks:
        def outputs(encoded):
            return tuple(NO_VALUE if o is None else plain_values.decode(o) for o in encoded)

        return cls(
            name=data["name"],
            parameters=tuple(data["parameters"]),
            cases=tuple(tuple(plain_values.decode(a)) for a in data["cases"]),
            expected=tuple(plain_values.decode(e) for e in data["expected"]),
            mistakes=tuple((m["hint"], outputs(m["outputs"])) for m in data["mistakes"]),
            rtol=data["rtol"],
            atol=data["atol"],
            time_limit_s=data["time_limit_s"],
        )

    def evaluate(self, func) -> Verdict:
        outcomes = []
        for args in self.cases:
            outcomes.append(call_answer(func, args, self.parameters, self.time_limit_s))
            if outcomes[-1].fatal:
                break
        return explain(
            self.name,
            self.parameters,
            self.cases,
            self.expected,
            outcomes,
            self.mistakes,
            rtol=self.rtol,
            atol=self.atol,
            time_limit_s=self.time_limit_s,
        )

    def _note(self, func) -> str:
        names = unavailable_names(func)
        if not names:
            return ""
        return (
            f"\nNote:     {self.name} uses {', '.join(names)}. The autograder runs your answer "
            "where only NumPy (and the standard library) can be imported, so write the "
            "computation yourself with NumPy."
        )

    def check(self, func) -> None:
        """Print how ``func`` does on the visible cases, with a hint when it fails."""
        verdict = self.evaluate(func)
        if verdict.ok:
            print(
                f"✓ {self.name} passes all {verdict.total} visible tests. "
                "The autograder also tries inputs you have not seen." + self._note(func)
            )
            return
        print(f"✗ {self.name}: {verdict.passed} of {verdict.total} visible tests pass.")
        print(verdict.explanation + self._note(func))

    def test_visible(self, func) -> None:
        """Raise ``AnswerRejected`` unless ``func`` passes the visible cases."""
        verdict = self.evaluate(func)
        if not verdict.ok:
            raise AnswerRejected(
                f"{self.name} fails the visible tests ({verdict.passed} of {verdict.total} "
                f"pass).\n{verdict.explanation}{self._note(func)}"
            )
        print(f"✓ {self.name} passes the visible tests; the autograder also runs hidden ones.")


class AssignmentChecks:
    """Every exercise of one assignment, as attributes: ``grader.STEP_DECAY``."""

    def __init__(self, assignment: str, exercises: dict[str, ExerciseChecks]):
        self.assignment = assignment
        self.exercises = exercises

    def __getattr__(self, attribute: str) -> ExerciseChecks:
        exercises = self.__dict__.get("exercises", {})
        name = attribute.lower()
        if name in exercises:
            return exercises[name]
        raise AttributeError(
            f"{self.__dict__.get('assignment')} has no exercise {attribute}; it has "
            + ", ".join(n.upper() for n in exercises)
        )

    def __dir__(self):
        return [n.upper() for n in self.exercises]


def find_checks(assignment: str, start: Path | None = None) -> Path:
    """``checks.json`` next to the notebook, or in ``release/<assignment>/`` of the course."""
    start = Path.cwd() if start is None else Path(start)
    candidates = [start / CHECKS_FILE]
    candidates += [p / "release" / assignment / CHECKS_FILE for p in (start, *start.parents)]
    for path in candidates:
        if path.is_file():
            return path
    raise ChecksNotFound(
        f"no {CHECKS_FILE} for {assignment}: it comes with the released assignment and "
        f"belongs next to {assignment}.ipynb; copy it from the course's release/{assignment}/"
    )


def load_checks(assignment: str, path: str | Path | None = None) -> AssignmentChecks:
    """The check data of ``assignment`` (found next to the notebook unless ``path`` is given)."""
    path = find_checks(assignment) if path is None else Path(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("assignment") != assignment:
        raise ValueError(f"{path} holds the checks of {data.get('assignment')!r}, not {assignment}")
    exercises = {e["name"]: ExerciseChecks.from_data(e) for e in data["exercises"]}
    return AssignmentChecks(assignment, exercises)
