"""Constant learning rate: the baseline every schedule is compared with."""

from __future__ import annotations

from .. import validation
from .base import Schedule


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

    def __init__(self, lr):
        self.lr = validation.check_nonnegative("lr", lr)

    def _formula(self, xp, t):
        return self.lr + 0.0 * t

    def _args(self):
        return {"lr": self.lr}
