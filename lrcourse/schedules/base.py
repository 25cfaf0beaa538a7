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

A schedule class is a frozen dataclass (every subclass of :class:`Schedule` is made one)
whose fields are its arguments (each declared with
:func:`arg` and the check that validates it), plus

- ``formula(self, xp, t)``: the learning rate at steps ``t``, written ONCE against an array
  namespace ``xp``: ``numpy`` (float64, for ``schedule(step)``) or ``keras.ops`` (float32,
  for the generic Keras twin). Only operations present in both are used: floor, ceil,
  power, exp, expm1, log, log1p, cos, sin, tanh, sqrt, minimum, maximum, where, abs, and
  arithmetic. Branches are ``xp.where`` (both sides are evaluated, so formulas keep their
  denominators non-zero on the side not taken). The annealing shapes shared by several
  schedules live in :mod:`lrcourse.schedules.annealing`, in forms float32 computes well;
- ``keras_twin``: the native Keras class computing the same numbers, with the map from
  our field names to its argument names (:class:`KerasTwin`), or None;
- ``torch_twin``: the native torch scheduler computing the same numbers
  (:class:`TorchTwin`, or a tuple of them, the first that applies wins), or None;
- ``_plot_end()``: the last step worth plotting.

From these the base class derives ``repr``, equality, ``get_config`` / ``from_config``, the
twins' arguments and the plot ``horizon``. A schedule without a native twin gets
``LambdaLR`` (torch) or the generic keras.ops subclass below (Keras). torch and keras are
imported inside ``to_torch`` / ``to_keras`` only, so ``import lrcourse.schedules`` stays
light.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
from collections.abc import Callable, Mapping
from typing import ClassVar

import numpy as np

from .. import plots, validation
from ..frameworks import import_keras

_CLASSES: dict[str, type] = {}  # every schedule class by name, for from_config


# -- declaring a schedule's arguments --------------------------------------------------------
def arg(check: Callable | None = None, default=dataclasses.MISSING):
    """A schedule argument: a dataclass field that ``check(name, value)`` validates (and
    normalises, e.g. 10.0 -> 10) when the schedule is built."""
    return dataclasses.field(default=default, metadata={"check": check})


def step_count(name: str, value, *, low: float = 0.0, low_open: bool = True):
    """A number of steps (> 0 by default): an int when it is integral, else a float."""
    value = validation.check_number(name, value, low=low, low_open=low_open)
    return int(value) if value.is_integer() else value


step_count_or_zero = functools.partial(step_count, low_open=False)
nonnegative = validation.check_nonnegative
positive = validation.check_positive
fraction = functools.partial(validation.check_number, low=0.0, high=1.0)


def flag(name: str, value) -> bool:
    return bool(value)


def optional(check: Callable) -> Callable:
    """``check``, letting None through."""
    return lambda name, value: None if value is None else check(name, value)


def choice(*options: str) -> Callable:
    return lambda name, value: validation.check_choice(name, value, options)


def increasing(name: str, values, *, low: float = 0.0) -> list:
    """A non-empty list of step numbers > ``low``, strictly increasing (ints where integral)."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{name} must be a list of numbers, got {type(values).__name__}")
    values = [step_count(f"{name}[{i}]", v, low=low) for i, v in enumerate(values)]
    if not values:
        raise ValueError(f"{name} must not be empty")
    if any(b <= a for a, b in itertools.pairwise(values)):
        raise ValueError(f"{name} must be strictly increasing, got {values}")
    return values


def is_integral(*values) -> bool:
    return all(float(v).is_integer() for v in values)


# -- the framework twins, as records ------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class KerasTwin:
    """A native ``keras.optimizers.schedules`` class that computes a schedule.

    It receives every field of the schedule, under the name ``rename`` gives it (a field
    not in ``rename`` keeps its name), plus ``fixed``. A field renamed to None is one the
    Keras class lacks: the twin applies only while that field holds its default.
    """

    name: str
    rename: Mapping[str, str | None] = dataclasses.field(default_factory=dict)
    fixed: Mapping[str, object] = dataclasses.field(default_factory=dict)

    def applies(self, schedule) -> bool:
        lacking = [f for f in dataclasses.fields(schedule) if self.rename.get(f.name, "") is None]
        return all(getattr(schedule, f.name) == f.default for f in lacking)

    def arguments(self, schedule) -> dict:
        args = {self.rename.get(n, n): v for n, v in fields_of(schedule).items()}
        args.pop(None, None)
        return {**args, **self.fixed}


@dataclasses.dataclass(frozen=True)
class TorchTwin:
    """A native ``torch.optim.lr_scheduler`` class that computes a schedule.

    ``arguments(schedule)`` gives its keyword arguments; the param groups' lr starts at the
    schedule's attribute ``start_lr``; ``when(schedule)`` says for which argument values
    its arithmetic is ours (default: always).
    """

    name: str
    arguments: Callable[..., dict]
    start_lr: str = "initial_lr"
    when: Callable | None = None


def fields_of(schedule) -> dict:
    """The schedule's arguments by name, in order."""
    return {f.name: getattr(schedule, f.name) for f in dataclasses.fields(schedule)}


# -- the base class ------------------------------------------------------------------------------
class Schedule:
    """Base class of every schedule: see the module docstring for what a subclass writes."""

    keras_twin: ClassVar[KerasTwin | None] = None
    torch_twin: ClassVar[TorchTwin | tuple[TorchTwin, ...] | None] = None

    def __init_subclass__(cls, **kwargs):
        """Every subclass is a frozen dataclass (its repr, equality and hash are ours)."""
        super().__init_subclass__(**kwargs)
        dataclasses.dataclass(frozen=True, repr=False, eq=False)(cls)
        _CLASSES.setdefault(cls.__name__, cls)

    def __post_init__(self):
        for f in dataclasses.fields(self):
            check = f.metadata.get("check")
            if check is not None:
                object.__setattr__(self, f.name, check(f.name, getattr(self, f.name)))

    # -- evaluation ---------------------------------------------------------------------
    def __call__(self, step):
        """The learning rate for update ``step`` (a number or an array of steps >= 0).

        Returns float64 of the same shape as ``step``; a Python float for a scalar.
        """
        t = validation.check_steps(step)
        out = np.asarray(self.formula(np, t), dtype=np.float64)
        out = np.array(np.broadcast_to(out, t.shape))
        return float(out) if out.ndim == 0 else out

    def formula(self, xp, t):  # pragma: no cover - abstract
        raise NotImplementedError

    # -- derived from the fields ------------------------------------------------------------
    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in fields_of(self).items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other):
        return type(self) is type(other) and fields_of(self) == fields_of(other)

    def __hash__(self):
        return hash(repr(self))

    def get_config(self) -> dict:
        """``{"class_name": ..., "config": {argument: value}}``; nested schedules nest."""
        return {"class_name": type(self).__name__, "config": _encode(fields_of(self))}

    @staticmethod
    def from_config(config: dict, decode_other: Callable | None = None) -> Schedule:
        """Rebuild a schedule from :meth:`get_config`'s output."""
        return _decode(config, decode_other)

    @property
    def horizon(self) -> int:
        """How many steps ``plot()`` (and the schedule explorer) show: steps 0 ... horizon - 1."""
        return round(self._plot_end()) + 1

    def _plot_end(self) -> float:
        return 100

    # -- framework twins ------------------------------------------------------------------
    def _native_torch(self) -> TorchTwin | None:
        twins = self.torch_twin if isinstance(self.torch_twin, tuple) else (self.torch_twin,)
        return next((t for t in twins if t and (t.when is None or t.when(self))), None)

    def _native_keras(self) -> tuple[str, dict] | None:
        """The native Keras class's name and arguments, or None (then the generic twin)."""
        twin = self.keras_twin
        if twin is None or not twin.applies(self):
            return None
        return twin.name, twin.arguments(self)

    def to_torch(self, optimizer):
        """A ``torch.optim.lr_scheduler`` scheduler driving ``optimizer`` with this schedule.

        Overwrites the learning rate of every param group (and drops a stale
        ``'initial_lr'`` left by an earlier scheduler): with a native class the group lr is
        set to the schedule's starting lr first; with ``LambdaLR`` it is set to 1.0, so that
        ``lr = 1.0 * schedule(k)`` exactly. Call ``scheduler.step()`` once per update, after
        ``optimizer.step()``.
        """
        from torch.optim import lr_scheduler

        native = self._native_torch()
        for group in optimizer.param_groups:
            group.pop("initial_lr", None)
            group["lr"] = 1.0 if native is None else getattr(self, native.start_lr)
        if native is None:

            def lr_lambda(k):  # a plain function: LambdaLR's state_dict then skips it
                return self(k)

            return lr_scheduler.LambdaLR(optimizer, lr_lambda)
        return getattr(lr_scheduler, native.name)(optimizer, **native.arguments(self))

    def to_keras(self):
        """A ``keras.optimizers.schedules.LearningRateSchedule`` computing this schedule.

        Pass it as ``learning_rate=`` to any Keras optimizer. Keras evaluates schedules in
        float32: expect agreement to about 1e-6 relative, worse where a formula cancels
        (the tail of a cosine near 0).
        """
        native = self._native_keras()
        if native is None:
            return keras_twin_class()(self)
        name, kwargs = native
        return getattr(import_keras().optimizers.schedules, name)(**kwargs)

    def to_keras_callback(self, verbose=0):
        """An epoch-indexed Keras twin: ``keras.callbacks.LearningRateScheduler``.

        Keras calls it at the start of every epoch with the 0-based epoch number, and sets
        the optimizer's lr to ``schedule(epoch)``.
        """
        keras = import_keras()
        return keras.callbacks.LearningRateScheduler(lambda epoch, lr: self(epoch), verbose=verbose)

    # -- display ----------------------------------------------------------------------------
    def plot(self, steps=None, ax=None, log=False, *, label=None, xlabel="step"):
        """Draw the schedule (default: over ``range(self.horizon)``); return the Axes."""
        steps = np.arange(self.horizon) if steps is None else np.asarray(steps)
        label = label or type(self).__name__
        return plots.plot_lr_curve(steps, self(steps), ax=ax, label=label, log=log, xlabel=xlabel)


def _encode(value):
    if isinstance(value, Schedule):
        return value.get_config()
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


def _decode(value, decode_other=None):
    """Undo :func:`_encode`; ``decode_other`` rebuilds ``{"class_name": ...}`` dicts that
    are not schedules (Keras' serialised functions)."""
    if isinstance(value, dict):
        if "class_name" in value and "config" in value:
            cls = _CLASSES.get(value["class_name"])
            if cls is not None and set(value) == {"class_name", "config"}:
                return cls(**_decode(value["config"], decode_other))
            if decode_other is None:
                raise ValueError(f"not a schedule's config: {value!r}")
            return decode_other(value)
        return {k: _decode(v, decode_other) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v, decode_other) for v in value]
    return value


# -- the generic Keras twin (one class for every schedule without a native one) -----------
@functools.cache
def keras_twin_class():
    """The ``LearningRateSchedule`` subclass that evaluates ``formula(keras.ops, t)``.

    Defined on first use (it needs keras). The step is cast to float32 and the same
    formula as the NumPy one runs on ``keras.ops``, so it traces inside ``model.fit``.
    Functions inside a schedule (``LambdaSchedule``'s ``fn``) are saved the way Keras
    saves functions: a lambda reloads only with ``safe_mode=False``, a named function
    reloads when it is importable or passed in ``custom_objects``.
    """
    keras = import_keras()

    @keras.saving.register_keras_serializable(package="lrcourse", name="Schedule")
    class KerasSchedule(keras.optimizers.schedules.LearningRateSchedule):
        """A ``lrcourse.schedules`` schedule evaluated with keras.ops in float32."""

        def __init__(self, schedule):
            super().__init__()
            if isinstance(schedule, dict):
                schedule = Schedule.from_config(schedule, keras.saving.deserialize_keras_object)
            self.schedule = schedule

        def __call__(self, step):
            t = keras.ops.cast(step, "float32")
            return keras.ops.cast(self.schedule.formula(keras.ops, t), "float32")

        def get_config(self):
            config = self.schedule.get_config()
            return {"schedule": _serialise_functions(config, keras.saving.serialize_keras_object)}

        def __repr__(self):
            return f"KerasSchedule({self.schedule!r})"

    return KerasSchedule


def _serialise_functions(value, serialise):
    if callable(value):
        return serialise(value)
    if isinstance(value, dict):
        return {k: _serialise_functions(v, serialise) for k, v in value.items()}
    if isinstance(value, list):
        return [_serialise_functions(v, serialise) for v in value]
    return value


def keras_boundary(b) -> int:
    """Keras' PiecewiseConstantDecay switches when ``step > boundary``, ours when
    ``step >= b``: at integer steps (all Keras ever passes) that is boundary ``ceil(b) - 1``."""
    return math.ceil(b) - 1
