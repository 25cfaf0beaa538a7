"""What the PyTorch and Keras trainer tests share: a small training configuration.

(Their fixtures, ``digits`` and ``spec``, are in ``conftest.py``.)"""

from __future__ import annotations

from lrcourse import optim
from lrcourse.train import TrainConfig


def small_config(**kw) -> TrainConfig:
    """Two epochs of SGD (lr 0.1, momentum 0.8), batches of 32, one thread, no progress bar."""
    kw.setdefault("optimizer", optim.SGD(lr=0.1, momentum=0.8))
    kw.setdefault("epochs", 2)
    kw.setdefault("batch_size", 32)
    kw.setdefault("progress", False)
    kw.setdefault("cpu_threads", 1)
    return TrainConfig(**kw)
