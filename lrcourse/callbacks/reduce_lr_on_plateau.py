"""ReduceLROnPlateau: cut the learning rate when the monitored metric stops improving.

The rule (torch's, fed once per epoch with the monitored value and the current lr):

    1. improved?  (see ``improvement.py``: ``current < best * (1 - threshold)`` for the
       default min mode with a relative threshold; ``best`` starts at +inf)
       yes -> best = current, num_bad_epochs = 0;   no -> num_bad_epochs += 1
    2. in cooldown (cooldown_counter > 0)?  cooldown_counter -= 1, num_bad_epochs = 0
    3. num_bad_epochs > patience?
       new = max(lr * factor, min_lr), applied only if lr - new > eps;
       then cooldown_counter = cooldown, num_bad_epochs = 0

Defaults (torch's, except the mode): mode "auto" (Keras': "max" when the monitored metric
is an accuracy, else "min", see ``improvement.py``; torch's default is "min"), factor 0.1,
patience 10, threshold 1e-4 (relative), cooldown 0, min_lr 0, eps 1e-8.

Counting: the reduction comes at the ``patience + 1``-th epoch in a row without
improvement (``num_bad_epochs > patience``). Keras counts differently: its callback
reduces when ``wait >= patience``, i.e. at the ``patience``-th such epoch. The same word
"patience 5" therefore means 6 flat epochs in torch and here, 5 in Keras.

Syllabus worked example: patience 5, factor 0.8, lr 0.01 -> 0.008. The first epoch sets
``best``; the next six do not improve; the sixth of them (epoch 7) fires:

>>> plateau = ReduceLROnPlateau(factor=0.8, patience=5)
>>> lr = 0.01
>>> for epoch in range(1, 8):
...     lr = plateau.update(0.5, lr)          # val_loss stuck at 0.5
...     print(epoch, plateau.num_bad_epochs, round(lr, 12))
1 0 0.01
2 1 0.01
3 2 0.01
4 3 0.01
5 4 0.01
6 5 0.01
7 0 0.008

With Keras' ``ReduceLROnPlateau(factor=0.8, patience=5)`` the cut would come at epoch 6;
``plateau.to_keras()`` therefore asks Keras for patience 6.

Twins:

- ``to_torch(optimizer)``: ``torch.optim.lr_scheduler.ReduceLROnPlateau`` with the same
  arguments (call ``scheduler.step(val_loss)`` once per epoch). Identical lrs, bit for bit.
- ``to_keras(monitor)``: ``keras.callbacks.ReduceLROnPlateau(patience=patience + 1,
  cooldown=cooldown + 1, min_delta=threshold, ...)``. Checked against the installed
  sources: Keras increments ``wait`` *before* comparing with patience (hence +1), and
  decrements its cooldown counter *before* testing whether it is still in cooldown, so
  its cooldown c + 1 idles c epochs like torch's c (Keras cooldown 0 and 1 behave alike).
  Its first value always counts as an improvement, like torch's first finite value.
  Same lrs under these conditions:

  * ``threshold_mode="abs"`` (or threshold 0): Keras has no relative threshold, and no
    fixed ``min_delta`` equals ``best * threshold`` as ``best`` moves, so ``to_keras``
    refuses ``"rel"`` with a ValueError rather than fake it;
  * every reduction changes the lr by more than ``eps``: Keras has no ``eps`` and cuts
    whenever ``lr > min_lr``; torch (and we) skip a cut smaller than ``eps`` (1e-8), so
    they part ways once the lr nears 1e-8 or comes within ``eps`` of ``min_lr``;
  * up to float32: Keras keeps the lr in a float32 variable and rounds after each cut
    (relative error below 6e-8 per cut; below float32's smallest normal number, 1.2e-38,
    precision is lost), and compares metrics in float32;
  * a finite first metric (a first NaN or +inf is Keras' ``best`` forever / a first
    improvement; torch counts it as a bad epoch).

  Keras' state differs where the lr cannot: at the floor, Keras does not reset ``wait``
  nor start a cooldown when a cut is refused; torch does. The lr stays the same.
"""

from __future__ import annotations

from .. import validation
from ..frameworks import import_keras
from .improvement import (
    MODES,
    THRESHOLD_MODES,
    check_metric,
    is_improvement,
    resolve_mode,
    worst_value,
)


class ReduceLROnPlateau:
    """Framework-free ReduceLROnPlateau with torch's semantics; see the module docstring.

    ``update(metric, lr)`` is called once per epoch and returns the lr to use next.
    Readable state: ``best``, ``num_bad_epochs``, ``cooldown_counter``, ``last_epoch``
    (number of updates so far). ``reset()`` starts over.
    """

    def __init__(
        self,
        mode="auto",
        factor=0.1,
        patience=10,
        threshold=1e-4,
        threshold_mode="rel",
        cooldown=0,
        min_lr=0.0,
        eps=1e-8,
    ):
        self.mode = validation.check_choice("mode", mode, MODES)
        self.factor = validation.check_number(
            "factor", factor, low=0.0, high=1.0, low_open=True, high_open=True
        )
        self.patience = validation.check_int("patience", patience, low=0)
        self.threshold = validation.check_nonnegative("threshold", threshold)
        self.threshold_mode = validation.check_choice(
            "threshold_mode", threshold_mode, THRESHOLD_MODES
        )
        self.cooldown = validation.check_int("cooldown", cooldown, low=0)
        self.min_lr = validation.check_nonnegative("min_lr", min_lr)
        self.eps = validation.check_nonnegative("eps", eps)
        self.reset()

    def reset(self):
        """Forget the history: best back to the worst value, counters to 0."""
        self.best = worst_value(self.mode)
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.last_epoch = 0

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def is_improvement(self, metric) -> bool:
        """Would ``metric`` count as an improvement over ``best`` now? (NaN: never.)"""
        return is_improvement(
            check_metric("metric", metric),
            self.best,
            mode=self.mode,
            threshold=self.threshold,
            threshold_mode=self.threshold_mode,
        )

    def reduced(self, lr: float) -> float:
        """``max(lr * factor, min_lr)`` if that lowers ``lr`` by more than ``eps``, else ``lr``."""
        new_lr = max(lr * self.factor, self.min_lr)
        return new_lr if lr - new_lr > self.eps else lr

    def update(self, metric, lr) -> float:
        """Feed one epoch's monitored value and the current lr; return the lr for the next."""
        current = check_metric("metric", metric)
        lr = validation.check_nonnegative("lr", lr)
        self.last_epoch += 1
        if self.is_improvement(current):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during the cooldown do not count
        if self.num_bad_epochs > self.patience:
            lr = self.reduced(lr)
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        return lr

    # -- twins ------------------------------------------------------------------------------
    def to_torch(self, optimizer, monitor: str | None = None):
        """A fresh ``torch.optim.lr_scheduler.ReduceLROnPlateau`` with these arguments
        (torch has no "auto": the mode is resolved for ``monitor``, "min" without one)."""
        from torch.optim.lr_scheduler import ReduceLROnPlateau as TorchReduceLROnPlateau

        return TorchReduceLROnPlateau(
            optimizer,
            mode=resolve_mode(self.mode, monitor),
            factor=self.factor,
            patience=self.patience,
            threshold=self.threshold,
            threshold_mode=self.threshold_mode,
            cooldown=self.cooldown,
            min_lr=self.min_lr,
            eps=self.eps,
        )

    def keras_arguments(self, monitor: str = "val_loss") -> dict:
        """The ``keras.callbacks.ReduceLROnPlateau`` keywords that reproduce this rule.

        Raises ValueError for a relative threshold (Keras' ``min_delta`` is absolute).
        """
        if self.threshold_mode == "rel" and self.threshold != 0:
            raise ValueError(
                "threshold_mode='rel' has no Keras twin: Keras' ReduceLROnPlateau only has an "
                "absolute min_delta (improved <=> current < best - min_delta), while 'rel' "
                f"needs current < best * (1 - {self.threshold}), a margin that moves with best. "
                "Use threshold_mode='abs' with an absolute threshold (or threshold=0)."
            )
        if not isinstance(monitor, str):
            raise TypeError(f"monitor must be a metric name (str), got {monitor!r}")
        return dict(
            monitor=monitor,
            factor=self.factor,
            patience=self.patience + 1,
            mode=resolve_mode(self.mode, monitor),
            min_delta=self.threshold,
            cooldown=self.cooldown + 1,
            min_lr=self.min_lr,
        )

    def to_keras(self, monitor: str = "val_loss"):
        """A fresh ``keras.callbacks.ReduceLROnPlateau`` with the mapped arguments.

        Mapping: patience + 1, cooldown + 1, min_delta = threshold (abs mode only); the
        conditions for identical lrs are in the module docstring.
        """
        kwargs = self.keras_arguments(monitor)
        keras = import_keras()

        return keras.callbacks.ReduceLROnPlateau(**kwargs)

    def __repr__(self):
        return (
            f"ReduceLROnPlateau(mode={self.mode!r}, factor={self.factor}, "
            f"patience={self.patience}, threshold={self.threshold}, "
            f"threshold_mode={self.threshold_mode!r}, cooldown={self.cooldown}, "
            f"min_lr={self.min_lr}, eps={self.eps})"
        )
