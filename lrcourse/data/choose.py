"""``load_dataset(name)``: one entry point for every dataset, with an offline default.

``"auto"`` uses CIFAR-10 when its archive is already in the cache (checksum verified) and
the embedded digits otherwise -- it never downloads -- and says which it picked in a log
line (logger ``lrcourse.data``) and in the returned ``Dataset.name``. A cached archive that
is corrupt (wrong checksum) is not silently passed over: "auto" still falls back to the
digits (it must work offline), but with a ``UserWarning`` that says the file is corrupt and
how to repair it (``fallback_reason``).
"""

from __future__ import annotations

import logging
import os
import warnings

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
    state = cifar10.cache_state(data_dir)
    if state == "ok":
        log.info("dataset='auto': using CIFAR-10 from %s", cifar10.archive_path(data_dir))
        return "cifar10"
    reason = fallback_reason(data_dir, state)
    if state == "corrupt":
        warnings.warn(f"dataset='auto': {reason}; using the embedded 8x8 digits", stacklevel=2)
    else:
        log.info("dataset='auto': %s; using the embedded 8x8 digits", reason)
    return "digits"


def fallback_reason(data_dir: str | os.PathLike | None = None, state: str | None = None):
    """Why "auto" would not use CIFAR-10 (and what to do), or None when it would."""
    state = state or cifar10.cache_state(data_dir)
    path = cifar10.archive_path(data_dir)
    if state == "ok":
        return None
    if state == "corrupt":
        return (
            f"the cached CIFAR-10 archive {path} is corrupt (its MD5 is not {cifar10.MD5}): "
            "delete it and run `lrcourse compare --dataset cifar10` to download it again, "
            "or replace it with a good copy"
        )
    return (
        f"CIFAR-10 is not cached at {path} (fetch it with `lrcourse compare --dataset "
        "cifar10` on a machine with network)"
    )


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
