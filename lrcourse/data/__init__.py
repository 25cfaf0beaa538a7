"""Datasets for the course's experiments: CIFAR-10 and an offline default.

>>> from lrcourse.data import load_dataset
>>> ds = load_dataset("digits")          # bundled with scikit-learn: no download
>>> ds.image_shape, ds.num_classes
((8, 8, 1), 10)
>>> x, y = ds.arrays("train")           # float32 (N, H, W, C), standardised; int64 labels

- ``load_cifar10()``: the real CIFAR-10 from the official archive (downloaded once through
  pooch, MD5-verified, cached in ``pooch.os_cache("lrcourse")``, ``$LRCOURSE_DATA`` or
  ``data_dir=``).
- ``load_digits()``: scikit-learn's 8x8 digits with the same interface.
- ``load_dataset("auto")``: CIFAR-10 if it is cached, else the digits (never downloads).

Every loader returns a ``Dataset`` (see ``lrcourse.data.dataset`` for the array format).
Importing this package imports NumPy only.
"""

from .choose import DATASETS, load_dataset, resolve_name
from .cifar10 import DatasetUnavailable, archive_path, fetch_cifar10, is_cached, load_cifar10
from .dataset import SPLITS, Dataset, Split
from .digits import load_digits

__all__ = [
    "DATASETS",
    "SPLITS",
    "Dataset",
    "DatasetUnavailable",
    "Split",
    "archive_path",
    "fetch_cifar10",
    "is_cached",
    "load_cifar10",
    "load_dataset",
    "load_digits",
    "resolve_name",
]
