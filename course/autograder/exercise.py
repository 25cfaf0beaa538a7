"""What an answer key holds: the reference, the test inputs and the classic mistakes.

Each ``course/graders/<assignment>/<exercise>.py`` defines ``EXERCISE = Exercise(...)``: the
learner writes the function ``name``; ``reference`` is the right answer; ``visible`` are the
cases the notebook's check cell shows (released as check data); ``draw_hidden(rng)`` draws the
hidden cases the autograder adds; each ``Mistake`` is a short function computing one classic
wrong formula, beside the hint that names it.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Case:
    """One input to the learner's function (positional arguments)."""

    args: tuple


@dataclass(frozen=True)
class Mistake:
    """A classic wrong answer, recognised by giving the same outputs as ``implementation``."""

    hint: str
    implementation: Callable


class Mistakes(list):
    """The mistakes of one answer key, each written as a function under its hint::

        mistakes = Mistakes()

        @mistakes.add("sign error: ... w_new = w_old - lr * grad.")
        def moves_uphill(w, grad, lr):
            return w + lr * grad

    The first mistake whose outputs match the learner's names the hint, so order them from the
    most specific to the most general.
    """

    def add(self, hint: str):
        def register(implementation: Callable) -> Callable:
            self.append(Mistake(hint, implementation))
            return implementation

        return register


@dataclass(frozen=True)
class Exercise:
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

    @property
    def test_cell(self) -> str:
        """The grade_id of the locked test cell this exercise scores."""
        return f"test_{self.name}"

    def cases(self, seed: int) -> list[Case]:
        """The visible cases followed by hidden ones drawn with ``seed``."""
        return [*self.visible, *self.draw_hidden(np.random.default_rng(seed))]


def quietly(func, args):
    """``func(*args)`` with NumPy's warnings silenced (trusted code: references, mistakes)."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args)


def outputs_or_failed(func, cases: Sequence[Case], failed=None) -> list:
    """``func`` on every case; ``failed`` where it raises (a mistake need not handle all)."""
    outputs = []
    for case in cases:
        try:
            outputs.append(quietly(func, case.args))
        except Exception:
            outputs.append(failed)
    return outputs
