"""CIFAR-10, read from the official ``cifar-10-python.tar.gz``.

60,000 colour images 32x32 in 10 classes: 50,000 for training (pickled batches
``data_batch_1`` .. ``data_batch_5``), 10,000 for testing (``test_batch``), class names in
``batches.meta``. Each batch is a pickled dict whose ``b"data"`` is a ``uint8`` array of
shape (10000, 3072) -- the red, green and blue 32x32 planes of an image one after the
other -- and whose ``b"labels"`` is a list of class indices.

Download: on first use, from the official address, through ``pooch`` (which downloads to a
temporary file next to the target, checks the published MD5 and only then moves it into
place, so an interrupted download never leaves a half file under the real name). A cached
file whose checksum does not match (partial copy, disk error) is fetched again. Without
network the error says exactly where to put the file by hand.

The archive is unpickled only after its checksum has been verified.
"""

from __future__ import annotations

import logging
import os
import pickle
import tarfile
from pathlib import Path

import numpy as np

from . import cache
from .dataset import Dataset, Split
from .splits import holdout_count, stratified_holdout

URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
MD5 = "c58f30108f718f92721af3b95e74349a"
FILENAME = "cifar-10-python.tar.gz"
TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_BATCH = "test_batch"
META = "batches.meta"
DEFAULT_VAL_SIZE = 5000

log = logging.getLogger(__name__)


class DatasetUnavailable(RuntimeError):
    """The dataset could not be obtained (no network, bad checksum...); the message says
    what to do."""


def archive_path(data_dir: str | os.PathLike | None = None) -> Path:
    """Where the archive is (or would be) cached."""
    return cache.data_dir(data_dir) / FILENAME


def cache_state(data_dir: str | os.PathLike | None = None) -> str:
    """ "ok" (the archive is cached, MD5 right), "missing" or "corrupt" (a file with the
    archive's name whose MD5 is wrong: a partial download, a disk error, another file)."""
    import pooch

    path = archive_path(data_dir)
    if not path.exists():
        return "missing"
    try:
        good = path.is_file() and pooch.file_hash(str(path), alg="md5") == MD5
    except OSError:  # unreadable
        good = False
    return "ok" if good else "corrupt"


def is_cached(data_dir: str | os.PathLike | None = None) -> bool:
    """True when the archive is in the cache folder and its MD5 checksum is right."""
    return cache_state(data_dir) == "ok"


def fetch_cifar10(
    data_dir: str | os.PathLike | None = None, *, downloader=None, progressbar: bool = True
) -> Path:
    """Path to a verified copy of the archive, downloading it if needed.

    ``downloader``: a pooch downloader (``downloader(url, output_file, pooch)``); the default
    is pooch's HTTP downloader. Raises ``DatasetUnavailable`` with instructions on failure.
    """
    import pooch

    folder = cache.data_dir(data_dir)
    target = folder / FILENAME
    had_file = target.is_file()
    try:
        path = pooch.retrieve(
            URL,
            known_hash=f"md5:{MD5}",
            fname=FILENAME,
            path=folder,
            downloader=downloader,
            progressbar=progressbar and downloader is None,
        )
    except ValueError as err:  # pooch: the downloaded file's hash does not match
        raise DatasetUnavailable(
            f"CIFAR-10 was downloaded from {URL} but its MD5 checksum is not {MD5} "
            f"({err}); the copy was discarded. Try again, or download the file by hand "
            f"and put it at {target}"
        ) from err
    except OSError as err:  # no network, proxy, unwritable folder (requests' errors are OSErrors)
        state = (
            f"The file at {target} is corrupt or incomplete (its MD5 is not {MD5}) and a "
            "fresh copy could not be downloaded"
            if had_file
            else f"CIFAR-10 is not in {folder} and could not be downloaded"
        )
        raise DatasetUnavailable(
            f"{state} ({type(err).__name__}: {err}). To use it offline, download {URL} "
            f"(MD5 {MD5}) on a machine with network and put it, unchanged, at {target} "
            f"(or point the environment variable {cache.ENV_VAR}, data_dir= or "
            "`lrcourse ... --data-dir` at the folder that holds it)."
        ) from err
    return Path(path)


def read_archive(path: str | os.PathLike):
    """Decode an archive in the official format (trusted: checksum already verified).

    Returns ``(train_images, train_labels, test_images, test_labels, class_names)`` with
    images ``uint8 (N, 32, 32, 3)`` and labels ``int64``.
    """
    wanted = {*TRAIN_BATCHES, TEST_BATCH, META}
    found: dict[str, dict] = {}
    with tarfile.open(path, "r:gz") as tar:
        for member in tar:  # one sequential pass: no seeking back in the gzip stream
            name = Path(member.name).name
            if member.isfile() and name in wanted:
                found[name] = pickle.load(tar.extractfile(member), encoding="bytes")
    missing = sorted(wanted - set(found))
    if missing:
        raise ValueError(f"{path} is not a CIFAR-10 python archive: missing {missing}")
    train = [_decode_batch(found[name], name) for name in TRAIN_BATCHES]
    test_images, test_labels = _decode_batch(found[TEST_BATCH], TEST_BATCH)
    class_names = tuple(n.decode() for n in found[META][b"label_names"])
    return (
        np.concatenate([images for images, _ in train]),
        np.concatenate([labels for _, labels in train]),
        test_images,
        test_labels,
        class_names,
    )


def _decode_batch(batch: dict, name: str) -> tuple[np.ndarray, np.ndarray]:
    data = np.asarray(batch[b"data"], dtype=np.uint8)
    labels = np.asarray(batch[b"labels"], dtype=np.int64)
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or data.shape[0] != labels.shape[0]:
        raise ValueError(
            f"{name}: expected data of shape (N, 3072) and N labels, got {data.shape} "
            f"and {labels.shape[0]} labels"
        )
    images = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)  # planes -> channels last
    return np.ascontiguousarray(images), labels


def load_cifar10(
    data_dir: str | os.PathLike | None = None,
    *,
    val_size: int | float = DEFAULT_VAL_SIZE,
    split_seed: int = 0,
    downloader=None,
) -> Dataset:
    """CIFAR-10 as a ``Dataset``: train 45,000 / val 5,000 (held out of the official
    training set, stratified, seeded by ``split_seed``) / test 10,000 (the official test set).

    ``val_size``: a count, or a fraction of the training set.
    Downloads the archive on first use (see ``fetch_cifar10``).
    """
    path = fetch_cifar10(data_dir, downloader=downloader)
    train_x, train_y, test_x, test_y, class_names = read_archive(path)
    n_val = holdout_count("val_size", val_size, train_y.shape[0])
    keep, val = stratified_holdout(train_y, n_val, seed=split_seed)
    log.info("CIFAR-10 loaded from %s", path)
    return Dataset(
        name="cifar10",
        class_names=class_names,
        train=Split(train_x[keep], train_y[keep]),
        val=Split(train_x[val], train_y[val]),
        test=Split(test_x, test_y),
        source=str(path),
    )
