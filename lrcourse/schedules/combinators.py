"""Building new schedules from old ones: one after another, or from any function.

- :class:`Sequence` / :func:`join`: optax's ``join_schedules``;
- :class:`LambdaSchedule`: any function of the step (torch ``LambdaLR``, a Keras
  ``LearningRateSchedule`` subclass or ``LearningRateScheduler`` callback).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .base import Schedule, arg, flag, increasing
from .constant import as_schedule


def schedule_list(name, schedules) -> list:
    if isinstance(schedules, (Schedule, str, bytes)) or not hasattr(schedules, "__iter__"):
        raise TypeError(f"{name} must be a list of schedules, got {schedules!r}")
    return [as_schedule(f"{name}[{i}]", s) for i, s in enumerate(schedules)]


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

    schedules: list = arg(schedule_list)
    boundaries: list = arg(increasing)

    def __post_init__(self):
        super().__post_init__()
        if len(self.boundaries) != len(self.schedules) - 1:
            raise ValueError(
                f"boundaries must have one entry fewer than schedules "
                f"({len(self.schedules) - 1}), got {len(self.boundaries)}"
            )

    def formula(self, xp, t):
        out = self.schedules[0].formula(xp, t)
        for b, schedule in zip(self.boundaries, self.schedules[1:], strict=True):
            out = xp.where(t >= b, schedule.formula(xp, xp.maximum(t - b, 0.0)), out)
        return out

    def _plot_end(self):
        return self.boundaries[-1] + self.schedules[-1].horizon - 1


def join(schedules, boundaries) -> Sequence:
    """``Sequence(schedules, boundaries)``: optax's ``join_schedules``."""
    return Sequence(schedules, boundaries)


def function(name, fn) -> Callable:
    if not callable(fn):
        raise TypeError(f"{name} must be callable, got {type(fn).__name__}")
    return fn


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

    What ``fn`` returns is checked: a negative, NaN or infinite learning rate is an error
    naming the step, and a function that works on one number but not on an array is told
    to pass ``vectorized=False``.

    Twins: torch ``LambdaLR`` (which calls ``fn`` with an int per step, checked as above);
    the generic Keras schedule, which calls ``fn`` with a float32 tensor: that works for
    arithmetic and ``keras.ops`` functions (like the first example), not for NumPy-only
    code. For such a function, use ``to_keras_callback()`` (per epoch, plain numbers)
    instead. A model compiled with the Keras twin saves and loads back, ``fn`` saved as
    Keras saves functions: a lambda loads with ``load_model(..., safe_mode=False)``, a
    named function with ``custom_objects={"name": fn}`` (or registered with
    ``keras.saving.register_keras_serializable``).
    """

    fn: Callable = arg(function)
    vectorized: bool = arg(flag, True)

    def formula(self, xp, t):
        if xp is not np:
            return self.fn(t)
        return self._checked(self._numpy_values(t), t)

    def _numpy_values(self, t):
        if not self.vectorized:
            return np.vectorize(self.fn, otypes=[np.float64])(t)
        try:
            return self.fn(t)
        except (TypeError, ValueError) as error:
            if t.ndim == 0 or not _works_on_one_step(self.fn, t):
                raise
            raise type(error)(
                f"LambdaSchedule: fn fails on an array of steps ({error}) but works on one "
                "step: it is written for one number at a time (an `if`, math.floor, ...). "
                "Pass vectorized=False, or write it with array operations (np.where, "
                "np.floor)."
            ) from error

    def _checked(self, values, t):
        values = np.broadcast_to(np.asarray(values, dtype=np.float64), t.shape)
        bad = ~(np.isfinite(values) & (values >= 0))
        if np.any(bad):
            i = int(np.argmax(bad.ravel()))
            raise ValueError(
                f"LambdaSchedule: fn returned {float(values.flat[i])!r} at step "
                f"{float(t.flat[i]):g}; a learning rate must be a finite number >= 0"
            )
        return values


def _works_on_one_step(fn, t) -> bool:
    try:
        fn(float(t.flat[0]))
    except Exception:  # noqa: BLE001 - any failure: the array was not the problem
        return False
    return True
