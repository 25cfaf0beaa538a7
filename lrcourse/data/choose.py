"""``load_dataset(name)``: one entry point for every dataset, with an offline default.

``"auto"`` uses CIFAR-10 when its archive is already in the cache (checksum verified) and
the embedded digits otherwise -- it never downloads -- and says which it picked in a log
line (logger ``lrcourse.data``) and in the returned ``Dataset.name``.
"""

from __future__ import annotations

import logging
import os

from . import cifar10, digits
from .dataset import Dataset

DATASETS = ("auto", "cifar10", "digits")

log = logging.getLogger("lrcourse.data")


def resolve_name(name: str, data_dir: str | os.PathLike | None = None) -> str:
    """``"cifar10"`` or ``"digits"``: what ``load_dataset(name)`` would load."""
    if name not in DATASETS:
        raise ValueError(f"dataset must be one of {', '.join(DATASETS)}; got {name!r}")
    if name != "auto":
        return name
    if cifar10.is_cached(data_dir):
        log.info("dataset='auto': using CIFAR-10 from %s", cifar10.archive_path(data_dir))
        return "cifar10"
    log.info(
        "dataset='auto': CIFAR-10 is not cached at %s; using the embedded 8x8 digits",
        cifar10.archive_path(data_dir),
    )
    return "digits"


def load_dataset(
    name: str = "auto",
    *,
    data_dir: str | os.PathLike | None = None,
    val_size: int | float | None = None,
    split_seed: int = 0,
) -> Dataset:
    """Load ``"cifar10"``, ``"digits"`` or ``"auto"`` (see the module docstring).

    ``val_size`` (count or fraction) defaults to 5,000 for CIFAR-10 and 10% for digits.
    """
    chosen = resolve_name(name, data_dir)
    kwargs = {} if val_size is None else {"val_size": val_size}
    if chosen == "cifar10":
        return cifar10.load_cifar10(data_dir, split_seed=split_seed, **kwargs)
    return digits.load_digits(split_seed=split_seed, **kwargs)
