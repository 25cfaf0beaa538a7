"""Cyclical learning rates (Smith 2017) and the 1-cycle policy (Smith & Topin 2018).

Both reproduce torch's arithmetic exactly (``torch.optim.lr_scheduler.CyclicLR`` and
``OneCycleLR`` with ``cycle_momentum=False``; the momentum cycling they can also do is
not part of a learning-rate schedule).
"""

from __future__ import annotations

import math

from .. import validation
from .base import Schedule, check_count

CYCLIC_MODES = ("triangular", "triangular2", "exp_range")
ANNEAL_STRATEGIES = ("cos", "linear")


class CyclicLR(Schedule):
    """Cyclical learning rate (CLR): a triangle wave between ``base_lr`` and ``max_lr``.

    With ``total = step_size_up + step_size_down`` and ``ratio = step_size_up / total``
    (torch's formula, step-indexed: one cycle per ``total`` updates):

        cycle = floor(1 + t / total)
        x     = 1 + t / total - cycle                  (position in the cycle, [0, 1))
        h     = x / ratio             if x <= ratio    (rising)
                (x - 1) / (ratio - 1) otherwise        (falling)
        lr(t) = base_lr + (max_lr - base_lr) * h * scale

    ``scale`` by mode: "triangular" 1; "triangular2" 1 / 2^(cycle - 1) (the height halves
    every cycle); "exp_range" gamma^t (t in updates, computed as exp(t * ln gamma), which
    keeps the float32 Keras twin accurate). ``step_size_down`` defaults to
    ``step_size_up``.

    >>> s = CyclicLR(0.001, 0.006, step_size_up=2000)
    >>> s([0, 1000, 2000, 3000, 4000])
    array([0.001 , 0.0035, 0.006 , 0.0035, 0.001 ])
    >>> CyclicLR(0.001, 0.006, step_size_up=2000, mode="triangular2")([2000, 6000, 10000])
    array([0.006  , 0.0035 , 0.00225])

    Twins: torch ``CyclicLR(..., cycle_momentum=False)`` (native); the generic Keras
    schedule (Keras has no cyclical schedule).
    """

    def __init__(
        self,
        base_lr,
        max_lr,
        step_size_up=2000,
        step_size_down=None,
        mode="triangular",
        gamma=1.0,
    ):
        self.base_lr = validation.check_nonnegative("base_lr", base_lr)
        self.max_lr = validation.check_nonnegative("max_lr", max_lr)
        self.step_size_up = check_count("step_size_up", step_size_up)
        if step_size_down is not None:
            step_size_down = check_count("step_size_down", step_size_down)
        self.step_size_down = step_size_down
        self.mode = validation.check_choice("mode", mode, CYCLIC_MODES)
        self.gamma = validation.check_positive("gamma", gamma)

    def _formula(self, xp, t):
        up = float(self.step_size_up)
        down = up if self.step_size_down is None else float(self.step_size_down)
        total = up + down
        ratio = up / total
        cycle = xp.floor(1 + t / total)
        x = 1.0 + t / total - cycle
        h = xp.where(x <= ratio, x / ratio, (x - 1) / (ratio - 1))
        height = (self.max_lr - self.base_lr) * h
        if self.mode == "triangular2":
            height = height * (1 / xp.power(2.0, cycle - 1))
        elif self.mode == "exp_range":
            height = height * xp.exp(t * math.log(self.gamma))
        return self.base_lr + height

    def _torch_native(self):  # torch's CyclicLR takes our arguments, momentum cycling off
        return "CyclicLR", {**self._args(), "cycle_momentum": False}, self.base_lr

    def _horizon(self):
        down = self.step_size_up if self.step_size_down is None else self.step_size_down
        return round(3 * (self.step_size_up + down))

    def _args(self):
        return {
            "base_lr": self.base_lr,
            "max_lr": self.max_lr,
            "step_size_up": self.step_size_up,
            "step_size_down": self.step_size_down,
            "mode": self.mode,
            "gamma": self.gamma,
        }


class OneCycle(Schedule):
    """The 1-cycle policy, torch's ``OneCycleLR`` (learning rate only).

    Start at ``initial = max_lr / div_factor``, rise to ``max_lr``, then fall to
    ``min = initial / final_div_factor``, far below the start. Phases end at torch's
    (fractional) steps, with N = ``total_steps`` and p = ``pct_start``:

        two phases:   initial -> max_lr  until e1 = p N - 1;   max_lr -> min  until N - 1
        three_phase:  initial -> max_lr  until e1 = p N - 1;   max_lr -> initial until
                      e2 = 2 p N - 2;   initial -> min  until N - 1

    Within a phase from step s to e, with ``pct = (t - s) / (e - s)``:
    "cos": ``end + (start - end) / 2 * (cos(pi pct) + 1)``; "linear":
    ``(end - start) pct + start``.

    >>> s = OneCycle(0.1, total_steps=100)
    >>> s([0, 29, 99])
    array([4.e-03, 1.e-01, 4.e-07])

    Beyond the run: a one-cycle run has exactly N updates, t = 0 ... N - 1. For t > N - 1
    ours holds the final lr (``min``). torch's scheduler, stepped after the last update,
    still computes a value at t = N (the cosine continued past its end, never used by an
    update) and raises ValueError on the next ``step()``; the two agree on [0, N - 1].

    Twins: torch ``OneCycleLR(..., cycle_momentum=False)`` (native); the generic Keras
    schedule.
    """

    def __init__(
        self,
        max_lr,
        total_steps,
        pct_start=0.3,
        anneal_strategy="cos",
        div_factor=25.0,
        final_div_factor=1e4,
        three_phase=False,
    ):
        self.max_lr = validation.check_nonnegative("max_lr", max_lr)
        self.total_steps = validation.check_int("total_steps", total_steps, low=2)
        self.pct_start = validation.check_number("pct_start", pct_start, low=0.0, high=1.0)
        self.anneal_strategy = validation.check_choice(
            "anneal_strategy", anneal_strategy, ANNEAL_STRATEGIES
        )
        self.div_factor = validation.check_positive("div_factor", div_factor)
        self.final_div_factor = validation.check_positive("final_div_factor", final_div_factor)
        self.three_phase = bool(three_phase)
        initial = self.max_lr / self.div_factor
        final = initial / self.final_div_factor
        n, p = self.total_steps, self.pct_start
        if self.three_phase:
            ends = [float(p * n) - 1, float(2 * p * n) - 2, n - 1]
            lrs = [initial, self.max_lr, initial, final]
        else:
            ends = [float(p * n) - 1, n - 1]
            lrs = [initial, self.max_lr, final]
        starts = [0.0, *ends[:-1]]
        if any(e <= s for s, e in zip(starts, ends, strict=True)):
            raise ValueError(
                f"pct_start={p} with total_steps={n} leaves a phase of no length (phase ends "
                f"at steps {ends}): every phase must last more than one step"
            )
        self._phases = list(zip(starts, ends, lrs[:-1], lrs[1:], strict=True))

    def _anneal(self, xp, start, end, pct):
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (xp.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def _formula(self, xp, t):
        t = xp.minimum(t, self.total_steps - 1.0)
        *early, last = self._phases
        s, e, lr_start, lr_end = last
        out = self._anneal(xp, lr_start, lr_end, (t - s) / (e - s))
        for s, e, lr_start, lr_end in reversed(early):
            out = xp.where(t <= e, self._anneal(xp, lr_start, lr_end, (t - s) / (e - s)), out)
        return out

    def _torch_native(self):
        kwargs = {
            "max_lr": self.max_lr,
            "total_steps": self.total_steps,
            "pct_start": self.pct_start,
            "anneal_strategy": self.anneal_strategy,
            "cycle_momentum": False,
            "div_factor": self.div_factor,
            "final_div_factor": self.final_div_factor,
            "three_phase": self.three_phase,
        }
        return "OneCycleLR", kwargs, self.max_lr / self.div_factor

    def _horizon(self):
        return self.total_steps - 1

    def _args(self):
        return {
            "max_lr": self.max_lr,
            "total_steps": self.total_steps,
            "pct_start": self.pct_start,
            "anneal_strategy": self.anneal_strategy,
            "div_factor": self.div_factor,
            "final_div_factor": self.final_div_factor,
            "three_phase": self.three_phase,
        }
