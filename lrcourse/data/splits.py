"""Seeded, stratified splits: every class keeps its share in the part held out.

>>> import numpy as np
>>> labels = np.repeat(np.arange(3), 10)
>>> keep, held = stratified_holdout(labels, 6, seed=0)
>>> np.bincount(labels[held]).tolist(), len(keep)
([2, 2, 2], 24)
"""

from __future__ import annotations

import numpy as np

from .. import validation


def _per_class_counts(labels: np.ndarray, size: int) -> dict[int, int]:
    """How many of each class a sample of ``size`` takes (largest-remainder rounding)."""
    classes, counts = np.unique(labels, return_counts=True)
    exact = counts * (size / labels.shape[0])
    take = np.floor(exact).astype(int)
    for i in np.argsort(-(exact - take), kind="stable")[: size - int(take.sum())]:
        take[i] += 1
    return {int(c): int(t) for c, t in zip(classes, take, strict=True)}


def stratified_holdout(labels, size: int, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Split indices ``0..N-1`` into ``(kept, held_out)`` with ``len(held_out) == size``.

    Each class is held out in proportion to its frequency; the choice inside a class is a
    permutation drawn from ``seed``. Both index arrays are sorted.
    """
    labels = np.asarray(labels)
    n = labels.shape[0]
    size = validation.check_int("size", size, low=0)
    if size > n:
        raise ValueError(f"size must be <= the number of examples ({n}), got {size}")
    rng = np.random.default_rng(seed)
    held = []
    for cls, count in _per_class_counts(labels, size).items():
        members = np.flatnonzero(labels == cls)
        held.append(rng.permutation(members)[:count])
    held_out = np.sort(np.concatenate(held)) if held else np.empty(0, dtype=np.intp)
    mask = np.ones(n, dtype=bool)
    mask[held_out] = False
    return np.flatnonzero(mask), held_out


def stratified_subset(labels, size: int, *, seed: int = 0) -> np.ndarray:
    """Sorted indices of a stratified random sample of ``size`` examples."""
    return stratified_holdout(labels, size, seed=seed)[1]


def holdout_count(name: str, size: int | float, total: int) -> int:
    """``size`` as a count of examples to hold out of ``total``.

    An integer is a count (1 <= size < total); a float in (0, 1) is a fraction of ``total``.
    """
    if isinstance(size, float) and not size.is_integer():
        if not 0.0 < size < 1.0:
            raise ValueError(f"{name} must be a count or a fraction in (0, 1), got {size!r}")
        return max(1, round(size * total))
    count = validation.check_int(name, size, low=1)
    if count >= total:
        raise ValueError(f"{name} must be smaller than the {total} training examples, got {count}")
    return count
