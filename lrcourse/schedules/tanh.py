"""Hyperbolic-tangent decay (Hsueh et al. 2019), timm's ``TanhLRScheduler``."""

from __future__ import annotations

from .. import validation
from .annealing import half_tanh_complement
from .base import Schedule, arg, nonnegative, step_count
from .restarts import cycle_limit, cycle_position, cycles_end, period_factor


class TanhDecay(Schedule):
    """Tanh decay from ``initial_lr`` to ``min_lr`` over ``decay_steps``, with restarts.

    Cycle i lasts ``decay_steps * t_mul**i`` steps (see :mod:`lrcourse.schedules.restarts`);
    with x in [0, 1) the position in it and peak ``P_i = initial_lr * cycle_decay**i``:

        lr(t) = min_lr + (P_i - min_lr) * (1 - tanh(lb * (1 - x) + ub * x)) / 2

    The tanh sweeps from ``lb`` to ``ub``: it stays near the peak, falls steeply around
    x = -lb / (ub - lb) (70% of the cycle for the defaults -7 and 3), then flattens out
    just above ``min_lr``. After ``cycle_limit`` cycles (timm's default 1; None: no
    limit) the lr stays at ``min_lr``.

    >>> s = TanhDecay(0.1, decay_steps=100)
    >>> s([0, 50, 70, 90, 100])
    array([0.09999992, 0.09820138, 0.05      , 0.00179862, 0.        ])
    >>> TanhDecay(0.1, 10, cycle_decay=0.5, cycle_limit=2)([0, 10, 20])
    array([0.09999992, 0.04999996, 0.        ])

    It is timm's ``TanhLRScheduler(t_initial=decay_steps, lb, ub, lr_min=min_lr,
    cycle_mul=t_mul, cycle_decay, cycle_limit)`` (without warm-up or noise: wrap it in
    :class:`LinearWarmup` and :class:`LRNoise`), except where timm's float log misplaces
    a restart (``t_mul`` > 1).

    Twins: torch ``LambdaLR`` and the generic Keras schedule (neither framework has a
    tanh schedule).
    """

    initial_lr: float = arg(nonnegative)
    decay_steps: float = arg(step_count)
    lb: float = arg(validation.check_number, -7.0)
    ub: float = arg(validation.check_number, 3.0)
    min_lr: float = arg(nonnegative, 0.0)
    t_mul: float = arg(period_factor, 1)
    cycle_decay: float = arg(nonnegative, 1.0)
    cycle_limit: int | None = arg(cycle_limit, 1)

    def __post_init__(self):
        super().__post_init__()
        if not self.lb < self.ub:
            raise ValueError(f"lb must be < ub ({self.ub}), got {self.lb}")

    def formula(self, xp, t):
        i, x = cycle_position(xp, t, self.decay_steps, self.t_mul)
        peak = self.initial_lr * xp.power(self.cycle_decay, i)
        fall = half_tanh_complement(xp, self.lb * (1.0 - x) + self.ub * x)  # (1 - tanh) / 2
        lr = self.min_lr + (peak - self.min_lr) * fall
        return lr if self.cycle_limit is None else xp.where(i < self.cycle_limit, lr, self.min_lr)

    def _plot_end(self):
        cycles = 3 if self.cycle_limit is None else min(3, self.cycle_limit)
        return 1.2 * cycles_end(self.decay_steps, self.t_mul, cycles)
