"""The one rule both callbacks use to decide "did the monitored metric improve?".

    mode "min", threshold_mode "abs":  improved  <=>  current < best - threshold
    mode "min", threshold_mode "rel":  improved  <=>  current < best * (1 - threshold)
    mode "max", threshold_mode "abs":  improved  <=>  current > best + threshold
    mode "max", threshold_mode "rel":  improved  <=>  current > best * (1 + threshold)

These are torch ``ReduceLROnPlateau._is_better``'s expressions, written the same way so
the float64 results are bit for bit torch's. Keras' ``MonitorCallback._is_improvement``
has only the absolute rule, written ``ops.less(current + min_delta, best)`` (``greater``
and ``current - min_delta`` in max mode) and evaluated on float32 tensors: Keras cannot
see a change smaller than float32's resolution (about 6e-8 relative), we can.

``mode="auto"`` (the default of both callbacks, as in Keras) takes the direction from the
monitored metric's name: "max" for an accuracy or AUC (``val_accuracy``, ``acc``, ``auc``),
"min" for everything else (losses, errors). The trainers and ``to_keras(monitor)`` /
``to_torch(optimizer, monitor)`` know the name; ``update(metric)`` used on its own does not,
and treats "auto" as "min" (torch's default: the metric is a loss). Keras 3 resolves "auto"
the same way for these names.

Conventions (documented choices, not accidents):

- ``best=None`` means "nothing seen yet": any value that is not NaN is an improvement
  (Keras' first epoch). ReduceLROnPlateau starts from ``best = +inf`` (``-inf`` in max
  mode) instead, as torch does: a first value of +inf is then *not* an improvement.
- NaN is never an improvement (every comparison with NaN is False). That is torch's
  behaviour and ours everywhere. Keras differs in one place: a NaN on the very first
  monitored epoch becomes its ``best`` (``_is_improvement(nan, None)`` is True), and
  after that nothing ever compares better than NaN.
- The relative rule assumes a positive metric: with ``best < 0`` in min mode,
  ``best * (1 - threshold)`` lies *above* ``best``, so slightly worse values count as
  improvements (torch does the same).
"""

from __future__ import annotations

import copy
import math

MODES = ("auto", "min", "max")
THRESHOLD_MODES = ("rel", "abs")
MAXIMISED = ("accuracy", "acc", "auc")  # metric names (after "val_") that should go up


def resolve_mode(mode: str, monitor: str | None = None) -> str:
    """ "min" or "max": ``mode`` itself, or for "auto" the direction of ``monitor``.

    >>> resolve_mode("auto", "val_accuracy"), resolve_mode("auto", "val_loss")
    ('max', 'min')
    >>> resolve_mode("auto"), resolve_mode("min", "val_accuracy")
    ('min', 'min')
    """
    if mode != "auto":
        return mode
    name = (monitor or "loss").removeprefix("val_")
    return "max" if name in MAXIMISED or name.endswith("_accuracy") else "min"


def fresh_for(rule, monitor: str | None = None):
    """A copy of a ReduceLROnPlateau / EarlyStopping with no history (``reset()``) and its
    mode resolved for ``monitor``: what a trainer uses for each run, so that runs sharing
    one config never share state (as Keras callbacks are built afresh for every fit)."""
    fresh = copy.deepcopy(rule)
    fresh.mode = resolve_mode(rule.mode, monitor)
    fresh.reset()
    return fresh


def worst_value(mode: str) -> float:
    """The starting ``best`` of torch's ReduceLROnPlateau: +inf in min mode, -inf in max
    ("auto" on its own is "min")."""
    return -math.inf if mode == "max" else math.inf


def is_improvement(current: float, best, *, mode: str, threshold: float, threshold_mode: str):
    """True if ``current`` beats ``best`` by more than ``threshold`` (rules above).

    >>> is_improvement(0.9, 1.0, mode="min", threshold=0.05, threshold_mode="abs")
    True
    >>> is_improvement(0.96, 1.0, mode="min", threshold=0.05, threshold_mode="abs")
    False
    >>> is_improvement(float("nan"), None, mode="min", threshold=0.0, threshold_mode="abs")
    False
    """
    if best is None:
        return not math.isnan(current)
    if mode != "max":  # "min", or "auto" without a metric name
        if threshold_mode == "rel":
            return current < best * (1.0 - threshold)
        return current < best - threshold
    if threshold_mode == "rel":
        return current > best * (threshold + 1.0)
    return current > best + threshold


def check_metric(name: str, value) -> float:
    """A monitored value as a float: any real number, or a 0-d array / tensor.

    NaN and +-inf are accepted (a diverged run reports them); what they do is documented
    above. Strings, booleans and multi-element arrays are rejected with a TypeError.
    """
    if isinstance(value, (str, bytes, bool)) or value is None or getattr(value, "ndim", 0):
        raise TypeError(
            f"{name} must be a real number (or a 0-d array), got {type(value).__name__} {value!r}"
        )
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be a real number (or a 0-d array), got {type(value).__name__} {value!r}"
        ) from None
