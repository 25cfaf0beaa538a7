"""Seeded learning-rate noise (timm's ``noise_range_t``, ``noise_pct``, ``noise_seed``).

timm draws the noise of step t from ``torch.Generator().manual_seed(noise_seed + t)``.
That generator is reproduced here without torch, from how torch's CPU generator works:

- its engine is the standard 32-bit Mersenne Twister MT19937, seeded with
  ``init_genrand(seed mod 2^32)``; NumPy's legacy ``RandomState(seed)`` is the same engine
  with the same seeding, and ``randint(2**32, dtype=uint32)`` hands out its raw words;
- ``torch.rand`` (float32) takes one word w and returns ``(w & (2^24 - 1)) * 2^-24``;
- ``torch.randn`` (a tensor of fewer than 16 values) draws a Box-Muller pair in double:
  two 53-bit uniforms u1, u2, each ``(hi * 2^32 + lo) & (2^53 - 1)) * 2^-53`` from two
  words (high word first), ``r = sqrt(-2 log1p(-u2))``, ``theta = 2 pi u1``; it returns
  ``r cos(theta)`` rounded to float32 and keeps ``r sin(theta)`` in the generator for the
  next call, so timm's resampling loop reads the pair's second value before a new pair.

``tests/test_schedules_modern.py`` checks each of these against torch itself.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

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
    array([1.        , 1.46249127, 1.        ])

    The same numbers as timm's ``Scheduler._add_noise``, whose ``torch.Generator`` is
    reproduced in NumPy (see the module docstring). (timm's ``noise_std`` is accepted
    there but unused.)

    Twins: torch ``LambdaLR``; no Keras schedule (a Mersenne Twister reseeded at every
    step cannot run inside a Keras graph): ``to_keras()`` raises NotImplementedError;
    ``to_keras_callback()`` (per epoch, as timm usually applies noise) works.
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
        """n_t for step ``step``: timm's draw from a generator seeded ``noise_seed + step``."""
        words = torch_generator_words(self.noise_seed + step)
        if self.noise_type == "uniform":
            return 2 * (torch_rand(words) - 0.5) * self.noise_pct
        for n in torch_randn(words):
            if abs(n) < self.noise_pct:
                return n
        raise AssertionError("unreachable: torch_randn never ends")  # pragma: no cover

    def to_keras(self):
        raise NotImplementedError(
            "LRNoise has no Keras schedule: its noise comes from a random generator reseeded "
            "at every step, which cannot run inside a Keras graph. Use to_keras_callback() "
            "(per epoch)."
        )

    def _plot_end(self):
        return self.schedule.horizon - 1


# -- torch's CPU generator, in NumPy -----------------------------------------------------------
def torch_generator_words(seed: int) -> Iterator[int]:
    """The 32-bit words of ``torch.Generator().manual_seed(seed)``: MT19937 seeded with
    ``init_genrand(seed mod 2^32)``, as NumPy's ``RandomState`` seeds it."""
    engine = np.random.RandomState(seed % 2**32)
    while True:
        yield int(engine.randint(2**32, dtype=np.uint32))


def torch_rand(words: Iterator[int]) -> float:
    """``torch.rand(1).item()``: 24 bits of one word, a float32 in [0, 1)."""
    return (next(words) & (2**24 - 1)) * 2.0**-24


def torch_uniform53(words: Iterator[int]) -> float:
    """torch's double uniform in [0, 1): 53 bits of two words, the first the high half."""
    high, low = next(words), next(words)
    return ((high << 32 | low) & (2**53 - 1)) * 2.0**-53


def torch_randn(words: Iterator[int]) -> Iterator[float]:
    """Successive ``torch.randn(1).item()`` on one generator: Box-Muller pairs, cos first."""
    while True:
        u1, u2 = torch_uniform53(words), torch_uniform53(words)
        r = math.sqrt(-2.0 * math.log1p(-u2))
        theta = 2.0 * math.pi * u1
        yield float(np.float32(r * math.cos(theta)))
        yield float(np.float32(r * math.sin(theta)))
