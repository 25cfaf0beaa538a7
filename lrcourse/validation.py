"""Argument checks shared by every optimizer, schedule and callback.

Each check names the argument it rejects and says what was expected, so a learner who
passes ``lr=-1`` reads ``ValueError: lr must be a finite number >= 0, got -1`` instead of
a stack trace from deep inside NumPy.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

CONVENTIONS = ("torch", "keras")


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_number(name: str, value, *, low=None, high=None, low_open=False, high_open=False):
    """Return ``value`` as a float if it is a finite real number inside the given bounds.

    ``low``/``high`` are inclusive unless ``low_open``/``high_open`` is set.
    """
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if not _is_real(value):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    lo_ok = low is None or (value > low if low_open else value >= low)
    hi_ok = high is None or (value < high if high_open else value <= high)
    if not (lo_ok and hi_ok):
        lo = "" if low is None else ("(" if low_open else "[") + f"{low}"
        hi = "" if high is None else f"{high}" + (")" if high_open else "]")
        if low is not None and high is not None:
            expected = f"in {lo}, {hi}"
        elif low is not None:
            expected = f"{'>' if low_open else '>='} {low}"
        else:
            expected = f"{'<' if high_open else '<='} {high}"
        raise ValueError(f"{name} must be a finite number {expected}, got {value!r}")
    return value


def check_nonnegative(name: str, value) -> float:
    """A finite number >= 0 (learning rates, weight decay, momentum...)."""
    return check_number(name, value, low=0.0)


def check_positive(name: str, value) -> float:
    """A finite number > 0 (eps, factors, decay_steps as a float...)."""
    return check_number(name, value, low=0.0, low_open=True)


def check_unit_interval(name: str, value) -> float:
    """A coefficient in [0, 1): betas, rho, alpha, momentum decay rates."""
    return check_number(name, value, low=0.0, high=1.0, high_open=True)


def check_betas(value, name: str = "betas") -> tuple[float, float]:
    """A pair ``(beta1, beta2)`` of coefficients in [0, 1)."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f"{name} must be a pair (beta1, beta2), got {value!r}")
    return (
        check_unit_interval(f"{name}[0]", value[0]),
        check_unit_interval(f"{name}[1]", value[1]),
    )


def check_int(name: str, value, *, low: int | None = None) -> int:
    """An integer (Python or NumPy, not bool), optionally >= ``low``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    value = int(value)
    if low is not None and value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value}")
    return value


def check_choice(name: str, value, choices) -> str:
    """One of a fixed set of strings."""
    if value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {options}, got {value!r}")
    return value


def check_convention(value) -> str:
    """Which framework's arithmetic to reproduce: ``"torch"`` or ``"keras"``."""
    return check_choice("convention", value, CONVENTIONS)


def check_steps(step, name: str = "step") -> np.ndarray:
    """Steps for a schedule: a number or array of finite numbers >= 0, returned as float64."""
    arr = np.asarray(step)
    if arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise TypeError(f"{name} must be a number or an array of numbers, got {step!r}")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {step!r}")
    if np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0 (steps count from 0), got {step!r}")
    return arr
