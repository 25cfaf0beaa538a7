"""Schedules that restart: which cycle a step falls in, and how far into it.

Cycle i (i = 0, 1, ...) lasts ``T_i = first * t_mul**i`` steps and starts at
``S_i = first * (1 + t_mul + ... + t_mul**(i-1))``. A restart happens AT t = S_i: that
update already belongs to the new cycle. Used by :class:`CosineRestarts` and
:class:`TanhDecay`.
"""

from __future__ import annotations

import math

from .base import step_count


def period_factor(name, value):
    """``t_mul``: each cycle is this many times longer than the one before (>= 1)."""
    return step_count(name, value, low=1.0, low_open=False)


def cycle_limit(name, value):
    """How many cycles run before the lr stays at its floor (None: no limit)."""
    return None if value is None else step_count(name, value, low=1, low_open=False)


def cycle_start(xp, i, first, t_mul):
    """S_i: the step at which cycle i starts."""
    if t_mul == 1.0:
        return first * i
    return first * (xp.power(t_mul, i) - 1.0) / (t_mul - 1.0)


def cycle_position(xp, t, first, t_mul):
    """``(i, x)``: step t lies in cycle i, the fraction x in [0, 1) of the way through it.

    For t_mul > 1, i = floor(log(1 + (t / first) (t_mul - 1)) / log(t_mul)); a float log
    can land one cycle off exactly at a restart (t = 1210 for first 10, t_mul 3), so the
    floor is corrected against S_i and S_(i+1).
    """
    if t_mul == 1.0:
        i = xp.floor(t / first)
    else:
        i = xp.floor(xp.log(1.0 + (t / first) * (t_mul - 1.0)) / math.log(t_mul))
        i = xp.where(t < cycle_start(xp, i, first, t_mul), i - 1.0, i)
        i = xp.where(t >= cycle_start(xp, i + 1.0, first, t_mul), i + 1.0, i)
    x = (t - cycle_start(xp, i, first, t_mul)) / (first * xp.power(t_mul, i))
    return i, x


def cycles_end(first, t_mul, cycles):
    """The step at which ``cycles`` cycles are over."""
    return first * cycles if t_mul == 1.0 else first * (t_mul**cycles - 1.0) / (t_mul - 1.0)
