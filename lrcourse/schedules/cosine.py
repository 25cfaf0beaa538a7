"""Cosine annealing (SGDR, Loshchilov & Hutter 2016), without and with warm restarts.

    lr(t) = min + (max - min) * (1 + cos(pi * t / T)) / 2

Both classes follow Keras' semantics, where the floor is ``alpha`` times the peak:
``min = alpha * max``. Both take timm's ``k_decay`` (Zhang & Li 2020): time enters as
(t / T)^k, so k > 1 stays near the peak for longer and falls later.
"""

from __future__ import annotations

import dataclasses
import math

from .annealing import half_cosine, remaining_power
from .base import (
    KerasTwin,
    Schedule,
    TorchTwin,
    arg,
    fraction,
    is_integral,
    nonnegative,
    optional,
    positive,
    step_count,
    step_count_or_zero,
)
from .restarts import cycle_limit, cycle_position, cycles_end, period_factor
from .warmup import LinearWarmup

KERAS_NAMES = {"initial_lr": "initial_learning_rate"}
TIMM_OPTIONS = {"cycle_decay": None, "cycle_limit": None, "k_decay": None}  # Keras lacks them


class CosineDecay(Schedule):
    """Cosine decay from ``initial_lr`` to ``alpha * initial_lr`` over ``decay_steps``,
    then held there; Keras ``CosineDecay``, optional linear warm-up included.

        lr(t) = initial_lr * ((1 - alpha) * (1 + cos(pi * (min(t, D) / D) ^ k)) / 2 + alpha)

    >>> s = CosineDecay(0.1, decay_steps=100)
    >>> s([0, 50, 100, 150])
    array([0.1 , 0.05, 0.  , 0.  ])

    Warm-up (Keras semantics): with ``warmup_target`` set, the lr first rises linearly
    from ``initial_lr`` to ``warmup_target`` over ``warmup_steps``, then decays from
    ``warmup_target`` to ``alpha * warmup_target`` over the next ``decay_steps`` (so the
    whole run is ``warmup_steps + decay_steps`` long; optax's ``warmup_cosine_decay_schedule``
    counts the warm-up inside ``decay_steps`` instead). It is exactly
    ``LinearWarmup(CosineDecay(warmup_target, decay_steps, alpha), warmup_steps,
    start_lr=initial_lr)``, which is how it is computed here.

    >>> w = CosineDecay(0.0, decay_steps=100, warmup_target=0.1, warmup_steps=10)
    >>> w([0, 5, 10, 60, 110])
    array([0.  , 0.05, 0.1 , 0.05, 0.  ])

    ``k_decay`` = 2 (timm's ``CosineLRScheduler(t_initial=D, k_decay=2)``, one cycle) is
    still at 85% of the peak half-way through:

    >>> CosineDecay(0.1, 100, k_decay=2.0)([50, 100])
    array([0.08535534, 0.        ])

    Twins: torch ``LambdaLR``; Keras ``CosineDecay`` (native, warm-up included) when
    ``k_decay == 1``, else the generic Keras schedule. torch's
    ``CosineAnnealingLR(T_max=D, eta_min=alpha * lr0)`` agrees on [0, D] but is not
    clamped: after T_max it rises again (period 2 T_max), so it is not this schedule's twin.
    """

    initial_lr: float = arg(nonnegative)
    decay_steps: float = arg(step_count)
    alpha: float = arg(fraction, 0.0)
    warmup_target: float | None = arg(optional(nonnegative), None)
    warmup_steps: float = arg(step_count_or_zero, 0)
    k_decay: float = arg(positive, 1.0)

    keras_twin = KerasTwin("CosineDecay", {**KERAS_NAMES, "k_decay": None})

    def formula(self, xp, t):
        if self.warmup_target is not None:
            decay = dataclasses.replace(
                self, initial_lr=self.warmup_target, warmup_target=None, warmup_steps=0
            )
            return LinearWarmup(decay, self.warmup_steps, self.initial_lr).formula(xp, t)
        # (1 + cos(pi x^k)) / 2 with x = min(t, D) / D, in the form float32 computes well
        d = self.decay_steps
        cosine = half_cosine(xp, remaining_power(xp, xp.minimum(t, d), d, self.k_decay))
        return self.initial_lr * ((1.0 - self.alpha) * cosine + self.alpha)

    def _plot_end(self):
        return 1.2 * (self.warmup_steps + self.decay_steps)


class CosineRestarts(Schedule):
    """Cosine annealing with warm restarts (SGDR), Keras ``CosineDecayRestarts``.

    Period i (i = 0, 1, ...) lasts ``T_i = first_decay_steps * t_mul**i`` steps and starts
    at ``S_i = T_0 (1 + t_mul + ... + t_mul**(i-1))``; within it, with
    ``x = (t - S_i) / T_i`` in [0, 1), peak ``P_i = initial_lr * cycle_decay**i`` and floor
    ``F = alpha * initial_lr``:

        lr(t) = F + (P_i - F) * m_mul**i * (1 + cos(pi * x^k)) / 2

    A restart happens AT t = S_i: that update uses the restarted (high) lr.

    >>> s = CosineRestarts(0.1, first_decay_steps=10, t_mul=2.0)
    >>> s([0, 5, 9, 10, 20, 30])
    array([0.1       , 0.05      , 0.00244717, 0.1       , 0.05      , 0.1       ])

    Two ways to lower the restarts. Keras' ``m_mul`` scales the height above the floor;
    timm's ``cycle_decay`` scales the peak and keeps the floor (they agree when alpha = 0).
    timm's ``cycle_limit``: after that many cycles the lr stays at the floor.

    >>> timm = CosineRestarts(0.1, 10, t_mul=1.0, alpha=0.1, cycle_decay=0.5, cycle_limit=2)
    >>> timm([0, 10, 20, 30])
    array([0.1 , 0.05, 0.01, 0.01])

    It is timm's ``CosineLRScheduler(t_initial=T_0, lr_min=alpha * initial_lr,
    cycle_mul=t_mul, cycle_decay, cycle_limit, k_decay)`` with ``m_mul = 1``, except that
    timm's float log misplaces some restarts (``t_mul`` must be >= 1; ours corrects that
    floor, see :mod:`lrcourse.schedules.restarts`).

    Twins: torch ``CosineAnnealingWarmRestarts(T_0, T_mult, eta_min=alpha * initial_lr)``
    when ``m_mul``, ``cycle_decay`` and ``k_decay`` are 1, there is no ``cycle_limit``
    and ``t_mul`` and ``first_decay_steps`` are integers (native), else ``LambdaLR``; Keras
    ``CosineDecayRestarts`` (native) when ``cycle_decay`` and ``k_decay`` are 1 and there
    is no ``cycle_limit``, else the generic Keras schedule.
    """

    initial_lr: float = arg(nonnegative)
    first_decay_steps: float = arg(step_count)
    t_mul: float = arg(period_factor, 2.0)
    m_mul: float = arg(nonnegative, 1.0)
    alpha: float = arg(fraction, 0.0)
    cycle_decay: float = arg(nonnegative, 1.0)
    cycle_limit: int | None = arg(cycle_limit, None)
    k_decay: float = arg(positive, 1.0)

    keras_twin = KerasTwin("CosineDecayRestarts", {**KERAS_NAMES, **TIMM_OPTIONS})
    torch_twin = TorchTwin(  # where Keras' class applies, with m_mul 1 and integer periods
        "CosineAnnealingWarmRestarts",
        lambda s: {"T_0": s.first_decay_steps, "T_mult": s.t_mul, "eta_min": s.min_lr},
        when=lambda s: (
            s.keras_twin.applies(s) and s.m_mul == 1 and is_integral(s.t_mul, s.first_decay_steps)
        ),
    )

    @property
    def min_lr(self):
        return self.alpha * self.initial_lr

    def formula(self, xp, t):
        # the textbook 1 + cos (not annealing.half_cosine): the native torch twin computes
        # it so, and at the end of a long cycle the two differ by ~1e-12 in float64
        i, x = cycle_position(xp, t, self.first_decay_steps, self.t_mul)
        cosine = 0.5 * xp.power(self.m_mul, i) * (1.0 + xp.cos(math.pi * xp.power(x, self.k_decay)))
        lr = self.initial_lr * ((xp.power(self.cycle_decay, i) - self.alpha) * cosine + self.alpha)
        return lr if self.cycle_limit is None else xp.where(i < self.cycle_limit, lr, self.min_lr)

    def _plot_end(self):
        cycles = 3 if self.cycle_limit is None else min(3, self.cycle_limit) + 0.5
        return cycles_end(self.first_decay_steps, self.t_mul, cycles)
