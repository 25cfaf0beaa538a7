"""Warm-up: start small, rise to the working lr, then hand over to a decay.

Large early updates (random weights, Adam's young second-moment estimate, big batches)
can wreck a run; a short warm-up avoids them. The recipes:

- :class:`LinearWarmup`: a linear ramp in front of any schedule;
- :class:`InverseSqrt`: the Transformer's (Vaswani et al. 2017, "Noam") schedule;
- :class:`WarmupLinearDecay`: BERT's linear warm-up then linear decay to 0;
- :class:`WarmupStableDecay`: warm-up, a long constant stretch, then a short decay
  (WSD, the large-language-model recipe since MiniCPM, Hu et al. 2024).
"""

from __future__ import annotations

import functools

from .annealing import half_cosine
from .base import (
    Schedule,
    arg,
    choice,
    fraction,
    nonnegative,
    positive,
    step_count,
    step_count_or_zero,
)
from .constant import as_schedule
from .decay import PolynomialDecay

WSD_SHAPES = ("linear", "cosine", "1-sqrt")


class LinearWarmup(Schedule):
    """A linear ramp from ``start_lr`` to ``after(0)`` over ``warmup_steps``, then ``after``.

        lr(t) = start_lr + (after(0) - start_lr) * t / W     for t < W
        lr(t) = after(t - W)                                 for t >= W

    ``after`` is a schedule or a number (a constant target); it starts at step W, where
    it sees step 0. Syllabus: target 0.01 over 5 epochs gives 0.002 at epoch 1 and 0.01 at
    epoch 5 (``target * epoch / warmup_epochs``); or start at 1e-4 and rise linearly.

    >>> LinearWarmup(0.01, warmup_steps=5)([0, 1, 2, 5, 9])
    array([0.   , 0.002, 0.004, 0.01 , 0.01 ])
    >>> LinearWarmup(0.01, warmup_steps=5, start_lr=1e-4)([0, 1, 5])
    array([0.0001 , 0.00208, 0.01   ])

    With ``start_lr = 0`` the first update (t = 0) uses lr 0 and does nothing, as in
    Keras' ``CosineDecay(0.0, ..., warmup_target=...)`` and Hugging Face's schedules; set a
    small ``start_lr`` if that wasted step matters.

    Twins: torch ``LambdaLR`` (torch's ``LinearLR`` cannot start at 0); Keras
    ``CosineDecay(start_lr, D, alpha, warmup_target=after's lr, warmup_steps=W)`` (native)
    when ``after`` is a :class:`CosineDecay` whose own twin is Keras' ``CosineDecay``
    without a warm-up, else the generic Keras schedule.
    """

    after: Schedule = arg(as_schedule)
    warmup_steps: float = arg(step_count_or_zero)
    start_lr: float = arg(nonnegative, 0.0)

    def formula(self, xp, t):
        w, target = self.warmup_steps, self.after(0)
        ramp = self.start_lr + (target - self.start_lr) * (t / max(w, 1))
        return xp.where(t < w, ramp, self.after.formula(xp, xp.maximum(t - w, 0.0)))

    def _native_keras(self):  # Keras' CosineDecay has a linear warm-up built in
        after = self.after._native_keras()
        if after is None or after[0] != "CosineDecay" or after[1]["warmup_target"] is not None:
            return None
        name, kwargs = after
        warmup = {"initial_learning_rate": self.start_lr, "warmup_steps": self.warmup_steps}
        return name, {**kwargs, **warmup, "warmup_target": kwargs["initial_learning_rate"]}

    def _plot_end(self):
        return self.warmup_steps + self.after.horizon - 1


class WarmupLinearDecay(Schedule):
    """BERT's schedule (Hugging Face ``get_linear_schedule_with_warmup``).

        lr(t) = peak_lr * t / W                              for t < W
        lr(t) = peak_lr * max(0, (N - t) / (N - W))           for t >= W

    with W = ``warmup_steps`` and N = ``total_steps``; it is
    ``LinearWarmup(PolynomialDecay(peak_lr, N - W, end_lr=0), W)``. Step 0 gives lr 0, as
    in Hugging Face. Syllabus: peak 5e-5, 10,000 warm-up steps, Adam (0.9, 0.999, 1e-6).

    >>> s = WarmupLinearDecay(5e-5, warmup_steps=10_000, total_steps=100_000)
    >>> s([0, 5_000, 10_000, 55_000, 100_000, 120_000])
    array([0.0e+00, 2.5e-05, 5.0e-05, 2.5e-05, 0.0e+00, 0.0e+00])

    Twins: torch ``LambdaLR``; the generic Keras schedule.
    """

    peak_lr: float = arg(nonnegative)
    warmup_steps: float = arg(step_count_or_zero)
    total_steps: float = arg(step_count)

    def __post_init__(self):
        super().__post_init__()
        if self.total_steps <= self.warmup_steps:
            raise ValueError(
                f"total_steps must be > warmup_steps ({self.warmup_steps}), got {self.total_steps}"
            )

    # LinearWarmup's attributes (WarmupLinearDecay was its subclass until the declarative
    # rewrite, and these are public API)
    @property
    def after(self) -> Schedule:
        """The linear decay the warm-up leads into."""
        return self._as_warmup.after

    @property
    def start_lr(self) -> float:
        return 0.0

    @functools.cached_property
    def _as_warmup(self):
        n, w = self.total_steps, self.warmup_steps
        return LinearWarmup(PolynomialDecay(self.peak_lr, n - w, end_lr=0.0, power=1.0), w)

    def formula(self, xp, t):
        return self._as_warmup.formula(xp, t)

    def _plot_end(self):
        return 1.05 * self.total_steps


class InverseSqrt(Schedule):
    """The Transformer's warm-up then inverse-square-root decay (Vaswani et al. 2017).

    The paper: ``lr = d_model^-0.5 * min(s^-0.5, s * W^-1.5)`` with ``s = step_num``
    counted FROM 1, W = 4000. It peaks at s = W with ``d_model^-0.5 * W^-0.5``; written
    with that peak:

        lr(t) = peak_lr * min(sqrt(W / s), s / W),   s = t + 1

    Off-by-one: our t counts updates already done (from 0), so the paper's step_num is
    t + 1: the first update uses step_num 1 (lr = peak / W, not 0), the peak is at
    t = W - 1. (Hugging Face's ``get_inverse_sqrt_schedule`` is a different variant: t / W
    from 0, then ``1 / sqrt((t + tau - W) / tau)``.) Syllabus: W 4000, Adam (0.9, 0.98,
    1e-9); base lr 0.001, or the paper's d_model = 512:

    >>> s = InverseSqrt.from_d_model(512, warmup_steps=4000)
    >>> round(s.peak_lr, 8), round(s(3999), 8), round(s(0), 11), round(s(15999), 8)
    (0.00069877, 0.00069877, 1.7469e-07, 0.00034939)

    Twins: torch ``LambdaLR``; the generic Keras schedule.
    """

    peak_lr: float = arg(nonnegative)
    warmup_steps: float = arg(step_count, 4000)

    @classmethod
    def from_d_model(cls, d_model, warmup_steps=4000, scale=1.0):
        """The paper's form: ``scale * d_model^-0.5 * min(s^-0.5, s * W^-1.5)``."""
        d_model = positive("d_model", d_model)
        warmup_steps = step_count("warmup_steps", warmup_steps)
        scale = nonnegative("scale", scale)
        return cls(scale * d_model**-0.5 * warmup_steps**-0.5, warmup_steps)

    def formula(self, xp, t):
        s, w = t + 1.0, self.warmup_steps
        return self.peak_lr * xp.minimum(xp.sqrt(w / s), s / w)

    def _plot_end(self):
        return 10 * self.warmup_steps


class WarmupStableDecay(Schedule):
    """Warm-up, stable, decay (WSD): Hugging Face ``get_wsd_schedule``.

    With W, S, D = ``warmup_steps``, ``stable_steps``, ``decay_steps``, m =
    ``min_lr_ratio`` and ``f * (1 - m) + m`` written ``m|f``:

        lr(t) = peak_lr * m|rise(t / W)               for t < W            (warm-up)
        lr(t) = peak_lr                               for W <= t < W + S   (stable)
        lr(t) = peak_lr * m|fall((t - W - S) / D)     for t < W + S + D    (decay)
        lr(t) = peak_lr * m                           after

    rise (``warmup_type``): "linear" p, "cosine" (1 - cos(pi p)) / 2, "1-sqrt"
    1 - sqrt(1 - p); fall (``decay_type``): "linear" 1 - p, "cosine"
    (1 + cos(2 pi num_cycles p)) / 2, "1-sqrt" 1 - sqrt(p) (Hägele et al. 2024). As in
    Hugging Face the warm-up starts at ``m * peak_lr`` and W, D below 1 count as 1.
    Unlike a cosine, the stable phase needs no run length: train at the peak as long as
    the budget allows, and decay (about 10-20% of the run) only at the end.

    >>> s = WarmupStableDecay(1e-3, warmup_steps=10, stable_steps=70, decay_steps=20)
    >>> s([0, 5, 10, 79, 80, 90, 100])
    array([0.    , 0.0005, 0.001 , 0.001 , 0.001 , 0.0005, 0.    ])
    >>> WarmupStableDecay(1e-3, 0, 0, 100, decay_type="1-sqrt", min_lr_ratio=0.1)([25, 100])
    array([0.00055, 0.0001 ])

    Neither Keras nor optax has a WSD schedule. Twins: torch ``LambdaLR`` (exactly what
    ``get_wsd_schedule`` returns); the generic Keras schedule.
    """

    peak_lr: float = arg(nonnegative)
    warmup_steps: float = arg(step_count_or_zero)
    stable_steps: float = arg(step_count_or_zero)
    decay_steps: float = arg(step_count_or_zero)
    warmup_type: str = arg(choice(*WSD_SHAPES), "linear")
    decay_type: str = arg(choice(*WSD_SHAPES), "cosine")
    min_lr_ratio: float = arg(fraction, 0.0)
    num_cycles: float = arg(nonnegative, 0.5)

    @classmethod
    def from_total_steps(cls, peak_lr, warmup_steps, decay_steps, total_steps, **kwargs):
        """Hugging Face's ``num_training_steps``: the stable phase is what is left."""
        warmup_steps = step_count_or_zero("warmup_steps", warmup_steps)
        decay_steps = step_count_or_zero("decay_steps", decay_steps)
        total_steps = step_count("total_steps", total_steps)
        if total_steps < warmup_steps + decay_steps:
            raise ValueError(
                f"total_steps must be >= warmup_steps + decay_steps "
                f"({warmup_steps + decay_steps}), got {total_steps}"
            )
        stable = total_steps - warmup_steps - decay_steps
        return cls(peak_lr, warmup_steps, stable, decay_steps, **kwargs)

    def formula(self, xp, t):
        w, s, d, m = self.warmup_steps, self.stable_steps, self.decay_steps, self.min_lr_ratio
        up = _rise(xp, self.warmup_type, xp.minimum(t / max(1, w), 1.0)) * (1.0 - m) + m
        # the decay's remaining fraction 1 - p, p = (t - W - S) / D, computed directly
        left = xp.minimum(xp.maximum(w + s + max(1, d) - t, 0.0) / max(1, d), 1.0)
        down = _fall(xp, self.decay_type, left, self.num_cycles) * (1.0 - m) + m
        factor = xp.where(t < w + s + d, down, m)
        return self.peak_lr * xp.where(t < w, up, xp.where(t < w + s, 1.0, factor))

    def _plot_end(self):
        return 1.1 * (self.warmup_steps + self.stable_steps + self.decay_steps)


def _rise(xp, shape, p):
    """WSD's warm-up factor, 0 -> 1 as p goes 0 -> 1, in forms that do not cancel near
    p = 0: (1 - cos(pi p)) / 2 = sin^2(pi p / 2) and 1 - sqrt(1 - p) = p / (1 + sqrt(1 - p))."""
    if shape == "linear":
        return p
    if shape == "cosine":
        return half_cosine(xp, p)
    return p / (1.0 + xp.sqrt(1.0 - p))


def _fall(xp, shape, left, num_cycles):
    """WSD's decay factor as a function of ``left`` = 1 - p (1 -> 0 as p goes 0 -> 1, for
    num_cycles 0.5): "linear" 1 - p; "cosine" (1 + cos(2 pi n p)) / 2, which is
    sin^2(pi (1 - 2 n p) / 2); "1-sqrt" 1 - sqrt(p) = (1 - p) / (1 + sqrt(p)). Written in
    ``left`` so that float32 does not cancel near the end of the decay."""
    if shape == "linear":
        return left
    if shape == "cosine":
        return half_cosine(xp, (1.0 - 2.0 * num_cycles) + 2.0 * num_cycles * left)
    return left / (1.0 + xp.sqrt(1.0 - left))
