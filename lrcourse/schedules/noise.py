"""Seeded learning-rate noise (timm's ``noise_range_t``, ``noise_pct``, ``noise_seed``)."""

from __future__ import annotations

import numpy as np

from .base import Schedule, arg, choice, nonnegative, positive
from .constant import as_schedule

NOISE_TYPES = ("normal", "uniform")


def noise_range(name, value) -> list:
    """A start step, or ``[start, end)``."""
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise ValueError(f"{name} must be a step or a pair [start, end), got {value!r}")
        start, end = (nonnegative(f"{name}[{i}]", v) for i, v in enumerate(value))
        if end <= start:
            raise ValueError(f"{name} must have start < end, got {value!r}")
        return [start, end]
    return nonnegative(name, value)


class LRNoise(Schedule):
    """A schedule with seeded relative noise in a range of steps, as timm adds it.

        lr(t) = schedule(t) * (1 + n_t)     for start <= t < end, else schedule(t)

    ``n_t`` is drawn from a generator seeded with ``noise_seed + t``, so it is a pure
    function of the step (the same run gives the same noise, resumed or not):
    "normal": a standard normal, drawn again until ``|n_t| < noise_pct``; "uniform":
    uniform on (-noise_pct, noise_pct). ``noise_range`` is the start step, or a pair
    ``[start, end)``. Fractional steps use the noise of their floor.

    >>> s = LRNoise(CosineDecay(0.1, 100), noise_range=[20, 80], noise_seed=0)
    >>> s([10, 50, 90]) / CosineDecay(0.1, 100)([10, 50, 90])
    array([1.       , 1.4863814, 1.       ])

    Same recipe as timm's ``Scheduler._add_noise`` with NumPy's generator
    (``default_rng(noise_seed + t)``) instead of torch's ``Generator``: same distribution
    and seeding, different numbers. (timm's ``noise_std`` is accepted there but unused.)

    Twins: torch ``LambdaLR``; no Keras schedule (a NumPy generator cannot run inside a
    Keras graph): ``to_keras()`` raises NotImplementedError; ``to_keras_callback()``
    (per epoch, as timm usually applies noise) works.
    """

    schedule: Schedule = arg(as_schedule)
    noise_range: float | list = arg(noise_range)
    noise_pct: float = arg(positive, 0.67)
    noise_type: str = arg(choice(*NOISE_TYPES), "normal")
    noise_seed: int = arg(lambda name, value: int(nonnegative(name, value)), 42)

    def formula(self, xp, t):
        if xp is not np:
            raise NotImplementedError("LRNoise has no keras.ops formula: see to_keras()")
        start, end = (
            self.noise_range if isinstance(self.noise_range, list) else (self.noise_range, np.inf)
        )
        noisy = (t >= start) & (t < end)
        noise = np.zeros(t.shape)
        noise[noisy] = [self.noise(int(step)) for step in np.floor(t[noisy])]
        lr = self.schedule.formula(np, t)
        return lr + lr * noise

    def noise(self, step: int) -> float:
        """n_t for step ``step``."""
        rng = np.random.default_rng(self.noise_seed + step)
        if self.noise_type == "uniform":
            return 2 * (rng.random() - 0.5) * self.noise_pct
        while True:
            n = rng.standard_normal()
            if abs(n) < self.noise_pct:
                return float(n)

    def to_keras(self):
        raise NotImplementedError(
            "LRNoise has no Keras schedule: its noise comes from NumPy's generator, which "
            "cannot run inside a Keras graph. Use to_keras_callback() (per epoch)."
        )

    def _plot_end(self):
        return self.schedule.horizon - 1
