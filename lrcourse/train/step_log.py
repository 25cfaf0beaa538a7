"""Per-step records kept on the device and copied back in chunks.

Reading a loss back from a GPU makes Python wait for the GPU, so a trainer appends the
step's learning rate and (device-resident) loss here and ``flush``\\ es every
``SYNC_EVERY`` steps: one copy per chunk. ``flush`` is also where divergence is caught: the
first loss that is NaN/inf, or more than ``DIVERGENCE_FACTOR`` times the run's first loss,
ends the run with "diverged at step k (lr=...)" in the history. (The second rule is for
Keras, whose cross-entropy on huge logits stays finite -- 1e19 -- where PyTorch's turns
NaN; a cross-entropy 10,000 times its starting value does not come back.)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .history import History
from .progress import RunProgress

SYNC_EVERY = 25  # steps between device -> host copies
DIVERGENCE_FACTOR = 1e4  # a loss this many times the first one counts as diverged


class StepLog:
    """Buffer of ``(lr, loss)`` for steps ``first_step, first_step + 1, ...``."""

    def __init__(self, history: History, progress: RunProgress, to_numpy: Callable):
        self.history, self.progress, self.to_numpy = history, progress, to_numpy
        self.lrs: list = []
        self.losses: list = []
        self.limit = np.inf  # set from the first loss

    @property
    def step(self) -> int:
        """Index of the next step to be appended (recorded + buffered)."""
        return self.history.num_steps + len(self.losses)

    def append(self, lr, loss) -> bool:
        """Record one step; flushes when the buffer is full. False once diverged."""
        self.lrs.append(lr)
        self.losses.append(loss)
        return self.flush() if len(self.losses) >= SYNC_EVERY else True

    def flush(self) -> bool:
        """Copy the buffered steps to the history; False (and the message set) on NaN/inf."""
        if self.history.diverged is not None:  # nothing is recorded after a divergence
            self.lrs, self.losses = [], []
            return False
        if not self.losses:
            return True
        first_step = self.history.num_steps
        lrs = np.asarray(self.to_numpy(self.lrs), dtype=np.float64).reshape(-1)
        losses = np.asarray(self.to_numpy(self.losses), dtype=np.float64).reshape(-1)
        self.lrs, self.losses = [], []
        if first_step == 0 and np.isfinite(losses[0]):
            self.limit = DIVERGENCE_FACTOR * max(abs(losses[0]), 1e-3)
        with np.errstate(invalid="ignore"):
            bad = np.flatnonzero(~np.isfinite(losses) | (losses > self.limit))
        if bad.size:
            k = int(bad[0])
            self.history.record_steps(lrs[:k], losses[:k])
            self.history.mark_diverged(first_step + k, float(lrs[k]))
            return False
        self.history.record_steps(lrs, losses)
        self.progress.update(len(losses), float(lrs[-1]), float(losses[-1]))
        return True
