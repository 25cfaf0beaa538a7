"""Smooth decays of a starting learning rate: inverse time, exponential, polynomial, step.

All are step-indexed as written; feed them the epoch number for per-epoch decay.
``decay_steps`` (D) sets the time scale: with ``decay_steps=100`` the exponent or the
denominator moves by ``decay_rate`` every 100 steps. ``staircase=True`` floors ``t / D``
so the lr changes only every D steps (a step decay).
"""

from __future__ import annotations

import math

from .annealing import remaining_power
from .base import (
    KerasTwin,
    Schedule,
    TorchTwin,
    arg,
    flag,
    is_integral,
    nonnegative,
    positive,
    step_count,
)

KERAS_NAMES = {"initial_lr": "initial_learning_rate", "end_lr": "end_learning_rate"}


class InverseTimeDecay(Schedule):
    """Time-based (inverse time) decay, Keras ``InverseTimeDecay``.

        lr(t) = initial_lr / (1 + decay_rate * t / decay_steps)
        (staircase: floor(t / decay_steps) instead of t / decay_steps)

    The Keras-2 ``decay`` argument of every optimizer was this schedule applied per
    update: ``lr / (1 + decay * iterations)``, iterations = 0 at the first update; build it
    with :meth:`from_keras2_decay`. The syllabus' recipe is ``decay = lr0 / epochs`` with
    SGD momentum 0.8: lr0 = 0.1 over 100 epochs gives decay = 0.001, so after 1000 updates
    the lr has halved:

    >>> s = InverseTimeDecay.from_keras2_decay(0.1, decay=0.1 / 100)
    >>> s([0, 1000, 3000])
    array([0.1  , 0.05 , 0.025])

    Twins: torch ``LambdaLR`` (torch has no inverse-time scheduler); Keras
    ``InverseTimeDecay`` (native).
    """

    initial_lr: float = arg(nonnegative)
    decay_rate: float = arg(nonnegative)
    decay_steps: float = arg(step_count, 1)
    staircase: bool = arg(flag, False)

    keras_twin = KerasTwin("InverseTimeDecay", KERAS_NAMES)

    @classmethod
    def from_keras2_decay(cls, lr, decay):
        """Keras 2's ``SGD(lr=lr, decay=decay)``: ``lr / (1 + decay * iterations)``."""
        return cls(lr, decay_rate=decay, decay_steps=1)

    def formula(self, xp, t):
        p = t / self.decay_steps
        if self.staircase:
            p = xp.floor(p)
        return self.initial_lr / (1.0 + self.decay_rate * p)

    def _plot_end(self):  # until the lr is down to 1/11 of the start
        return max(10, 10 * self.decay_steps / max(self.decay_rate, 1e-12))


class ExponentialDecay(Schedule):
    """Discrete exponential decay, Keras ``ExponentialDecay``.

        lr(t) = initial_lr * decay_rate ^ (t / decay_steps)
        (staircase: decay_rate ^ floor(t / decay_steps), a step decay)

    Syllabus: lr0 0.1, rate 0.96 per epoch gives 0.096, then 0.09216; Keras' doc example
    is ``ExponentialDecay(0.1, decay_steps=100000, decay_rate=0.96)`` (0.96 per 100k steps);
    torch's ``ExponentialLR(gamma=0.9)`` is ``ExponentialDecay(lr0, 1, 0.9)``.

    >>> ExponentialDecay(0.1, decay_steps=1, decay_rate=0.96)([0, 1, 2])
    array([0.1    , 0.096  , 0.09216])
    >>> ExponentialDecay(0.1, decay_steps=100000, decay_rate=0.96)(100000)
    0.096

    Float32 note (Keras): ``decay_rate`` is rounded to float32 (relative error up to 3e-8)
    and that error is raised to the power t / D, so after n = t / D decays the Keras value
    is off by up to ~3e-8 * n relative. Keep n moderate (hundreds), or use
    :class:`ContinuousExponentialDecay`, whose Keras twin computes exp(-k t) directly.

    Twins: torch ``ExponentialLR(gamma=decay_rate)`` when ``decay_steps == 1`` and not
    staircase (native; torch multiplies by gamma at every step, which agrees with the
    power to ~1e-13 over thousands of steps), ``StepLR(decay_steps, decay_rate)`` when
    staircase with an integer ``decay_steps`` (native), else ``LambdaLR``. Keras
    ``ExponentialDecay`` (native).
    """

    initial_lr: float = arg(nonnegative)
    decay_steps: float = arg(step_count)
    decay_rate: float = arg(positive)
    staircase: bool = arg(flag, False)

    keras_twin = KerasTwin("ExponentialDecay", KERAS_NAMES)
    torch_twin = (
        TorchTwin(
            "ExponentialLR",
            lambda s: {"gamma": s.decay_rate},
            when=lambda s: s.decay_steps == 1 and not s.staircase,
        ),
        TorchTwin(
            "StepLR",
            lambda s: {"step_size": s.decay_steps, "gamma": s.decay_rate},
            when=lambda s: s.staircase and is_integral(s.decay_steps),
        ),
    )

    @classmethod
    def continuous(cls, initial_lr, k):
        """``initial_lr * exp(-k t)``: a :class:`ContinuousExponentialDecay`."""
        return ContinuousExponentialDecay(initial_lr, k)

    def formula(self, xp, t):
        p = t / self.decay_steps
        if self.staircase:
            p = xp.floor(p)
        return self.initial_lr * xp.power(self.decay_rate, p)

    def _plot_end(self):  # five half-lives
        if self.decay_rate == 1.0:
            return 100
        return max(10, 5 * self.decay_steps * math.log(2) / abs(math.log(self.decay_rate)))


class ContinuousExponentialDecay(Schedule):
    """Continuous exponential decay.

        lr(t) = initial_lr * exp(-k * t)

    The same curve as ``ExponentialDecay(initial_lr, 1, decay_rate=exp(-k))``, but
    evaluated as exp(-k t) directly (``ExponentialDecay.continuous(lr0, k)`` builds it
    too). Syllabus: lr0 0.1, k 0.1 (per epoch) gives 0.1/e at epoch 10:

    >>> s = ContinuousExponentialDecay(0.1, k=0.1)
    >>> s([0, 10, 20])
    array([0.1       , 0.03678794, 0.01353353])

    Twins: torch ``ExponentialLR(gamma=exp(-k))`` (native; agrees to ~1e-13 over
    thousands of steps); the generic Keras schedule, which computes exp(-k t) in float32
    (relative error ~1e-7 * k t). Keras' own ``ExponentialDecay`` would round exp(-k) to
    float32 and raise that error to the power t, which grows without bound.
    """

    initial_lr: float = arg(nonnegative)
    k: float = arg(nonnegative)

    torch_twin = TorchTwin("ExponentialLR", lambda s: {"gamma": math.exp(-s.k)})

    def formula(self, xp, t):
        return self.initial_lr * xp.exp(-self.k * t)

    def _plot_end(self):  # five half-lives
        return max(10, 5 * math.log(2) / self.k) if self.k else 100


class PolynomialDecay(Schedule):
    """Polynomial decay to ``end_lr`` over ``decay_steps``, Keras ``PolynomialDecay``.

        lr(t) = (initial_lr - end_lr) * (1 - (min(t, D) / D) ^ k) ^ power + end_lr

    Then it holds at ``end_lr``. With ``cycle=True`` (Keras semantics) D is multiplied by
    ceil(t / D) (by 1 at t = 0), so the lr jumps back up at every multiple of D and decays
    again over a longer and longer stretch. ``end_lr`` defaults to Keras' 1e-4; torch's
    ``PolynomialLR`` decays to 0. With power > 1 it decays faster than linear from the
    start, and its relative decay rate ``power / (D - t)`` keeps growing, while an
    exponential's stays constant:

    >>> PolynomialDecay(0.1, decay_steps=100, end_lr=0.0, power=2.0)([0, 10, 50, 100, 200])
    array([0.1  , 0.081, 0.025, 0.   , 0.   ])
    >>> PolynomialDecay(0.1, decay_steps=100, end_lr=0.0, power=1.0)(10)
    0.09000000000000001

    ``k_decay`` (Zhang & Li 2020, "k-decay"; timm's ``PolyLRScheduler``): time enters as
    (t / D)^k, so k > 1 holds the lr high for longer and drops it late; k = 1 is the plain
    schedule. timm's ``PolyLRScheduler(t_initial=D, power, lr_min=end_lr, k_decay=k)`` is
    this schedule (without ``cycle``).

    >>> PolynomialDecay(0.1, 100, end_lr=0.0, k_decay=2.0)([0, 50, 90, 100])
    array([0.1  , 0.075, 0.019, 0.   ])

    Twins: torch ``PolynomialLR(total_iters=D, power=power)`` when ``end_lr == 0``, no
    cycle, ``k_decay == 1`` and an integer D (native), else ``LambdaLR``; Keras
    ``PolynomialDecay`` (native) when ``k_decay == 1``, else the generic Keras schedule.
    """

    initial_lr: float = arg(nonnegative)
    decay_steps: float = arg(step_count)
    end_lr: float = arg(nonnegative, 1e-4)
    power: float = arg(nonnegative, 1.0)
    cycle: bool = arg(flag, False)
    k_decay: float = arg(positive, 1.0)

    keras_twin = KerasTwin("PolynomialDecay", {**KERAS_NAMES, "k_decay": None})
    torch_twin = TorchTwin(
        "PolynomialLR",
        lambda s: {"total_iters": s.decay_steps, "power": s.power},
        when=lambda s: (
            s.end_lr == 0 and not s.cycle and s.k_decay == 1 and is_integral(s.decay_steps)
        ),
    )

    def formula(self, xp, t):
        d = self.decay_steps
        if self.cycle:
            d = d * xp.where(t == 0, 1.0, xp.ceil(t / d))
        else:
            t = xp.minimum(t, d)
        decayed = remaining_power(xp, t, d, self.k_decay)  # 1 - (t / d)^k, float32-safe
        return (self.initial_lr - self.end_lr) * xp.power(decayed, self.power) + self.end_lr

    def _plot_end(self):
        return self.decay_steps * (3 if self.cycle else 1.2)


class StepDecay(Schedule):
    """Step decay: multiply by ``gamma`` every ``step_size`` steps (or epochs).

        lr(t) = initial_lr * gamma ^ floor(t / step_size)

    The change happens AT t = step_size, 2 step_size, ... (the update with index
    step_size is the first to use the lower lr), as torch's ``StepLR`` does. It is
    ``ExponentialDecay(initial_lr, step_size, gamma, staircase=True)`` under its torch
    name. Syllabus: lr0 0.1 halved every 10 epochs gives 0.05 at epoch 10 and 0.025 at 20;
    "divide by 10 every 30 epochs" is ``StepDecay(lr0, 30)`` (gamma defaults to 0.1).

    >>> StepDecay(0.1, step_size=10, gamma=0.5)([0, 9, 10, 19, 20])
    array([0.1  , 0.1  , 0.05 , 0.05 , 0.025])
    >>> StepDecay(0.1, step_size=30)([29, 30, 60])
    array([0.1  , 0.01 , 0.001])

    Twins: torch ``StepLR(step_size, gamma)`` for an integer step_size (native), else
    ``LambdaLR``; Keras ``ExponentialDecay(..., staircase=True)`` (native).
    """

    initial_lr: float = arg(nonnegative)
    step_size: float = arg(step_count)
    gamma: float = arg(positive, 0.1)

    keras_twin = KerasTwin(
        "ExponentialDecay",
        {**KERAS_NAMES, "step_size": "decay_steps", "gamma": "decay_rate"},
        fixed={"staircase": True},
    )
    torch_twin = TorchTwin(
        "StepLR",
        lambda s: {"step_size": s.step_size, "gamma": s.gamma},
        when=lambda s: is_integral(s.step_size),
    )

    # ExponentialDecay's names for the same numbers (StepDecay was its subclass until the
    # declarative rewrite, and these attributes are public API)
    @property
    def decay_steps(self):
        return self.step_size

    @property
    def decay_rate(self):
        return self.gamma

    @property
    def staircase(self) -> bool:
        return True

    continuous = ExponentialDecay.__dict__["continuous"]

    def formula(self, xp, t):
        return self.initial_lr * xp.power(self.gamma, xp.floor(t / self.step_size))

    def _plot_end(self):
        return 4 * self.step_size
