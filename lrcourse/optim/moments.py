"""Running averages, the building block of every adaptive optimizer.

``lerp_`` is torch's ``lerp_`` (and Keras' ``m.assign_add((g - m) * (1 - beta))``), written
with torch's two branches so that float64 results can agree with torch bit for bit: for a
weight >= 0.5 it starts from ``end`` instead of ``avg``, which is more accurate there.
"""

from __future__ import annotations


def lerp_(avg, end, weight):
    """avg <- avg + weight * (end - avg), in place (torch's ``avg.lerp_(end, weight)``)."""
    if abs(weight) < 0.5:
        avg += weight * (end - avg)
    else:
        avg[...] = end - (end - avg) * (1 - weight)


def decay_add_(avg, x, decay, weight):
    """avg <- decay * avg + weight * x, in place (Keras' ``rho * a + (1 - rho) * x``)."""
    avg *= decay
    avg += weight * x


def decay_add_square_(avg, g, decay):
    """avg <- decay * avg + (1 - decay) * g * g, in place (torch's ``mul_(decay).addcmul_``)."""
    avg *= decay
    avg += (1 - decay) * g * g


def lerp(start, end, weight):
    """start + weight * (end - start), a new array (torch's ``start.lerp(end, weight)``)."""
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1 - weight)
