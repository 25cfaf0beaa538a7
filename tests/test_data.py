"""Datasets: the CIFAR-10 loader on a tiny archive in the real format, its checksum and
cache handling, the offline message, the embedded digits and ``"auto"``. No network."""

from __future__ import annotations

import hashlib
import io
import pickle
import shutil
import tarfile

import numpy as np
import pytest

from lrcourse.data import (
    Dataset,
    DatasetUnavailable,
    archive_path,
    cifar10,
    is_cached,
    load_cifar10,
    load_dataset,
    load_digits,
)
from lrcourse.data.splits import stratified_holdout

PER_BATCH = 20
CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def _batch(rng, start):
    """A batch in CIFAR-10's format; image i has red = i % 256, green = 100, blue = label."""
    labels = [int(v) for v in rng.integers(0, 10, PER_BATCH)]
    planes = np.empty((PER_BATCH, 3, 32, 32), dtype=np.uint8)
    for i, label in enumerate(labels):
        planes[i, 0], planes[i, 1], planes[i, 2] = (start + i) % 256, 100, label
    return {b"batch_label": b"x", b"labels": labels, b"data": planes.reshape(PER_BATCH, -1)}


def _add(tar, name, obj):
    payload = pickle.dumps(obj)
    info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
    info.size = len(payload)
    tar.addfile(info, io.BytesIO(payload))


@pytest.fixture(scope="module")
def tiny_archive(tmp_path_factory):
    """A 120-image CIFAR-10 archive in the official format, and its MD5."""
    path = tmp_path_factory.mktemp("source") / cifar10.FILENAME
    rng = np.random.default_rng(0)
    with tarfile.open(path, "w:gz") as tar:
        for k, name in enumerate([*cifar10.TRAIN_BATCHES, cifar10.TEST_BATCH]):
            _add(tar, name, _batch(rng, start=k * PER_BATCH))
        _add(tar, cifar10.META, {b"label_names": [c.encode() for c in CLASSES]})
    return path, hashlib.md5(path.read_bytes()).hexdigest()


@pytest.fixture
def fake_server(tiny_archive, monkeypatch):
    """Point the loader's expected MD5 at the tiny archive; a downloader that copies it."""
    source, md5 = tiny_archive
    monkeypatch.setattr(cifar10, "MD5", md5)
    monkeypatch.delenv("LRCOURSE_DATA", raising=False)

    class Server:
        calls = 0
        payload = None  # bytes to serve instead of the archive (a corrupt download)

        def __call__(self, url, output_file, pooch):
            assert url == cifar10.URL
            Server.calls += 1
            if self.payload is not None:
                with open(output_file, "wb") as f:
                    f.write(self.payload)
            else:
                shutil.copyfile(source, output_file)

    return Server()


def test_real_format_is_decoded_channels_last(tmp_path, fake_server):
    ds = load_cifar10(tmp_path, val_size=10, downloader=fake_server)
    assert ds.name == "cifar10" and ds.class_names == CLASSES
    assert (len(ds.train), len(ds.val), len(ds.test)) == (90, 10, PER_BATCH)
    assert ds.train.images.dtype == np.uint8 and ds.train.images.shape[1:] == (32, 32, 3)
    assert ds.image_shape == (32, 32, 3) and ds.num_classes == 10
    images = np.concatenate([ds.train.images, ds.val.images])
    labels = np.concatenate([ds.train.labels, ds.val.labels])
    assert np.all(images[..., 1] == 100)  # green plane -> channel 1
    assert np.array_equal(images[:, 0, 0, 2], labels)  # blue plane carries the label
    assert sorted(images[:, 5, 7, 0].tolist()) == list(range(100))  # every train image once
    assert np.array_equal(ds.test.images[:, 0, 0, 0], np.arange(100, 120))
    x, y = ds.arrays("train")
    assert x.dtype == np.float32 and x.shape == (90, 32, 32, 3) and y.dtype == np.int64
    assert np.allclose(x.reshape(-1, 3).mean(axis=0)[[0, 2]], 0.0, atol=1e-4)


def test_validation_split_is_seeded_and_disjoint(tmp_path, fake_server):
    a = load_cifar10(tmp_path, val_size=10, split_seed=1, downloader=fake_server)
    b = load_cifar10(tmp_path, val_size=10, split_seed=1, downloader=fake_server)
    c = load_cifar10(tmp_path, val_size=10, split_seed=2, downloader=fake_server)
    red = lambda split: set(split.images[:, 0, 0, 0].tolist())  # noqa: E731 - image id
    assert red(a.val) == red(b.val) != red(c.val)
    assert not red(a.val) & red(a.train)
    assert red(a.test) == red(c.test)  # the test set never depends on the seed


def test_download_once_then_cached(tmp_path, fake_server, monkeypatch):
    monkeypatch.setenv("LRCOURSE_DATA", str(tmp_path / "env"))
    assert not is_cached()
    load_cifar10(downloader=fake_server, val_size=10)
    load_cifar10(downloader=fake_server, val_size=10)
    assert fake_server.calls == 1
    assert archive_path() == tmp_path / "env" / cifar10.FILENAME and is_cached()
    assert [p.name for p in (tmp_path / "env").iterdir()] == [cifar10.FILENAME]  # no temp left


def test_corrupt_cached_file_is_fetched_again(tmp_path, fake_server, tiny_archive):
    target = tmp_path / cifar10.FILENAME
    target.write_bytes(tiny_archive[0].read_bytes()[:500])  # a partial copy
    assert not is_cached(tmp_path)
    load_cifar10(tmp_path, val_size=10, downloader=fake_server)
    assert fake_server.calls == 1 and is_cached(tmp_path)


def test_checksum_mismatch_is_rejected_and_nothing_is_kept(tmp_path, fake_server):
    fake_server.payload = b"not the archive"
    with pytest.raises(DatasetUnavailable, match="MD5 checksum") as err:
        load_cifar10(tmp_path, downloader=fake_server)
    assert str(tmp_path / cifar10.FILENAME) in str(err.value)
    assert list(tmp_path.iterdir()) == []  # the bad download never got the real name


def test_offline_message_says_where_to_put_the_file(tmp_path, fake_server, monkeypatch):
    def offline(url, output_file, pooch):
        raise ConnectionError("Name or service not known")

    with pytest.raises(DatasetUnavailable) as err:
        load_cifar10(tmp_path / "cache", downloader=offline)
    message = str(err.value)
    assert str(tmp_path / "cache" / cifar10.FILENAME) in message
    assert cifar10.URL in message and cifar10.MD5 in message and "LRCOURSE_DATA" in message
    (tmp_path / "cache" / cifar10.FILENAME).write_bytes(b"junk")
    with pytest.raises(DatasetUnavailable, match="corrupt or incomplete"):
        load_cifar10(tmp_path / "cache", downloader=offline)


def test_auto_uses_cifar10_only_when_cached(tmp_path, fake_server, caplog):
    caplog.set_level("INFO", logger="lrcourse.data")
    assert load_dataset("auto", data_dir=tmp_path).name == "digits"
    assert "using the embedded 8x8 digits" in caplog.text
    load_cifar10(tmp_path, val_size=10, downloader=fake_server)  # now cached
    ds = load_dataset("auto", data_dir=tmp_path, val_size=10)
    assert ds.name == "cifar10" and "using CIFAR-10" in caplog.text
    with pytest.raises(ValueError, match="dataset must be one of auto, cifar10, digits"):
        load_dataset("mnist")


def test_auto_with_a_corrupt_archive_says_so(tmp_path, tiny_archive):
    from lrcourse.data.choose import fallback_reason

    (tmp_path / cifar10.FILENAME).write_bytes(tiny_archive[0].read_bytes()[:500])  # partial
    assert cifar10.cache_state(tmp_path) == "corrupt"
    with pytest.warns(UserWarning, match="is corrupt") as caught:
        assert load_dataset("auto", data_dir=tmp_path).name == "digits"
    message = str(caught[0].message)
    assert str(tmp_path / cifar10.FILENAME) in message and "delete it" in message
    assert "not cached" not in message
    assert "is corrupt" in fallback_reason(tmp_path)
    assert "not cached" in fallback_reason(tmp_path / "empty")
    assert cifar10.cache_state(tmp_path / "empty") == "missing"


def test_a_dataset_prints_in_one_line():
    ds = load_digits()
    text = repr(ds)
    assert text.startswith("Dataset(digits: 10 classes") and "\n" not in text and len(text) < 300
    assert (
        repr(ds.train)
        == "Split(images=<uint8 array (1294, 8, 8, 1)>, labels=<int64 array (1294,)>)"
    )


def test_digits_have_the_same_interface():
    ds = load_digits()
    assert isinstance(ds, Dataset) and ds.image_shape == (8, 8, 1) and ds.num_classes == 10
    assert (len(ds.train), len(ds.val), len(ds.test)) == (1294, 144, 359)
    assert ds.train.images.dtype == np.uint8 and ds.train.images.max() == 255
    rows = {s: {r.tobytes() for r in ds.split(s).images} for s in ("train", "val", "test")}
    assert not rows["val"] & rows["test"]  # held out from different examples
    assert np.array_equal(load_digits(split_seed=3).test.labels, ds.test.labels)
    assert np.bincount(ds.val.labels).min() >= 13  # stratified: every class in val
    x, _ = ds.arrays("val")
    assert x.dtype == np.float32 and x.shape == (144, 8, 8, 1)
    small = ds.subset(train=100, val=20, test=30, seed=1)
    assert (len(small.train), len(small.val), len(small.test)) == (100, 20, 30)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="val_size"):
        load_digits(val_size=1.5)
    with pytest.raises(ValueError, match="split must be one of"):
        load_digits().split("validation")
    keep, held = stratified_holdout(np.repeat(np.arange(4), 5), 8, seed=0)
    assert np.bincount(np.repeat(np.arange(4), 5)[held]).tolist() == [2, 2, 2, 2]
    assert len(keep) == 12
