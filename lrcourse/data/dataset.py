"""What every loader returns: a ``Dataset`` of three ``Split``\\ s, the same for every source.

Design (one format for CIFAR-10 and the embedded digits):

- ``Split.images`` are the raw pixels, ``uint8`` of shape ``(N, H, W, C)`` (channels last,
  as stored on disk and as Keras wants them), ``Split.labels`` are ``int64`` class indices.
- The float view a model trains on is ``Dataset.arrays(split)``: ``float32`` pixels scaled
  to [0, 1] then standardised per channel with the mean and standard deviation of the
  *training* split only (``Dataset.mean`` / ``Dataset.std``), so nothing about the
  validation or test images leaks into training.
- ``val`` is held out from the official training set (seeded, stratified); ``test`` is the
  official test set and is meant to be looked at once, at the end: model selection
  (best epoch, LR finder, early stopping) uses ``val``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .splits import stratified_subset

SPLITS = ("train", "val", "test")


@dataclass(frozen=True)
class Split:
    """Images ``uint8 (N, H, W, C)`` and labels ``int64 (N,)`` of one split."""

    images: np.ndarray
    labels: np.ndarray

    def __post_init__(self):
        if self.images.dtype != np.uint8 or self.images.ndim != 4:
            raise ValueError(
                f"images must be uint8 of shape (N, H, W, C), got {self.images.dtype} "
                f"{self.images.shape}"
            )
        if self.labels.shape != (self.images.shape[0],):
            raise ValueError(
                f"labels must have shape ({self.images.shape[0]},), got {self.labels.shape}"
            )

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    def take(self, index) -> Split:
        """The examples at ``index`` (an integer array), as a new Split."""
        return Split(self.images[index], self.labels[index])

    def __repr__(self) -> str:  # shapes, not the pixels
        return f"Split(images={_array_summary(self.images)}, labels={_array_summary(self.labels)})"


def _array_summary(a: np.ndarray) -> str:
    return f"<{a.dtype} array {tuple(a.shape)}>"


@dataclass(frozen=True)
class Dataset:
    """Train / validation / test splits of one image-classification dataset.

    Attributes:
        name: ``"cifar10"`` or ``"digits"``.
        class_names: one name per label.
        train, val, test: the splits.
        source: where the data came from (the archive's path, or the bundled copy).
        mean, std: per-channel statistics of the training pixels scaled to [0, 1].
    """

    name: str
    class_names: tuple[str, ...]
    train: Split
    val: Split
    test: Split
    source: str
    mean: np.ndarray = field(init=False)
    std: np.ndarray = field(init=False)

    def __post_init__(self):
        pixels = self.train.images.reshape(-1, self.train.images.shape[-1]) / np.float64(255)
        object.__setattr__(self, "mean", pixels.mean(axis=0).astype(np.float32))
        object.__setattr__(self, "std", np.maximum(pixels.std(axis=0), 1e-3).astype(np.float32))

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """``(H, W, C)``: (32, 32, 3) for CIFAR-10, (8, 8, 1) for digits."""
        return tuple(int(n) for n in self.train.images.shape[1:])

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    def split(self, name: str) -> Split:
        if name not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got {name!r}")
        return getattr(self, name)

    def normalise(self, images: np.ndarray) -> np.ndarray:
        """``uint8`` pixels -> ``float32``, scaled to [0, 1] and standardised per channel."""
        x = images.astype(np.float32) / np.float32(255)
        x -= self.mean
        x /= self.std
        return x

    def arrays(self, split: str) -> tuple[np.ndarray, np.ndarray]:
        """``(x, y)`` of a split: normalised ``float32 (N, H, W, C)`` and ``int64 (N,)``."""
        s = self.split(split)
        return self.normalise(s.images), s.labels

    def subset(
        self,
        train: int | None = None,
        val: int | None = None,
        test: int | None = None,
        *,
        seed: int = 0,
    ) -> Dataset:
        """A smaller copy (stratified, seeded): how runs are scaled down on a CPU.

        The normalisation statistics are recomputed on the smaller training split.
        """
        sizes = {"train": train, "val": val, "test": test}
        parts = {}
        for offset, (name, size) in enumerate(sizes.items()):
            s = self.split(name)
            if size is None or size >= len(s):
                parts[name] = s
            else:
                parts[name] = s.take(stratified_subset(s.labels, size, seed=seed + offset))
        return Dataset(self.name, self.class_names, source=self.source, **parts)

    def __repr__(self) -> str:  # one line: print(dataset) must not dump the pixels
        return f"Dataset({self.describe()})"

    def describe(self) -> str:
        """One line: name, shapes and split sizes (what the CLI prints)."""
        h, w, c = self.image_shape
        return (
            f"{self.name}: {self.num_classes} classes, {h}x{w}x{c} images, "
            f"train {len(self.train)} / val {len(self.val)} / test {len(self.test)} "
            f"(from {self.source})"
        )
