"""The embedded default: scikit-learn's bundled 8x8 handwritten digits (no download).

1,797 grey images of the digits 0-9 (about 180 per class), 8x8 pixels with values 0-16,
shipped inside scikit-learn. They stand in for CIFAR-10 when it is not cached, so every
notebook and test runs offline in seconds. Pixels are rescaled to 0-255 ``uint8`` with one
channel, so the images look to a model exactly like CIFAR-10's (``(N, 8, 8, 1)``).

Test split: a fixed 20% (seed 0, stratified), the same in every run. Validation: held out
from the rest with ``split_seed``.
"""

from __future__ import annotations

import numpy as np

from .dataset import Dataset, Split
from .splits import holdout_count, stratified_holdout

TEST_FRACTION = 0.2
TEST_SEED = 0
SOURCE = "scikit-learn's bundled 8x8 digits (sklearn.datasets.load_digits)"


def load_digits(*, val_size: int | float = 0.1, split_seed: int = 0) -> Dataset:
    """The digits as a ``Dataset`` (train ~1,294 / val ~144 / test 359 with the defaults).

    ``val_size``: a count, or a fraction of the examples left after the test split.
    """
    from sklearn.datasets import load_digits as sklearn_digits

    bunch = sklearn_digits()
    images = np.rint(bunch.images * (255 / 16)).astype(np.uint8)[..., np.newaxis]
    labels = bunch.target.astype(np.int64)
    n_test = round(TEST_FRACTION * labels.shape[0])
    rest, test = stratified_holdout(labels, n_test, seed=TEST_SEED)
    n_val = holdout_count("val_size", val_size, rest.shape[0])
    keep, val = stratified_holdout(labels[rest], n_val, seed=split_seed)
    return Dataset(
        name="digits",
        class_names=tuple(str(d) for d in range(10)),
        train=Split(images[rest[keep]], labels[rest[keep]]),
        val=Split(images[rest[val]], labels[rest[val]]),
        test=Split(images[test], labels[test]),
        source=SOURCE,
    )
