"""Constant learning rate: the baseline every schedule is compared with."""

from __future__ import annotations

import numbers

from .base import Schedule, arg, nonnegative


class Constant(Schedule):
    """A constant learning rate, the baseline every schedule is compared with.

        lr(t) = lr        for every step (or epoch)

    Syllabus: lr0 = 0.1 with plain SGD (momentum 0) on CIFAR-10 is the reference run.

    >>> s = Constant(0.1)
    >>> s(0), s(1000)
    (0.1, 0.1)

    Twins: torch ``LambdaLR`` (lr = 1.0 * 0.1; in practice, simply no scheduler) and the
    generic Keras schedule (in practice, simply ``learning_rate=0.1``).
    """

    lr: float = arg(nonnegative)

    def formula(self, xp, t):
        return self.lr + 0.0 * t


def as_schedule(name: str, value) -> Schedule:
    """A schedule as given, or a number turned into ``Constant(number)``."""
    if isinstance(value, Schedule):
        return value
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return Constant(nonnegative(name, value))
    raise TypeError(f"{name} must be a schedule or a number, got {type(value).__name__}")
