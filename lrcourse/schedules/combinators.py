"""Building new schedules from old ones: one after another, or from any function.

- :class:`Sequence` / :func:`join`: optax's ``join_schedules``;
- :class:`LambdaSchedule`: any function of the step (torch ``LambdaLR``, a Keras
  ``LearningRateSchedule`` subclass or ``LearningRateScheduler`` callback).
"""

from __future__ import annotations

import numpy as np

from .base import Schedule, as_schedule, check_increasing


class Sequence(Schedule):
    """Schedules one after another (optax ``join_schedules`` semantics).

        lr(t) = schedules[0](t)                      for t < boundaries[0]
        lr(t) = schedules[i+1](t - boundaries[i])    for boundaries[i] <= t < boundaries[i+1]

    Each schedule restarts its own clock at its boundary (it sees step 0 there). Numbers
    are accepted as constant schedules. "Hold 0.1 for 10 epochs, then halve every 10":

    >>> s = join([0.1, StepDecay(0.05, step_size=10, gamma=0.5)], boundaries=[10])
    >>> s([0, 9, 10, 19, 20, 30])
    array([0.1   , 0.1   , 0.05  , 0.05  , 0.025 , 0.0125])

    Twins: torch ``LambdaLR`` (torch's ``SequentialLR`` restarts children the same way,
    but builds them on one shared optimizer whose lr they each overwrite at construction,
    an easy source of surprises); the generic Keras schedule.
    """

    def __init__(self, schedules, boundaries):
        if isinstance(schedules, (Schedule, str, bytes)) or not hasattr(schedules, "__iter__"):
            raise TypeError(f"schedules must be a list of schedules, got {schedules!r}")
        self.schedules = [as_schedule(s, f"schedules[{i}]") for i, s in enumerate(schedules)]
        self.boundaries = check_increasing("boundaries", boundaries)
        if len(self.boundaries) != len(self.schedules) - 1:
            raise ValueError(
                f"boundaries must have one entry fewer than schedules "
                f"({len(self.schedules) - 1}), got {len(self.boundaries)}"
            )

    def _formula(self, xp, t):
        out = self.schedules[0]._formula(xp, t)
        for b, schedule in zip(self.boundaries, self.schedules[1:], strict=True):
            out = xp.where(t >= b, schedule._formula(xp, xp.maximum(t - b, 0.0)), out)
        return out

    def _horizon(self):
        return round(self.boundaries[-1] + self.schedules[-1]._horizon())

    def _args(self):
        return {"schedules": self.schedules, "boundaries": self.boundaries}


def join(schedules, boundaries) -> Sequence:
    """``Sequence(schedules, boundaries)``: optax's ``join_schedules``."""
    return Sequence(schedules, boundaries)


class LambdaSchedule(Schedule):
    """Any function of the step: ``lr(t) = fn(t)``.

    ``fn`` receives a float64 NumPy array of steps and must return an array of the same
    shape (write it with array operations: ``np.where`` instead of ``if``). For a function
    written for one number at a time, pass ``vectorized=False`` and it is wrapped in
    ``np.vectorize`` (slower). Epoch-indexed use is the same: feed it epoch numbers.

    >>> s = LambdaSchedule(lambda t: 0.1 * 0.5 ** (t // 10))
    >>> s([0, 10, 25])
    array([0.1  , 0.05 , 0.025])
    >>> LambdaSchedule(lambda t: 0.1 if t < 10 else 0.01, vectorized=False)([5, 15])
    array([0.1 , 0.01])

    Twins: torch ``LambdaLR`` (which calls ``fn`` with an int per step); the generic Keras
    schedule, which calls ``fn`` with a float32 tensor: that works for arithmetic and
    ``keras.ops`` functions (like the first example), not for NumPy-only code. For such a
    function, use ``to_keras_callback()`` (per epoch, plain numbers) instead.
    """

    def __init__(self, fn, vectorized=True):
        if not callable(fn):
            raise TypeError(f"fn must be callable, got {type(fn).__name__}")
        self.fn = fn
        self.vectorized = bool(vectorized)
        self._np_fn = fn if self.vectorized else np.vectorize(fn, otypes=[np.float64])

    def _formula(self, xp, t):
        return (self._np_fn if xp is np else self.fn)(t)

    def _args(self):
        return {"fn": self.fn, "vectorized": self.vectorized}
