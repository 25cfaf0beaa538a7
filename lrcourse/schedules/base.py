"""The mechanism every schedule shares; the formulas themselves live one per class.

A schedule here is a small object in the spirit of optax: a pure function of the step,

    lr = schedule(step)

where ``step`` is the number of optimizer updates already done (0-based): update ``k`` uses
``schedule(k)``. That is exactly what both frameworks do:

- PyTorch: a ``torch.optim.lr_scheduler`` sets ``lr = f(0)`` when it is constructed and
  ``lr = f(k)`` after ``k`` calls to ``scheduler.step()`` (one per update, called after
  ``optimizer.step()``);
- Keras: an optimizer evaluates its ``LearningRateSchedule`` at ``optimizer.iterations``
  before incrementing it, so update ``k`` uses ``schedule(k)`` too.

Epoch-indexed use is the same function fed the epoch number (0-based, as Keras'
``LearningRateScheduler`` callback and a torch scheduler stepped once per epoch do).

Each subclass writes its formula ONCE, as ``_formula(self, xp, t)`` against an array
namespace ``xp``: ``numpy`` (float64, for ``schedule(step)``) or ``keras.ops`` (float32,
for the generic Keras twin). Only operations present in both are used: floor, ceil,
power, exp, log, cos, sqrt, minimum, maximum, where, abs, mod, and arithmetic. Branches
are ``xp.where`` (both sides are evaluated, so formulas keep their denominators non-zero
on the side not taken).

Twins: ``to_torch(optimizer)`` returns a ``torch.optim.lr_scheduler`` scheduler and
``to_keras()`` a ``keras.optimizers.schedules.LearningRateSchedule``; each uses the
framework's native class where its arithmetic matches ours (subclasses say so in
``_torch_native`` / ``_keras_native``), otherwise ``LambdaLR`` / the generic keras.ops
subclass below. torch and keras are imported inside those methods only, so
``import lrcourse.schedules`` stays light.
"""

from __future__ import annotations

import itertools
import math
import numbers

import numpy as np

from .. import plots, validation
from ..frameworks import import_keras


class Schedule:
    """Base class: subclasses store their arguments, write ``_formula`` and ``_args``.

    Hooks for subclasses:
        _formula(xp, t): the learning rate at steps ``t`` (an array of xp's float type).
        _args(): the constructor arguments, by name (used by repr and get_config).
        _torch_native(): ``(class_name, kwargs, group_lr)`` for a native torch scheduler
            whose arithmetic matches ours at every step, or None (then ``LambdaLR``).
        _keras_native(): ``(class_name, kwargs)`` for a native Keras schedule, or None
            (then the generic keras.ops subclass).
        _horizon(): how many steps ``plot()`` shows by default.
    """

    # -- evaluation ---------------------------------------------------------------------
    def __call__(self, step):
        """The learning rate for update ``step`` (a number or an array of steps >= 0).

        Returns float64 of the same shape as ``step``; a Python float for a scalar.
        """
        t = validation.check_steps(step)
        out = np.asarray(self._formula(np, t), dtype=np.float64)
        out = np.array(np.broadcast_to(out, t.shape))
        return float(out) if out.ndim == 0 else out

    def _formula(self, xp, t):  # pragma: no cover - abstract
        raise NotImplementedError

    # -- framework twins ------------------------------------------------------------------
    def to_torch(self, optimizer):
        """A ``torch.optim.lr_scheduler`` scheduler driving ``optimizer`` with this schedule.

        Overwrites the learning rate of every param group (and drops a stale
        ``'initial_lr'`` left by an earlier scheduler): with a native class the group lr is
        set to the schedule's starting lr first; with ``LambdaLR`` it is set to 1.0, so that
        ``lr = 1.0 * schedule(k)`` exactly. Call ``scheduler.step()`` once per update, after
        ``optimizer.step()``.
        """
        from torch.optim import lr_scheduler

        native = self._torch_native()
        for group in optimizer.param_groups:
            group.pop("initial_lr", None)
            group["lr"] = 1.0 if native is None else native[2]
        if native is None:

            def lr_lambda(k):  # a plain function: LambdaLR's state_dict then skips it
                return self(k)

            return lr_scheduler.LambdaLR(optimizer, lr_lambda)
        name, kwargs, _ = native
        return getattr(lr_scheduler, name)(optimizer, **kwargs)

    def to_keras(self):
        """A ``keras.optimizers.schedules.LearningRateSchedule`` computing this schedule.

        Pass it as ``learning_rate=`` to any Keras optimizer. Keras evaluates schedules in
        float32: expect agreement to about 1e-6 relative, worse where a formula cancels
        (the tail of a cosine near 0).
        """
        native = self._keras_native()
        if native is None:
            return keras_twin_class()(self)
        keras = import_keras()

        name, kwargs = native
        return getattr(keras.optimizers.schedules, name)(**kwargs)

    def to_keras_callback(self, verbose=0):
        """An epoch-indexed Keras twin: ``keras.callbacks.LearningRateScheduler``.

        Keras calls it at the start of every epoch with the 0-based epoch number, and sets
        the optimizer's lr to ``schedule(epoch)``.
        """
        keras = import_keras()

        return keras.callbacks.LearningRateScheduler(lambda epoch, lr: self(epoch), verbose=verbose)

    def _torch_native(self):
        return None

    def _keras_native(self):
        return None

    # -- display ----------------------------------------------------------------------------
    def plot(self, steps=None, ax=None, log=False, *, label=None, xlabel="step"):
        """Draw the schedule (default: over ``range(self._horizon() + 1)``); return the Axes."""
        steps = np.arange(self._horizon() + 1) if steps is None else np.asarray(steps)
        return plots.plot_lr_curve(
            steps,
            self(steps),
            ax=ax,
            label=label or type(self).__name__,
            log=log,
            xlabel=xlabel,
        )

    def _horizon(self) -> int:
        return 100

    def _args(self) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._args().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other):
        return type(self) is type(other) and self._args() == other._args()

    def __hash__(self):
        return hash(repr(self))

    # -- configuration (what the Keras twin serialises) ----------------------------------
    def get_config(self) -> dict:
        """``{"class_name": ..., "config": {argument: value}}``; nested schedules nest."""
        return {"class_name": type(self).__name__, "config": _encode(self._args())}

    @staticmethod
    def from_config(config: dict) -> Schedule:
        """Rebuild a schedule from :meth:`get_config`'s output."""
        from .. import schedules

        cls = getattr(schedules, config["class_name"])
        return cls(**_decode(config["config"]))


def _encode(value):
    if isinstance(value, Schedule):
        return value.get_config()
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


def _decode(value):
    if isinstance(value, dict):
        if set(value) == {"class_name", "config"}:
            return Schedule.from_config(value)
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


# -- the generic Keras twin (one class for every schedule without a native one) -----------
_KERAS_TWIN = None


def keras_twin_class():
    """The ``LearningRateSchedule`` subclass that evaluates ``_formula(keras.ops, t)``.

    Defined on first use (it needs keras). The step is cast to float32 and the same
    formula as the NumPy one runs on ``keras.ops``, so it traces inside ``model.fit``.
    """
    global _KERAS_TWIN
    if _KERAS_TWIN is None:
        keras = import_keras()

        @keras.saving.register_keras_serializable(package="lrcourse", name="Schedule")
        class KerasSchedule(keras.optimizers.schedules.LearningRateSchedule):
            """A ``lrcourse.schedules`` schedule evaluated with keras.ops in float32."""

            def __init__(self, schedule):
                super().__init__()
                if isinstance(schedule, dict):
                    schedule = Schedule.from_config(schedule)
                self.schedule = schedule

            def __call__(self, step):
                t = keras.ops.cast(step, "float32")
                return keras.ops.cast(self.schedule._formula(keras.ops, t), "float32")

            def get_config(self):
                return {"schedule": self.schedule.get_config()}

            def __repr__(self):
                return f"KerasSchedule({self.schedule!r})"

        _KERAS_TWIN = KerasSchedule
    return _KERAS_TWIN


# -- argument checks shared by several schedules --------------------------------------------
def as_schedule(value, name: str) -> Schedule:
    """A schedule as given, or a number turned into ``Constant(number)``."""
    if isinstance(value, Schedule):
        return value
    from .constant import Constant

    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return Constant(validation.check_nonnegative(name, value))
    raise TypeError(f"{name} must be a schedule or a number, got {type(value).__name__}")


def check_count(name: str, value, *, low: float = 0.0, low_open: bool = True):
    """A number of steps (> 0 by default): an int when it is integral, else a float."""
    value = validation.check_number(name, value, low=low, low_open=low_open)
    return int(value) if value.is_integer() else value


def check_increasing(name: str, values, *, low: float = 0.0) -> list:
    """A non-empty list of step numbers > ``low``, strictly increasing (ints where integral)."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{name} must be a list of numbers, got {type(values).__name__}")
    values = [check_count(f"{name}[{i}]", v, low=low) for i, v in enumerate(values)]
    if not values:
        raise ValueError(f"{name} must not be empty")
    if any(b <= a for a, b in itertools.pairwise(values)):
        raise ValueError(f"{name} must be strictly increasing, got {values}")
    return values


def is_integral(*values) -> bool:
    return all(float(v).is_integer() for v in values)


def keras_boundary(b) -> int:
    """Keras' PiecewiseConstantDecay switches when ``step > boundary``, ours when
    ``step >= b``: at integer steps (all Keras ever passes) that is boundary ``ceil(b) - 1``."""
    return math.ceil(b) - 1
