"""Warm-up: start small, rise to the working lr, then hand over to a decay.

Large early updates (random weights, Adam's young second-moment estimate, big batches)
can wreck a run; a short warm-up avoids them. Three recipes from the syllabus:

- :class:`LinearWarmup`: a linear ramp in front of any schedule;
- :class:`InverseSqrt`: the Transformer's (Vaswani et al. 2017, "Noam") schedule;
- :class:`WarmupLinearDecay`: BERT's linear warm-up then linear decay to 0.
"""

from __future__ import annotations

from .. import validation
from .base import Schedule, as_schedule, check_count
from .cosine import CosineDecay
from .decay import PolynomialDecay


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
    when ``after`` is a :class:`CosineDecay` without its own warm-up, else the generic
    Keras schedule.
    """

    def __init__(self, after, warmup_steps, start_lr=0.0):
        self.after = as_schedule(after, "after")
        self.warmup_steps = check_count("warmup_steps", warmup_steps, low_open=False)
        self.start_lr = validation.check_nonnegative("start_lr", start_lr)
        self._target = self.after(0)

    def _formula(self, xp, t):
        w = self.warmup_steps
        ramp = self.start_lr + (self._target - self.start_lr) * (t / max(w, 1))
        return xp.where(t < w, ramp, self.after._formula(xp, xp.maximum(t - w, 0.0)))

    def _keras_native(self):
        after = self.after
        if type(after) is CosineDecay and after.warmup_target is None:
            return "CosineDecay", {
                "initial_learning_rate": self.start_lr,
                "decay_steps": after.decay_steps,
                "alpha": after.alpha,
                "warmup_target": after.initial_lr,
                "warmup_steps": self.warmup_steps,
            }
        return None

    def _horizon(self):
        return round(self.warmup_steps + self.after._horizon())

    def _args(self):
        return {"after": self.after, "warmup_steps": self.warmup_steps, "start_lr": self.start_lr}


class WarmupLinearDecay(LinearWarmup):
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

    def __init__(self, peak_lr, warmup_steps, total_steps):
        peak_lr = validation.check_nonnegative("peak_lr", peak_lr)
        warmup_steps = check_count("warmup_steps", warmup_steps, low_open=False)
        total_steps = check_count("total_steps", total_steps)
        if total_steps <= warmup_steps:
            raise ValueError(
                f"total_steps must be > warmup_steps ({warmup_steps}), got {total_steps}"
            )
        self.peak_lr, self.total_steps = peak_lr, total_steps
        decay = PolynomialDecay(peak_lr, total_steps - warmup_steps, end_lr=0.0, power=1.0)
        super().__init__(decay, warmup_steps)

    def _horizon(self):
        return round(1.05 * self.total_steps)

    def _args(self):
        return {
            "peak_lr": self.peak_lr,
            "warmup_steps": self.warmup_steps,
            "total_steps": self.total_steps,
        }


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

    def __init__(self, peak_lr, warmup_steps=4000):
        self.peak_lr = validation.check_nonnegative("peak_lr", peak_lr)
        self.warmup_steps = check_count("warmup_steps", warmup_steps)

    @classmethod
    def from_d_model(cls, d_model, warmup_steps=4000, scale=1.0):
        """The paper's form: ``scale * d_model^-0.5 * min(s^-0.5, s * W^-1.5)``."""
        d_model = validation.check_positive("d_model", d_model)
        warmup_steps = check_count("warmup_steps", warmup_steps)
        scale = validation.check_nonnegative("scale", scale)
        return cls(scale * d_model**-0.5 * warmup_steps**-0.5, warmup_steps)

    def _formula(self, xp, t):
        s = t + 1.0
        w = self.warmup_steps
        return self.peak_lr * xp.minimum(xp.sqrt(w / s), s / w)

    def _horizon(self):
        return round(10 * self.warmup_steps)

    def _args(self):
        return {"peak_lr": self.peak_lr, "warmup_steps": self.warmup_steps}
