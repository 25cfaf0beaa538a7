"""What a training run needs, shared by the PyTorch and the Keras trainer.

The optimizer is an ``lrcourse.optim`` object (its ``.to_torch(params)`` / ``.to_keras()``
build the framework's optimizer) and the learning rate comes from ``schedule``:

- ``None``: the optimizer's own ``lr``, constant;
- a number: that constant learning rate;
- an ``lrcourse.schedules`` object: update ``k`` (counted from 0 over the whole run) uses
  ``schedule(k)`` -- set on the torch optimizer before every step, and given to Keras as
  ``schedule.to_keras()`` (evaluated at ``optimizer.iterations``: the same ``k``);
- a framework-native schedule: a callable ``make(torch_optimizer) -> torch LR scheduler``
  (stepped after every update) for the torch trainer, a
  ``keras.optimizers.schedules.LearningRateSchedule`` for the Keras trainer.

``cpu_threads`` (torch trainer only; TensorFlow fixes its thread pools when it starts):
small models on a CPU are dominated by per-operation overhead, and on a loaded machine
extra threads only spin; one thread is the robust choice there (figures in
benchmarks/RESULTS.md).

``plateau`` (``lrcourse.callbacks.ReduceLROnPlateau``) and ``early_stopping``
(``lrcourse.callbacks.EarlyStopping``) are fed the ``monitor`` metric once per epoch;
``stop_monitor`` gives early stopping a metric of its own (None: ``monitor``), e.g. the lr
follows val_loss while stopping watches val_accuracy. A plateau rule changes the learning
rate itself, so it needs a constant one.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, replace
from typing import Any

from .. import validation

MONITORS = ("val_loss", "val_accuracy")


@dataclass(frozen=True)
class TrainConfig:
    """Settings of one training run (validated on creation)."""

    optimizer: Any = None
    schedule: Any = None
    epochs: int = 10
    batch_size: int = 64
    seed: int = 0
    plateau: Any = None
    early_stopping: Any = None
    monitor: str = "val_loss"
    stop_monitor: str | None = None  # early stopping's metric (None: monitor)
    device: str | None = None  # None: the GPU when there is one, else the CPU
    mixed_precision: bool | None = None  # None: on for a GPU (bf16 where supported)
    progress: bool = True
    max_steps: int | None = None  # stop after this many updates (quick checks, benchmarks)
    eval_batch_size: int = 1024
    cpu_threads: int | None = None  # torch on a CPU: intra-op threads (None: torch's default)

    def __post_init__(self):
        validation.check_int("epochs", self.epochs, low=1)
        validation.check_int("batch_size", self.batch_size, low=1)
        validation.check_int("eval_batch_size", self.eval_batch_size, low=1)
        validation.check_int("seed", self.seed, low=0)
        validation.check_choice("monitor", self.monitor, MONITORS)
        if self.stop_monitor is not None:
            validation.check_choice("stop_monitor", self.stop_monitor, MONITORS)
        if self.max_steps is not None:
            validation.check_int("max_steps", self.max_steps, low=1)
        if self.cpu_threads is not None:
            validation.check_int("cpu_threads", self.cpu_threads, low=1)
        if self.optimizer is not None and not hasattr(self.optimizer, "to_torch"):
            raise TypeError(
                "optimizer must be an lrcourse.optim optimizer (e.g. optim.SGD(lr=0.1)), "
                f"got {type(self.optimizer).__name__}"
            )
        check_schedule(self.schedule)
        if self.plateau is not None and not is_constant(self.schedule):
            raise ValueError(
                "plateau (ReduceLROnPlateau) sets the learning rate itself: use it with a "
                "constant learning rate (schedule=None or a number), not "
                f"schedule={self.schedule!r}"
            )

        if self.plateau is not None:
            check_direction("plateau", self.plateau, self.monitor)
        if self.early_stopping is not None:
            check_direction("early_stopping", self.early_stopping, self.early_stopping_monitor)

    @property
    def early_stopping_monitor(self) -> str:
        """The metric early stopping watches: ``stop_monitor``, else ``monitor``."""
        return self.stop_monitor or self.monitor

    def with_(self, **changes) -> TrainConfig:
        """A copy with some fields changed."""
        return replace(self, **changes)

    def get_optimizer(self):
        """The optimizer template (default: SGD with lr 0.1, the article's baseline)."""
        if self.optimizer is not None:
            return self.optimizer
        from ..optim import SGD

        return SGD(lr=0.1)

    def base_lr(self) -> float:
        """The learning rate at step 0 (the constant one when ``is_constant(schedule)``)."""
        if is_number(self.schedule):
            return validation.check_nonnegative("schedule", self.schedule)
        if is_lrcourse_schedule(self.schedule):
            return float(self.schedule(0))
        return float(self.get_optimizer().lr)


def check_schedule(schedule) -> None:
    """TypeError unless ``schedule`` is one of the kinds listed in the module docstring.

    A string such as ``"cosine"`` is refused (Keras takes optimizer names as strings, but
    not schedule names): it would otherwise be taken for a constant by one trainer and
    refused by the other.
    """
    if schedule is None or is_number(schedule) or callable(schedule):
        return
    hint = ""
    if isinstance(schedule, str):
        hint = (
            "; schedules are objects, not names: e.g. schedule=lrcourse.schedules."
            "CosineDecay(0.1, decay_steps=1000) for a cosine decay"
        )
    raise TypeError(
        "schedule must be None, a number, an lrcourse.schedules object or a framework "
        f"scheduler (a torch scheduler factory or a Keras LearningRateSchedule), got "
        f"{type(schedule).__name__} {schedule!r}{hint}"
    )


def check_direction(name: str, rule, monitor: str) -> None:
    """ValueError when a plateau / early-stopping rule's explicit ``mode`` contradicts the
    monitored metric ("min" on an accuracy, "max" on a loss): a rule that takes every
    improvement for a setback is never what was meant. ``mode="auto"`` always fits."""
    from ..callbacks.improvement import resolve_mode

    mode = getattr(rule, "mode", "auto")
    expected = resolve_mode("auto", monitor)
    if mode != "auto" and mode != expected:
        raise ValueError(
            f"{name} has mode={mode!r} but monitor={monitor!r} should be "
            f"{'maximised' if expected == 'max' else 'minimised'}: use mode={expected!r} "
            "or mode='auto' (the default), which follows the monitored metric"
        )


def is_number(value) -> bool:
    """A real number that is not a bool (``True`` is no learning rate)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def is_constant(schedule) -> bool:
    """True for ``None``, a number, or an lrcourse ``Constant`` schedule."""
    return schedule is None or is_number(schedule) or type(schedule).__name__ == "Constant"


def is_lrcourse_schedule(schedule) -> bool:
    """An ``lrcourse.schedules`` object: ``schedule(step)`` plus its framework twins."""
    return callable(schedule) and hasattr(schedule, "to_keras") and hasattr(schedule, "to_torch")


def steps_per_epoch(n_examples: int, batch_size: int) -> int:
    """Updates per epoch (the last, smaller batch counts)."""
    return math.ceil(n_examples / batch_size)
