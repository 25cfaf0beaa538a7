"""Which examples go in which mini-batch: a seeded permutation per epoch.

Both trainers' LR finders, and the PyTorch trainer, draw their batches here, so a run is
reproducible from its seed and independent of the framework's own random streams.
"""

from __future__ import annotations

import numpy as np


def epoch_order(n: int, batch_size: int, seed: int, epoch: int) -> list[np.ndarray]:
    """The batches (index arrays) of one epoch: a permutation of ``0..n-1`` drawn from
    ``(seed, epoch)``, cut into batches of ``batch_size`` (the last one may be smaller)."""
    order = np.random.default_rng([seed, epoch]).permutation(n)
    return [order[i : i + batch_size] for i in range(0, n, batch_size)]


def endless_batches(x: np.ndarray, y: np.ndarray, batch_size: int, seed: int = 0):
    """``(x_batch, y_batch)`` NumPy pairs, epoch after epoch, forever."""
    epoch = 0
    while True:
        for index in epoch_order(len(y), batch_size, seed, epoch):
            yield x[index], y[index]
        epoch += 1
