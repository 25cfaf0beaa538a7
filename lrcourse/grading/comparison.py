"""Compare a learner's return value with the expected one and say what is wrong with it.

``describe_difference`` answers in words a learner can act on (``None`` when the answer is
right): a missing ``return``, a list where a number was expected, the wrong shape, NaN where
the answer is finite, complex numbers, or plain wrong values. ``same_answer`` is the quiet
version used to recognise a known mistake by its outputs.
"""

from __future__ import annotations

import numpy as np

from .plain_values import Opaque


def _is_bool(value) -> bool:
    return isinstance(value, bool | np.bool_)


def _as_numbers(value):
    """``value`` as a float/complex ndarray, or None when it is not numeric."""
    if _is_bool(value) or isinstance(value, str | bytes) or value is None:
        return None
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        return None
    if array.dtype.kind not in "iufc":
        return None
    return array


def describe_difference(got, expected, *, rtol: float, atol: float) -> str | None:
    """What is wrong with ``got`` (None when it matches ``expected``)."""
    if got is None:
        return "it returned None: is a `return` statement missing?"
    if _is_bool(expected):
        if not _is_bool(got):
            kind = got.type_name if isinstance(got, Opaque) else type(got).__name__
            return f"it should return True or False, but returned a {kind}"
        return None if bool(got) == bool(expected) else "it returned the opposite truth value"
    numbers_got = None if isinstance(got, Opaque) else _as_numbers(got)
    if numbers_got is None:
        kind = got.type_name if isinstance(got, Opaque) else type(got).__name__
        return f"it should return a number or a NumPy array, but returned a {kind}"
    expected = np.asarray(expected)
    if numbers_got.dtype.kind == "c":
        return (
            "it returned complex numbers; for a symmetric matrix use np.linalg.eigvalsh, "
            "whose eigenvalues are real"
        )
    if numbers_got.shape != expected.shape:
        want = "a single number" if expected.shape == () else f"shape {expected.shape}"
        return f"it should return {want}, but returned shape {numbers_got.shape}"
    bad = ~np.isfinite(numbers_got) & np.isfinite(expected)
    if bad.any():
        return "it returned NaN or infinity where the answer is a finite number"
    if not np.allclose(numbers_got, expected, rtol=rtol, atol=atol, equal_nan=True):
        return "the value is wrong"
    return None


def same_answer(a, b, *, rtol: float, atol: float) -> bool:
    """True when ``a`` and ``b`` are the same answer (bools or numbers, within tolerance)."""
    if _is_bool(a) or _is_bool(b):
        return _is_bool(a) and _is_bool(b) and bool(a) == bool(b)
    if isinstance(a, Opaque) or isinstance(b, Opaque):
        return False
    x, y = _as_numbers(a), _as_numbers(b)
    if x is None or y is None or x.shape != y.shape:
        return False
    return bool(np.allclose(x, y, rtol=rtol, atol=atol, equal_nan=True))
