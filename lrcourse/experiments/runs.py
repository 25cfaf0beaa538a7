"""Named run configurations: the reference article's eight runs, done properly, and more.

The article (a Keras-2 CNN on CIFAR-10, 100 epochs, batch 64) compared SGD at lr 0.1 under
four schedules with four adaptive optimizers at their defaults. It used 2 classes, the
test set as validation data, a different momentum in each schedule run and one seed. Here:
all 10 classes, a validation split held out of the training set (the test set is only
evaluated at the end), one momentum (``SGD_MOMENTUM``, the article's time-based value)
for every SGD run, and several seeds.

Schedules are step-indexed (update ``k`` uses ``schedule(k)``) and written relative to the
run's length, so a scaled-down run keeps the shape of the 100-epoch one:

========================  ====================================================================
run                       optimizer and learning rate
========================  ====================================================================
constant                  SGD 0.1, constant
time_based                SGD 0.1, ``lr0 / (1 + decay * k)`` per update, decay = lr0 / epochs
                          (Keras 2's ``decay`` argument, as the article set it)
step_decay                SGD 0.1, halved every tenth of the run (every 10 of 100 epochs)
exp_decay                 SGD 0.1, ``lr0 * exp(-k_e * epoch)`` at epoch starts; k_e = 0.1 for
                          100 epochs (scaled so the run ends at the same lr)
adagrad                   Adagrad lr 0.01 (Keras 2's default)
adadelta                  Adadelta lr 1.0, rho 0.95 (Keras 2's defaults)
rmsprop                   RMSprop lr 0.001, rho 0.9 (Keras 2's defaults)
adam                      Adam lr 0.001, betas (0.9, 0.999) (the defaults)
cosine                    SGD, cosine from 0.1 to 0 over the run
cyclic                    SGD, triangular CLR between 0.01 and 0.1, 4 cycles per run
one_cycle                 SGD, 1-cycle with peak 0.1 at 30% of the run
warmup_cosine             SGD, linear warm-up from 0.001 over 10% of the run, then cosine
lr_finder                 SGD, constant at the LR finder's "valley" suggestion (per seed, on the
                          training set with the run's own initial weights)
========================  ====================================================================
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

SGD_MOMENTUM = 0.8  # the article's time-based run; the same for every SGD run here
SGD_LR = 0.1
ARTICLE_EPOCHS = 100
ARTICLE_BATCH_SIZE = 64


@dataclass(frozen=True)
class RunLength:
    """How long a run is: what schedules are scaled to."""

    epochs: int
    steps_per_epoch: int

    @property
    def total_steps(self) -> int:
        return self.epochs * self.steps_per_epoch


@dataclass(frozen=True)
class RunSpec:
    """One named configuration: ``optimizer()`` and ``schedule(length)`` build fresh objects."""

    name: str
    title: str
    group: str  # "reference" (the article's eight) or "extra"
    optimizer: Callable
    schedule: Callable = lambda length: None  # noqa: E731 - the optimizer's own lr
    lr_from_finder: bool = False


def _sgd():
    from ..optim import SGD

    return SGD(lr=SGD_LR, momentum=SGD_MOMENTUM)


def _optimizer(name: str, **kwargs) -> Callable:
    def make():
        from .. import optim

        return getattr(optim, name)(**kwargs)

    return make


def _time_based(length: RunLength):
    from ..schedules import InverseTimeDecay

    return InverseTimeDecay.from_keras2_decay(SGD_LR, decay=SGD_LR / length.epochs)


def _step_decay(length: RunLength):
    from ..schedules import StepDecay

    epochs_drop = max(1, round(length.epochs / 10))
    return StepDecay(SGD_LR, step_size=epochs_drop * length.steps_per_epoch, gamma=0.5)


def _exp_decay(length: RunLength):
    from ..schedules import ExponentialDecay

    k = 0.1 * ARTICLE_EPOCHS / length.epochs  # per epoch
    return ExponentialDecay(SGD_LR, length.steps_per_epoch, math.exp(-k), staircase=True)


def _cosine(length: RunLength):
    from ..schedules import CosineDecay

    return CosineDecay(SGD_LR, decay_steps=length.total_steps)


def _cyclic(length: RunLength):
    from ..schedules import CyclicLR

    half = max(1, length.total_steps // 8)  # 4 cycles
    return CyclicLR(SGD_LR / 10, SGD_LR, step_size_up=half)


def _one_cycle(length: RunLength):
    from ..schedules import OneCycle

    return OneCycle(SGD_LR, total_steps=max(2, length.total_steps))


def _warmup_cosine(length: RunLength):
    from ..schedules import CosineDecay, LinearWarmup

    warmup = max(1, round(0.1 * length.total_steps))
    cosine = CosineDecay(SGD_LR, decay_steps=max(1, length.total_steps - warmup))
    return LinearWarmup(cosine, warmup_steps=warmup, start_lr=SGD_LR / 100)


RUNS: dict[str, RunSpec] = {
    r.name: r
    for r in (
        RunSpec("constant", "SGD, constant lr 0.1", "reference", _sgd),
        RunSpec("time_based", "SGD, time-based decay", "reference", _sgd, _time_based),
        RunSpec("step_decay", "SGD, step decay (halve)", "reference", _sgd, _step_decay),
        RunSpec("exp_decay", "SGD, exponential decay", "reference", _sgd, _exp_decay),
        RunSpec("adagrad", "Adagrad (defaults)", "reference", _optimizer("Adagrad", lr=0.01)),
        RunSpec(
            "adadelta",
            "Adadelta (defaults)",
            "reference",
            _optimizer("Adadelta", lr=1.0, rho=0.95),
        ),
        RunSpec(
            "rmsprop", "RMSprop (defaults)", "reference", _optimizer("RMSprop", lr=1e-3, alpha=0.9)
        ),
        RunSpec("adam", "Adam (defaults)", "reference", _optimizer("Adam", lr=1e-3)),
        RunSpec("cosine", "SGD, cosine decay", "extra", _sgd, _cosine),
        RunSpec("cyclic", "SGD, cyclical (triangular)", "extra", _sgd, _cyclic),
        RunSpec("one_cycle", "SGD, 1-cycle", "extra", _sgd, _one_cycle),
        RunSpec("warmup_cosine", "SGD, warm-up + cosine", "extra", _sgd, _warmup_cosine),
        RunSpec("lr_finder", "SGD, lr from the LR finder", "extra", _sgd, lr_from_finder=True),
    )
}

GROUPS = {
    "reference": tuple(n for n, r in RUNS.items() if r.group == "reference"),
    "extra": tuple(n for n, r in RUNS.items() if r.group == "extra"),
    "all": tuple(RUNS),
}


def select_runs(names) -> list[RunSpec]:
    """Runs by name or group ("reference", "extra", "all"), in order, without repeats."""
    if isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
    chosen: list[str] = []
    for name in names:
        if name in GROUPS:
            chosen += [n for n in GROUPS[name] if n not in chosen]
        elif name in RUNS:
            if name not in chosen:
                chosen.append(name)
        else:
            known = ", ".join([*GROUPS, *RUNS])
            raise ValueError(f"unknown run {name!r}; choose from {known}")
    if not chosen:
        raise ValueError("runs is empty: name at least one run or group")
    return [RUNS[n] for n in chosen]
