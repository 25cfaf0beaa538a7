"""torch's CUDA wheels (PyPI's default on Linux: every Python 3.12 / 3.13 install) bring
triton; triton loaded after TensorFlow crashed the process (segmentation fault) the first
time a torch optimizer was built. ``import_keras`` loads triton first."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

KERAS_THEN_TORCH = """
import sys
from lrcourse.frameworks import import_keras
keras = import_keras()
import torch
torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
print("triton" in sys.modules, "tensorflow" in sys.modules)
"""


def test_keras_then_a_torch_optimizer_in_one_process():
    pytest.importorskip("torch")
    pytest.importorskip("keras")
    done = subprocess.run(
        [sys.executable, "-c", KERAS_THEN_TORCH], capture_output=True, text=True,
        env={"PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"},
        timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]  # -11 was the crash
    if importlib.util.find_spec("triton") is not None:
        assert done.stdout.split()[0] == "True"  # loaded, and before TensorFlow


def test_preload_is_a_no_op_once_tensorflow_is_loaded(monkeypatch):
    from lrcourse import frameworks

    monkeypatch.setitem(sys.modules, "tensorflow", object())
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: pytest.fail("looked"))
    frameworks.preload_triton()
