"""The documented learning-rate settings of known architectures (syllabus section 6), as
data that builds each recipe's optimizer and schedule.

``RECIPES[name].build(steps_per_epoch, epochs)`` returns a ``BuiltRecipe``: a fresh
``lrcourse.optim`` optimizer, a step-indexed ``lrcourse.schedules`` schedule (epochs in
the papers are converted with ``steps_per_epoch``) or None, and, for the recipes that
reduce on a plateau, an ``lrcourse.callbacks.ReduceLROnPlateau`` to feed the validation
accuracy once per epoch. Each of them has ``.to_torch(...)`` / ``.to_keras()`` twins.

Notes on reading the papers: "decay 0.9" of RMSprop is its ``alpha`` (Keras ``rho``); the
Inception-v3 paper (and the TF-slim training scripts that MobileNet used) set RMSprop's
epsilon to 1.0; the Transformer's "base 0.001" is taken as the peak of the warm-up;
BERT's linear decay reaches 0 at the end of the run (``epochs * steps_per_epoch``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .. import validation


@dataclass(frozen=True)
class BuiltRecipe:
    optimizer: object
    schedule: object | None
    plateau: object | None
    monitor: str = "val_accuracy"


@dataclass(frozen=True)
class Recipe:
    """One row of the syllabus table, and how to build it."""

    model: str
    optimizer_name: str  # a class of lrcourse.optim
    optimizer_kwargs: dict
    initial_lr: float
    schedule_text: str
    make_schedule: Callable  # (initial_lr, steps_per_epoch, epochs) -> schedule or None
    plateau_kwargs: dict | None = None  # ReduceLROnPlateau(**kwargs) on val accuracy
    note: str = ""
    optimizer_text: str = field(default="")

    def build(self, steps_per_epoch: int, epochs: int = 100) -> BuiltRecipe:
        """The optimizer, schedule and plateau rule for a run of ``epochs`` epochs of
        ``steps_per_epoch`` updates."""
        steps_per_epoch = validation.check_int("steps_per_epoch", steps_per_epoch, low=1)
        epochs = validation.check_int("epochs", epochs, low=1)
        from .. import optim

        optimizer = getattr(optim, self.optimizer_name)(lr=self.initial_lr, **self.optimizer_kwargs)
        schedule = self.make_schedule(self.initial_lr, steps_per_epoch, epochs)
        plateau = None
        if self.plateau_kwargs is not None:
            from ..callbacks import ReduceLROnPlateau

            plateau = ReduceLROnPlateau(**self.plateau_kwargs)
        return BuiltRecipe(optimizer, schedule, plateau)


def _no_schedule(lr, spe, epochs):
    return None


def _divide_by_10_at(*epochs_at):
    def make(lr, spe, epochs):
        from ..schedules import MultiStepDecay

        return MultiStepDecay(lr, [e * spe for e in epochs_at], gamma=0.1)

    return make


def _exponential(rate, every_epochs):
    def make(lr, spe, epochs):
        from ..schedules import ExponentialDecay

        return ExponentialDecay(lr, every_epochs * spe, rate, staircase=True)

    return make


def _inverse_sqrt(lr, spe, epochs):
    from ..schedules import InverseSqrt

    return InverseSqrt(lr, warmup_steps=4000)


def _bert(lr, spe, epochs):
    from ..schedules import WarmupLinearDecay

    total = epochs * spe
    if total <= 10_000:
        raise ValueError(
            f"BERT's recipe warms up for 10,000 steps: epochs * steps_per_epoch must be larger, "
            f"got {epochs} * {spe} = {total}"
        )
    return WarmupLinearDecay(lr, warmup_steps=10_000, total_steps=total)


_SGD_M9 = {"momentum": 0.9}
_RMSPROP = {"alpha": 0.9, "momentum": 0.9, "eps": 1.0}
_PLATEAU = {"mode": "max", "factor": 0.1, "patience": 5}

RECIPES: dict[str, Recipe] = {
    "alexnet": Recipe(
        "AlexNet", "SGD", _SGD_M9, 0.01,
        "/10 on plateau of val accuracy (or every 30 epochs)", _no_schedule, _PLATEAU,
        "plateau rule: ReduceLROnPlateau(mode='max', factor=0.1, patience=5) on val accuracy",
        "SGD, momentum 0.9",
    ),
    "vgg": Recipe(
        "VGG16/19", "SGD", _SGD_M9, 0.01, "same as AlexNet", _no_schedule, _PLATEAU,
        "as AlexNet", "SGD, momentum 0.9",
    ),
    "resnet": Recipe(
        "ResNet-50/101/152", "SGD", _SGD_M9, 0.1, "/10 at epochs 30, 60, 90",
        _divide_by_10_at(30, 60, 90), optimizer_text="SGD, momentum 0.9",
    ),
    "inception_v3": Recipe(
        "Inception-v3", "RMSprop", _RMSPROP, 0.045, "x0.94 every 2 epochs",
        _exponential(0.94, 2), note="RMSprop epsilon 1.0 (the paper)",
        optimizer_text="RMSprop, decay 0.9, momentum 0.9",
    ),
    "densenet": Recipe(
        "DenseNet-121/169/201", "SGD", _SGD_M9, 0.1, "/10 at 30, 60, 90",
        _divide_by_10_at(30, 60, 90), optimizer_text="SGD, momentum 0.9",
    ),
    "mobilenet": Recipe(
        "MobileNet", "RMSprop", _RMSPROP, 0.045, "x0.98 every epoch", _exponential(0.98, 1),
        note="RMSprop epsilon 1.0 (TF-slim, as Inception-v3)",
        optimizer_text="RMSprop, decay 0.9, momentum 0.9",
    ),
    "transformer": Recipe(
        "Transformer", "Adam", {"betas": (0.9, 0.98), "eps": 1e-9}, 0.001,
        "4000 warm-up steps, inverse sqrt", _inverse_sqrt,
        note="peak lr 0.001 at the end of the warm-up",
        optimizer_text="Adam (0.9, 0.98, 1e-9)",
    ),
    "bert": Recipe(
        "BERT", "Adam", {"betas": (0.9, 0.999), "eps": 1e-6}, 5e-5,
        "10,000 warm-up steps, linear to 0", _bert,
        note="linear decay to 0 at the last step of the run",
        optimizer_text="Adam (0.9, 0.999, 1e-6)",
    ),
}  # fmt: skip


def get_recipe(name: str) -> Recipe:
    if name not in RECIPES:
        raise ValueError(f"unknown recipe {name!r}; choose from {', '.join(RECIPES)}")
    return RECIPES[name]


def format_recipes() -> str:
    """The section-6 table as aligned text."""
    header = ("recipe", "model", "optimizer", "initial LR", "schedule")
    rows = [
        (key, r.model, r.optimizer_text, f"{r.initial_lr:g}", r.schedule_text)
        for key, r in RECIPES.items()
    ]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(f"{cell:<{w}}" for cell, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(f"{c:<{w}}" for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)
