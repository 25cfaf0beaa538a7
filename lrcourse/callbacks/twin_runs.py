"""The interplay run of ``simulate_plateau_and_stopping``, done by the frameworks' callbacks.

Same loop (``interplay.run_epochs``: metrics at the current lr, the stop decision, the lr for
the next epoch), with the rules replaced by their framework twins:

- ``torch_run``: ``torch.optim.lr_scheduler.ReduceLROnPlateau`` (``plateau.to_torch``) sets
  the lr of a real torch optimizer; PyTorch has no early stopping, so the lrcourse
  ``EarlyStopping`` decides (as a torch training loop would use it). Same lrs as the NumPy
  run bit for bit, hence the same stop epoch.
- ``keras_run``: ``keras.callbacks.ReduceLROnPlateau`` and ``keras.callbacks.EarlyStopping``
  (``to_keras``: patience + 1 and cooldown + 1 for the plateau rule, an absolute threshold
  only), driven as ``fit`` drives them (``set_model``, ``on_train_begin``, then
  ``on_epoch_end`` per epoch) on an object holding a real Keras optimizer. The lr lives in
  float32 and Keras has no ``eps``: it keeps cutting below 1e-8 where torch stops, and it
  compares metrics in float32, so it cannot see a gain below about 6e-8 relative. Both
  show once the lr is tiny (the caption of the plateau explorer prints the differences).

torch and Keras are imported inside the functions (Keras through ``import_keras``).
"""

from __future__ import annotations

import copy
from types import SimpleNamespace

from ..frameworks import import_keras
from .early_stopping import EarlyStopping
from .interplay import PlateauStoppingRun, run_epochs
from .reduce_lr_on_plateau import ReduceLROnPlateau


def _check(plateau, stopper) -> None:
    if not isinstance(plateau, ReduceLROnPlateau):
        raise TypeError(f"plateau must be a lrcourse ReduceLROnPlateau, got {plateau!r}")
    if not isinstance(stopper, EarlyStopping):
        raise TypeError(f"stopper must be a lrcourse EarlyStopping, got {stopper!r}")


def torch_run(
    metric_fn,
    *,
    lr,
    plateau,
    stopper,
    max_epochs=100,
    plateau_monitor="val_loss",
    stop_monitor="val_loss",
) -> PlateauStoppingRun:
    """``simulate_plateau_and_stopping`` with torch's scheduler setting the lr."""
    import torch

    _check(plateau, stopper)
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=float(lr))
    scheduler = plateau.to_torch(optimizer, monitor=plateau_monitor)
    run = PlateauStoppingRun(plateau=copy.deepcopy(plateau), stopper=copy.deepcopy(stopper))

    def next_lr(value, lr):
        scheduler.step(value)
        return optimizer.param_groups[0]["lr"]

    return run_epochs(
        metric_fn,
        run,
        lr=lr,
        next_lr=next_lr,
        should_stop=run.stopper.update,
        max_epochs=max_epochs,
        plateau_monitor=plateau_monitor,
        stop_monitor=stop_monitor,
    )


def keras_run(
    metric_fn,
    *,
    lr,
    plateau,
    stopper,
    max_epochs=100,
    plateau_monitor="val_loss",
    stop_monitor="val_loss",
) -> PlateauStoppingRun:
    """``simulate_plateau_and_stopping`` with Keras' two callbacks (``plateau.to_keras`` and
    ``stopper.to_keras``); ``plateau`` needs an absolute threshold (Keras has no other)."""
    _check(plateau, stopper)
    keras = import_keras()
    model = SimpleNamespace(
        optimizer=keras.optimizers.SGD(learning_rate=float(lr)), stop_training=False
    )
    reduce = plateau.to_keras(monitor=plateau_monitor)
    stop = stopper.to_keras(monitor=stop_monitor)
    for callback in (reduce, stop):
        callback.set_model(model)
        callback.on_train_begin()
    run = PlateauStoppingRun()
    epoch = [0]

    def should_stop(value):
        stop.on_epoch_end(epoch[0], logs={stop_monitor: value})
        return bool(model.stop_training)

    def next_lr(value, lr):
        reduce.on_epoch_end(epoch[0], logs={plateau_monitor: value})
        epoch[0] += 1
        return float(model.optimizer.learning_rate)

    return run_epochs(
        metric_fn,
        run,
        lr=lr,
        next_lr=next_lr,
        should_stop=should_stop,
        max_epochs=max_epochs,
        plateau_monitor=plateau_monitor,
        stop_monitor=stop_monitor,
    )
