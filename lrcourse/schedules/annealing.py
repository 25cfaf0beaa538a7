"""The shapes annealing schedules share, written so that float32 computes them accurately.

A cosine or tanh schedule spends its last steps just above its floor, where the textbook
forms cancel: ``1 + cos(pi x)`` near x = 1 and ``1 - tanh(z)`` for large z subtract two
numbers close to 1, and float32 (the generic Keras twin) keeps only the difference's
leading digits. The same values, rewritten by exact identities, do not cancel:

    (1 + cos(pi x)) / 2  =  sin^2(pi (1 - x) / 2)        with 1 - x computed directly
    1 - x^k              =  -expm1(k * log1p(-(1 - x)))   for x near 1
    (1 - tanh(z)) / 2    =  1 / (1 + exp(2 z))            (the logistic function of -2 z)

Measured on the twin tests' draws (``tests/test_schedules_modern.py``), the generic Keras
twins of the k-decay cosine and polynomial, WSD and tanh went from up to 3.47e-6 relative
error (floor 1% of the peak) to at most 6.6e-7 (the worst is now a CosineRestarts draw).
NumPy evaluates the same forms in float64.

:class:`CosineRestarts` keeps the textbook ``1 + cos``: its native torch twin
(``CosineAnnealingWarmRestarts``) computes that form in float64, which at the last step of
a 400-step cycle (lr 1.5e-5 of the peak) differs from sin^2 by 1.6e-12 relative, over the
issue's 1e-12 bar; its generic Keras twin (timm options) measured 6.6e-7 with it anyway.
"""

from __future__ import annotations

import math

TINY = 1e-30  # keeps log(0) out of the branch xp.where does not take (float32 holds it)


def remaining_power(xp, done, length, k):
    """``1 - (done / length)^k`` for 0 <= done <= length, without cancellation near the end.

    ``r = (length - done) / length`` is 1 - x computed directly; for x > 1/2 the power's
    complement is ``-expm1(k * log1p(-r))``, exact to a few ulps however small r is.
    """
    r = (length - done) / length
    if k == 1:
        return r
    x = done / length
    log_x = xp.where(r < 0.5, xp.log1p(-xp.minimum(r, 0.5)), xp.log(xp.maximum(x, TINY)))
    return xp.where(done > 0, -xp.expm1(k * log_x), 1.0)


def half_cosine(xp, remaining):
    """``(1 + cos(pi x)) / 2`` from ``remaining = 1 - x``: ``sin^2(pi * remaining / 2)``."""
    return xp.sin(0.5 * math.pi * remaining) ** 2


def half_tanh_complement(xp, z):
    """``(1 - tanh(z)) / 2`` as ``1 / (1 + exp(2 z))`` (2 z capped at 700: exp stays finite
    in float64 and the value, below 1e-304, is 0 to every digit that matters)."""
    return 1.0 / (1.0 + xp.exp(xp.minimum(2.0 * z, 700.0)))
