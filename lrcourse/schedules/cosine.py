"""Cosine annealing (SGDR, Loshchilov & Hutter 2016), without and with warm restarts.

    lr(t) = min + (max - min) * (1 + cos(pi * t / T)) / 2

Both classes follow Keras' semantics, where the floor is ``alpha`` times the peak:
``min = alpha * max``.
"""

from __future__ import annotations

import math

from .. import validation
from .base import Schedule, check_count, is_integral


class CosineDecay(Schedule):
    """Cosine decay from ``initial_lr`` to ``alpha * initial_lr`` over ``decay_steps``,
    then held there; Keras ``CosineDecay``, optional linear warm-up included.

        lr(t) = initial_lr * ((1 - alpha) * (1 + cos(pi * min(t, D) / D)) / 2 + alpha)

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

    Twins: torch ``LambdaLR``; Keras ``CosineDecay`` (native, warm-up included).
    torch's ``CosineAnnealingLR(T_max=D, eta_min=alpha * lr0)`` agrees on [0, D] but is not
    clamped: after T_max it rises again (period 2 T_max), so it is not this schedule's twin.
    """

    def __init__(self, initial_lr, decay_steps, alpha=0.0, warmup_target=None, warmup_steps=0):
        self.initial_lr = validation.check_nonnegative("initial_lr", initial_lr)
        self.decay_steps = check_count("decay_steps", decay_steps)
        self.alpha = validation.check_number("alpha", alpha, low=0.0, high=1.0)
        if warmup_target is not None:
            warmup_target = validation.check_nonnegative("warmup_target", warmup_target)
        self.warmup_target = warmup_target
        self.warmup_steps = check_count("warmup_steps", warmup_steps, low_open=False)
        self._warmup = None
        if warmup_target is not None:
            from .warmup import LinearWarmup

            decay = CosineDecay(warmup_target, self.decay_steps, self.alpha)
            self._warmup = LinearWarmup(decay, self.warmup_steps, start_lr=self.initial_lr)

    def _formula(self, xp, t):
        if self._warmup is not None:
            return self._warmup._formula(xp, t)
        t = xp.minimum(t, self.decay_steps)
        cosine = 0.5 * (1.0 + xp.cos(math.pi * (t / self.decay_steps)))
        return self.initial_lr * ((1.0 - self.alpha) * cosine + self.alpha)

    def _keras_native(self):
        return "CosineDecay", {
            "initial_learning_rate": self.initial_lr,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }

    def _horizon(self):
        return round(1.2 * (self.warmup_steps + self.decay_steps))

    def _args(self):
        return {
            "initial_lr": self.initial_lr,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


class CosineRestarts(Schedule):
    """Cosine annealing with warm restarts (SGDR), Keras ``CosineDecayRestarts``.

    Period i (i = 0, 1, ...) lasts ``T_i = first_decay_steps * t_mul**i`` steps and starts
    at ``S_i = T_0 (1 + t_mul + ... + t_mul**(i-1))``; within it, with
    ``x = (t - S_i) / T_i`` in [0, 1):

        lr(t) = initial_lr * ((1 - alpha) * m_mul**i * (1 + cos(pi * x)) / 2 + alpha)

    A restart happens AT t = S_i: that update uses the restarted (high) lr.

    >>> s = CosineRestarts(0.1, first_decay_steps=10, t_mul=2.0)
    >>> s([0, 5, 9, 10, 20, 30])
    array([0.1       , 0.05      , 0.00244717, 0.1       , 0.05      , 0.1       ])

    ``t_mul`` must be >= 1 (shrinking periods would end after a finite time). Keras finds
    the period with a float32 log, ours corrects that floor exactly (in float64 the
    log-based floor can land one period short exactly at a restart).

    Twins: torch ``CosineAnnealingWarmRestarts(T_0, T_mult, eta_min=alpha * initial_lr)``
    when ``m_mul == 1`` and ``t_mul`` and ``first_decay_steps`` are integers (native), else
    ``LambdaLR``; Keras ``CosineDecayRestarts`` (native).
    """

    def __init__(self, initial_lr, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0):
        self.initial_lr = validation.check_nonnegative("initial_lr", initial_lr)
        self.first_decay_steps = check_count("first_decay_steps", first_decay_steps)
        self.t_mul = validation.check_number("t_mul", t_mul, low=1.0)
        self.m_mul = validation.check_nonnegative("m_mul", m_mul)
        self.alpha = validation.check_number("alpha", alpha, low=0.0, high=1.0)

    def _start(self, xp, i):
        """S_i: the step at which period i starts."""
        t0, m = self.first_decay_steps, self.t_mul
        if m == 1.0:
            return t0 * i
        return t0 * (xp.power(m, i) - 1.0) / (m - 1.0)

    def _formula(self, xp, t):
        t0, m = self.first_decay_steps, self.t_mul
        if m == 1.0:
            i = xp.floor(t / t0)
        else:
            i = xp.floor(xp.log(1.0 + (t / t0) * (m - 1.0)) / math.log(m))
            i = xp.where(t < self._start(xp, i), i - 1.0, i)  # undo a floor that the
            i = xp.where(t >= self._start(xp, i + 1.0), i + 1.0, i)  # log rounded wrong
        x = (t - self._start(xp, i)) / (t0 * xp.power(m, i))
        cosine = 0.5 * xp.power(self.m_mul, i) * (1.0 + xp.cos(math.pi * x))
        return self.initial_lr * ((1.0 - self.alpha) * cosine + self.alpha)

    def _torch_native(self):
        if self.m_mul == 1.0 and is_integral(self.t_mul, self.first_decay_steps):
            kwargs = {
                "T_0": int(self.first_decay_steps),
                "T_mult": int(self.t_mul),
                "eta_min": self.alpha * self.initial_lr,
            }
            return "CosineAnnealingWarmRestarts", kwargs, self.initial_lr
        return None

    def _keras_native(self):
        return "CosineDecayRestarts", {
            "initial_learning_rate": self.initial_lr,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self.t_mul,
            "m_mul": self.m_mul,
            "alpha": self.alpha,
        }

    def _horizon(self):
        return round(self.first_decay_steps * (1 + self.t_mul + self.t_mul**2))

    def _args(self):
        return {
            "initial_lr": self.initial_lr,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self.t_mul,
            "m_mul": self.m_mul,
            "alpha": self.alpha,
        }
