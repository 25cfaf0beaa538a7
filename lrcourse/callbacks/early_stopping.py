"""EarlyStopping: stop training when the monitored metric has stopped improving.

The rule (Keras 3's ``keras.callbacks.EarlyStopping.on_epoch_end``, fed once per epoch;
epochs are counted from 0 as in Keras):

    epoch < start_from_epoch          -> ignore the epoch (warm-up), never stop
    first monitored epoch and restore_best_weights -> best_weights = weights, best_epoch
    wait += 1
    improved?  (absolute: current < best - min_delta in min mode, current > best + min_delta
                in max mode; the first monitored value always improves, see improvement.py)
        yes -> best = current, best_epoch = epoch (and best_weights = a copy of weights);
               wait = 0 only if current also beats ``baseline`` (when one is given);
               never stop on an improving epoch
        no  -> stop if wait >= patience and epoch > 0

Defaults (Keras'): mode "auto" ("max" for an accuracy, else "min"; see ``improvement.py``),
min_delta 0, patience 0, no baseline, start_from_epoch 0, restore_best_weights False.

So with ``patience=p`` training stops at the ``p``-th epoch in a row without improvement
(``p = 0`` behaves like ``p = 1``: the first non-improving epoch stops, but never epoch 0).
With a ``baseline``, improvements that stay worse than the baseline do not reset ``wait``:
a run that never beats the baseline stops at its first non-improving epoch once
``patience`` epochs have been monitored (an improving epoch never stops training).

>>> stopper = EarlyStopping(patience=2)
>>> [stopper.update(v) for v in [1.0, 0.8, 0.9, 0.85, 0.7]]
[False, False, False, True, False]
>>> stopper.best, stopper.best_epoch, stopper.stopped_epoch
(0.7, 4, 3)

(The last update shows what happens if a loop keeps going after being told to stop.)

Twins:

- Keras: ``to_keras(monitor="val_loss")`` gives ``keras.callbacks.EarlyStopping`` with the
  same arguments; same decisions on finite metrics (Keras compares in float32, so it
  cannot see changes below about 6e-8 relative). Keras writes ``stopped_epoch = 0`` and
  ``best_epoch = 0`` for "none yet"; we write None. A NaN on the first monitored epoch
  becomes Keras' ``best`` (nothing ever beats it afterwards); here NaN is never an
  improvement, so a later finite value does become ``best``.
- PyTorch has no early stopping: a torch training loop uses this class directly::

      stopper = EarlyStopping(patience=5, restore_best_weights=True)
      for epoch in range(max_epochs):
          train_one_epoch(model, optimizer)
          if stopper.update(validate(model), weights=model.state_dict()):
              break
      model.load_state_dict(stopper.best_weights)
"""

from __future__ import annotations

import copy

from .. import validation
from ..frameworks import import_keras
from .improvement import MODES, check_metric, is_improvement, resolve_mode


class EarlyStopping:
    """Framework-free EarlyStopping with Keras' semantics; see the module docstring.

    ``update(metric, weights=None)`` is called once per epoch and returns True when
    training should stop now. Readable state: ``best``, ``best_epoch``, ``stopped_epoch``
    (None until a stop), ``wait``, ``epoch`` (index of the last update, -1 before any) and,
    with ``restore_best_weights``, ``best_weights`` (a deep copy of the ``weights`` passed
    at the best epoch, or at the first monitored epoch until something improves).
    """

    def __init__(
        self,
        mode="auto",
        min_delta=0.0,
        patience=0,
        baseline=None,
        start_from_epoch=0,
        restore_best_weights=False,
    ):
        self.mode = validation.check_choice("mode", mode, MODES)
        self.min_delta = validation.check_nonnegative("min_delta", min_delta)
        self.patience = validation.check_int("patience", patience, low=0)
        self.baseline = None if baseline is None else validation.check_number("baseline", baseline)
        self.start_from_epoch = validation.check_int("start_from_epoch", start_from_epoch, low=0)
        if not isinstance(restore_best_weights, bool):
            raise TypeError(
                f"restore_best_weights must be True or False, got {restore_best_weights!r}"
            )
        self.restore_best_weights = restore_best_weights
        self.reset()

    def reset(self):
        """Forget the history (Keras' ``on_train_begin``)."""
        self.wait = 0
        self.best = None
        self.best_epoch = None
        self.best_weights = None
        self.stopped_epoch = None
        self.epoch = -1

    def _improves(self, current, reference) -> bool:
        return is_improvement(
            current, reference, mode=self.mode, threshold=self.min_delta, threshold_mode="abs"
        )

    def update(self, metric, weights=None) -> bool:
        """Feed one epoch's monitored value (and the weights, to keep the best); True = stop."""
        current = check_metric("metric", metric)
        if self.restore_best_weights and weights is None:
            raise ValueError(
                "weights must be given to update() when restore_best_weights=True "
                "(e.g. model.state_dict() or model.get_weights())"
            )
        self.epoch += 1
        epoch = self.epoch
        if epoch < self.start_from_epoch:
            return False
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = copy.deepcopy(weights)
            self.best_epoch = epoch
        self.wait += 1
        if self._improves(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = copy.deepcopy(weights)
            if self.baseline is None or self._improves(current, self.baseline):
                self.wait = 0
            return False
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            return True
        return False

    def to_keras(self, monitor: str = "val_loss", verbose: int = 0):
        """A fresh ``keras.callbacks.EarlyStopping`` with the same arguments."""
        if not isinstance(monitor, str):
            raise TypeError(f"monitor must be a metric name (str), got {monitor!r}")
        keras = import_keras()

        return keras.callbacks.EarlyStopping(
            monitor=monitor,
            min_delta=self.min_delta,
            patience=self.patience,
            verbose=verbose,
            mode=resolve_mode(self.mode, monitor),
            baseline=self.baseline,
            restore_best_weights=self.restore_best_weights,
            start_from_epoch=self.start_from_epoch,
        )

    def __repr__(self):
        return (
            f"EarlyStopping(mode={self.mode!r}, min_delta={self.min_delta}, "
            f"patience={self.patience}, baseline={self.baseline}, "
            f"start_from_epoch={self.start_from_epoch}, "
            f"restore_best_weights={self.restore_best_weights})"
        )
