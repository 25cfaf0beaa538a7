"""Building blocks for drawing hidden cases and writing mistakes, shared by answer keys."""

from __future__ import annotations

import numpy as np


def as_steps(step) -> np.ndarray:
    """Steps as float64 (a 0-d array for a number), so every formula divides safely."""
    return np.asarray(step, dtype=float)


def half_cosine(x):
    """1 at x = 0 down to 0 at x = 1: the shape of every cosine schedule."""
    return (1.0 + np.cos(np.pi * x)) / 2.0


def log_uniform(rng: np.random.Generator, low_exp: float, high_exp: float) -> float:
    """A number between 10**low_exp and 10**high_exp, uniform in its exponent."""
    return float(10 ** rng.uniform(low_exp, high_exp))


def sorted_steps(rng: np.random.Generator, high: int, must=(), size: int = 8) -> np.ndarray:
    """Sorted distinct integer steps in [0, high], with the ``must`` steps among them."""
    drawn = rng.integers(0, high + 1, size=size)
    return np.unique(np.concatenate([np.asarray(must, dtype=int), drawn]).clip(0, high))
