"""ReduceLROnPlateau and EarlyStopping together: two ways they get in each other's way.

Every cut of the learning rate tends to buy an immediate small improvement of the
validation loss (a smaller lr means a lower noise floor for SGD). EarlyStopping counts
that as progress. Hence two opposite failures:

1. Never stopping (the syllabus' failure). Aggressive reductions (short patience, big
   factor) keep producing tiny improvements, one every reduction period
   (``patience + 1 + cooldown`` epochs), and every one resets EarlyStopping's ``wait``.
   If EarlyStopping's patience is longer than that period it never fires; training runs
   on while the lr shrinks to uselessly small values (here until torch's ``eps`` of 1e-8
   stops the cuts). Mitigations:

   - a floor on the lr (``min_lr``): once it is reached the improvements stop and
     EarlyStopping fires ``patience`` epochs later;
   - stop on a different metric (val_loss drives the lr, val_accuracy drives stopping):
     a coarse metric such as accuracy does not see the tiny loss improvements;
   - a ``min_delta`` on EarlyStopping, so that tiny improvements do not count.

2. Stopping too early. If EarlyStopping's patience is not longer than the reduction
   period, it stops at the first plateau, before ReduceLROnPlateau has cut the lr even
   once, and the improvement a cut would have brought is never seen. Mitigation (the
   texts' advice "EarlyStopping patience larger than the reduction period"): give
   EarlyStopping more patience than ReduceLROnPlateau (patience + 1 + cooldown epochs),
   and combine it with a floor on the lr so that failure 1 does not follow.

``plateau_prone_metrics`` is a synthetic run that shows both, and
``simulate_plateau_and_stopping`` drives the two callbacks on it (or on any metric
function) exactly as a training loop would: each epoch, compute the metrics at the
current lr, ask EarlyStopping whether to stop, ask ReduceLROnPlateau for the next lr.

>>> from lrcourse.callbacks import EarlyStopping, ReduceLROnPlateau
>>> aggressive = ReduceLROnPlateau(factor=0.5, patience=2)
>>> run = simulate_plateau_and_stopping(
...     plateau_prone_metrics, lr=0.1, plateau=aggressive,
...     stopper=EarlyStopping(patience=5), max_epochs=200)
>>> run.stopped_epoch, run.reductions, f"{run.final_lr:.1e}"     # failure 1
(107, 23, '1.2e-08')
>>> floored = ReduceLROnPlateau(factor=0.5, patience=2, min_lr=1e-3)
>>> run = simulate_plateau_and_stopping(
...     plateau_prone_metrics, lr=0.1, plateau=floored,
...     stopper=EarlyStopping(patience=5), max_epochs=200)
>>> run.stopped_epoch, run.reductions, run.final_lr               # fixed by a floor
(53, 7, 0.001)

Both runs end at the same val_accuracy (0.85): the 54 extra epochs of the first bought a
val_loss of 0.30000001 instead of 0.301. With ``EarlyStopping(patience=2)`` instead
(failure 2) the run stops at epoch 22 with the lr never cut and val_loss stuck at 0.4.
"""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field

from .. import validation
from .early_stopping import EarlyStopping
from .improvement import check_metric
from .reduce_lr_on_plateau import ReduceLROnPlateau


def plateau_prone_metrics(
    epoch,
    lr,
    *,
    start_loss=1.0,
    floor=0.3,
    plateau_epoch=20,
    noise_per_lr=1.0,
    n_val=500,
):
    """A caricature of a validation curve whose only late progress comes from lr cuts.

        val_loss     = floor + (start_loss - floor) * max(0, 1 - epoch / plateau_epoch)^2
                       + noise_per_lr * lr
        val_accuracy = round(n_val * (1 - val_loss / 2)) / n_val

    The first term is what training can reach; it is flat from ``plateau_epoch`` on. The
    second is an lr-proportional noise floor: each cut of the lr lowers the loss by
    ``noise_per_lr * (lr_old - lr_new)``, however small. The accuracy is counted over
    ``n_val`` examples, so it cannot see a loss change below about ``2 / n_val``.
    Returns ``{"val_loss": ..., "val_accuracy": ...}``.
    """
    progress = max(0.0, 1.0 - epoch / plateau_epoch)
    val_loss = floor + (start_loss - floor) * progress**2 + noise_per_lr * lr
    val_accuracy = round(n_val * (1.0 - val_loss / 2.0)) / n_val
    return {"val_loss": val_loss, "val_accuracy": val_accuracy}


@dataclass
class PlateauStoppingRun:
    """What happened in ``simulate_plateau_and_stopping``.

    ``lrs[e]`` and ``metrics[e]`` are the lr used in epoch ``e`` and the metrics it gave;
    ``stopped_epoch`` is the epoch at which EarlyStopping fired (None if it never did, the
    run then lasted ``max_epochs``); ``final_lr`` is the lr after the last epoch;
    ``reductions`` counts the epochs at which ReduceLROnPlateau cut the lr.
    ``plateau`` and ``stopper`` are the callbacks in their final state.
    """

    lrs: list = field(default_factory=list)
    metrics: list = field(default_factory=list)
    stopped_epoch: int | None = None
    final_lr: float = math.nan
    reductions: int = 0
    plateau: ReduceLROnPlateau | None = None
    stopper: EarlyStopping | None = None

    @property
    def epochs_run(self) -> int:
        return len(self.lrs)

    def best(self, name="val_loss", mode="min") -> float:
        """The best value of metric ``name`` over the run."""
        values = [m[name] for m in self.metrics]
        return min(values) if mode == "min" else max(values)


def simulate_plateau_and_stopping(
    metric_fn,
    *,
    lr,
    plateau,
    stopper,
    max_epochs=100,
    plateau_monitor="val_loss",
    stop_monitor="val_loss",
) -> PlateauStoppingRun:
    """Drive a ReduceLROnPlateau and an EarlyStopping on ``metric_fn`` for up to ``max_epochs``.

    ``metric_fn(epoch, lr)`` returns the epoch's metrics: a number (used for both
    callbacks) or a mapping with the keys ``plateau_monitor`` and ``stop_monitor``.
    ``plateau`` and ``stopper`` are copied first, so the same instances can be reused
    for several simulations; the copies in their final state are in the result.
    Order within an epoch, as in Keras' ``fit``: metrics at the current lr, then
    EarlyStopping decides, then ReduceLROnPlateau sets the lr for the next epoch.
    """
    if not callable(metric_fn):
        raise TypeError(f"metric_fn must be a callable metric_fn(epoch, lr), got {metric_fn!r}")
    if not isinstance(plateau, ReduceLROnPlateau):
        raise TypeError(f"plateau must be a lrcourse ReduceLROnPlateau, got {plateau!r}")
    if not isinstance(stopper, EarlyStopping):
        raise TypeError(f"stopper must be a lrcourse EarlyStopping, got {stopper!r}")
    run = PlateauStoppingRun(plateau=copy.deepcopy(plateau), stopper=copy.deepcopy(stopper))
    return run_epochs(
        metric_fn,
        run,
        lr=lr,
        next_lr=run.plateau.update,
        should_stop=run.stopper.update,
        max_epochs=max_epochs,
        plateau_monitor=plateau_monitor,
        stop_monitor=stop_monitor,
    )


def run_epochs(
    metric_fn,
    run: PlateauStoppingRun,
    *,
    lr,
    next_lr,
    should_stop,
    max_epochs=100,
    plateau_monitor="val_loss",
    stop_monitor="val_loss",
) -> PlateauStoppingRun:
    """The epoch loop of ``simulate_plateau_and_stopping``, with the two rules given as
    functions: ``should_stop(value) -> bool`` and ``next_lr(value, lr) -> lr``. The same loop
    drives the framework twins (``twin_runs``); ``run`` is filled in and returned."""
    lr = validation.check_nonnegative("lr", lr)
    max_epochs = validation.check_int("max_epochs", max_epochs, low=1)
    for epoch in range(max_epochs):
        metrics = metric_fn(epoch, lr)
        if isinstance(metrics, numbers.Real) and not isinstance(metrics, bool):
            metrics = {plateau_monitor: float(metrics), stop_monitor: float(metrics)}
        if not isinstance(metrics, Mapping):
            raise TypeError(
                f"metric_fn must return a number or a mapping of metric names, got {metrics!r}"
            )
        for name in (plateau_monitor, stop_monitor):
            if name not in metrics:
                raise ValueError(
                    f"metric_fn returned no {name!r} (keys: {sorted(metrics)}); "
                    "set plateau_monitor / stop_monitor"
                )
        run.lrs.append(lr)
        run.metrics.append(dict(metrics))
        stop = should_stop(check_metric(stop_monitor, metrics[stop_monitor]))
        new_lr = float(next_lr(check_metric(plateau_monitor, metrics[plateau_monitor]), lr))
        run.reductions += new_lr != lr
        lr = new_lr
        if stop:
            run.stopped_epoch = epoch
            break
    run.final_lr = lr
    return run
