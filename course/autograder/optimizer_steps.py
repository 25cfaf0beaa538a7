"""Building blocks for the answer keys of ``03_optimizers``: one update of an optimizer.

The references run one step of the course's own optimizers (``lrcourse.optim``, checked
against PyTorch and Keras) from a given state; the draws make random states that a real run
could reach (second moments non-negative, ``m**2 <= v`` as an average of squares allows).
"""

from __future__ import annotations

import numpy as np


def one_step(opt, param, grad, t: int = 1, **buffers):
    """``opt``'s update number ``t`` (counted from 1) from the state ``buffers``.

    Returns the new parameter followed by the new buffers, in the order given: the state
    as the exercises return it. Nothing passed in is changed.
    """
    p = np.array(param, dtype=float)
    opt.state[0] = {"step": int(t) - 1, **{k: np.array(v, dtype=float) for k, v in buffers.items()}}
    opt.step([p], [np.array(grad, dtype=float)])
    return (p, *(opt.state[0][k] for k in buffers))


def draw_vector(rng: np.random.Generator, size: int, scale: float = 1.0) -> np.ndarray:
    """Normal numbers times ``scale``, one of them exactly 0 now and then (a silent feature)."""
    x = rng.normal(size=size) * scale
    if rng.uniform() < 0.5:
        x[rng.integers(size)] = 0.0
    return x


def draw_moments(rng: np.random.Generator, size: int, scale: float = 1.0):
    """A first moment ``m`` and a second moment ``v >= m**2`` of gradients of size ``scale``."""
    m = rng.normal(size=size) * scale
    v = m**2 + rng.uniform(0.0, 1.0, size=size) * scale**2
    return m, v
