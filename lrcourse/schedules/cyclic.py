"""Cyclical learning rates (Smith 2017) and the 1-cycle policy (Smith & Topin 2018).

Both reproduce torch's arithmetic exactly (``torch.optim.lr_scheduler.CyclicLR`` and
``OneCycleLR`` with ``cycle_momentum=False``; the momentum cycling they can also do is
not part of a learning-rate schedule).
"""

from __future__ import annotations

import functools
import math

from .. import validation
from .base import (
    Schedule,
    TorchTwin,
    arg,
    choice,
    fields_of,
    flag,
    nonnegative,
    optional,
    positive,
    step_count,
)

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

    base_lr: float = arg(nonnegative)
    max_lr: float = arg(nonnegative)
    step_size_up: float = arg(step_count, 2000)
    step_size_down: float | None = arg(optional(step_count), None)
    mode: str = arg(choice(*CYCLIC_MODES), "triangular")
    gamma: float = arg(positive, 1.0)

    # torch's CyclicLR takes our arguments, momentum cycling off
    torch_twin = TorchTwin(
        "CyclicLR", lambda s: {**fields_of(s), "cycle_momentum": False}, start_lr="base_lr"
    )

    def formula(self, xp, t):
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

    def _plot_end(self):
        down = self.step_size_up if self.step_size_down is None else self.step_size_down
        return 3 * (self.step_size_up + down)


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

    max_lr: float = arg(nonnegative)
    total_steps: int = arg(functools.partial(validation.check_int, low=2))
    pct_start: float = arg(functools.partial(validation.check_number, low=0.0, high=1.0), 0.3)
    anneal_strategy: str = arg(choice(*ANNEAL_STRATEGIES), "cos")
    div_factor: float = arg(positive, 25.0)
    final_div_factor: float = arg(positive, 1e4)
    three_phase: bool = arg(flag, False)

    torch_twin = TorchTwin(
        "OneCycleLR", lambda s: {**fields_of(s), "cycle_momentum": False}, start_lr="initial_lr"
    )

    def __post_init__(self):
        super().__post_init__()
        self._phases  # noqa: B018 - checks that every phase has a length

    @property
    def initial_lr(self) -> float:
        """The lr of the first update, ``max_lr / div_factor``."""
        return self.max_lr / self.div_factor

    @functools.cached_property
    def _phases(self) -> list:
        """``(start step, end step, start lr, end lr)`` of each phase."""
        initial = self.initial_lr
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
        return list(zip(starts, ends, lrs[:-1], lrs[1:], strict=True))

    def _anneal(self, xp, start, end, pct):
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (xp.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def formula(self, xp, t):
        t = xp.minimum(t, self.total_steps - 1.0)
        *early, last = self._phases
        s, e, lr_start, lr_end = last
        out = self._anneal(xp, lr_start, lr_end, (t - s) / (e - s))
        for s, e, lr_start, lr_end in reversed(early):
            out = xp.where(t <= e, self._anneal(xp, lr_start, lr_end, (t - s) / (e - s)), out)
        return out

    def _plot_end(self):
        return self.total_steps - 1
