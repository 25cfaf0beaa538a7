"""Import the deep-learning frameworks on demand, without their start-up noise.

TensorFlow's C++ runtime writes lines such as "All log messages before
absl::InitializeLog() is called are written to STDERR" and "Could not find cuda drivers"
straight to file descriptor 2 while it loads, before any Python setting can stop it
(``TF_CPP_MIN_LOG_LEVEL`` does not). In a notebook they show up as a red block under the
first cell that touches Keras. :func:`import_keras` loads Keras (TensorFlow backend) with
that descriptor pointed at /dev/null for the duration of the import only; Python errors
still propagate as usual.

The CUDA runtime is started later, by the first operation, and reports a machine without a
usable GPU the same way ("failed call to cuInit"). So with the TensorFlow backend
:func:`import_keras` also lists the devices inside the silenced block, which starts that
runtime there; later operations print nothing more.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys


@contextlib.contextmanager
def silenced_native_stderr():
    """Point file descriptor 2 at /dev/null inside the block (C/C++ writes included)."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def preload_triton() -> None:
    """Load triton, if installed, before TensorFlow can be.

    PyPI's CUDA builds of torch (the default wheels for Linux, so any Python 3.12 or 3.13
    install) bring triton, which torch loads the first time an optimizer is built; triton
    loaded *after* TensorFlow 2.21 crashes the process (a segmentation fault in its LLVM
    library; measured with torch 2.13 + TensorFlow 2.21 on Python 3.12). Loaded first, both
    work. A no-op without triton (torch's CPU wheels) or once TensorFlow is loaded.
    """
    if "triton" in sys.modules or "tensorflow" in sys.modules:
        return
    if importlib.util.find_spec("triton") is not None:
        with contextlib.suppress(Exception):  # a broken triton must not stop Keras
            import triton  # noqa: F401


def import_keras():
    """``import keras``, quietly; returns the module (already imported: returned as is)."""
    preload_triton()
    if "keras" in sys.modules:
        return sys.modules["keras"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with silenced_native_stderr():
        import keras

        start_devices(keras)
    return keras


def start_devices(keras) -> None:
    """Start the backend's device runtime now (TensorFlow: list the physical devices)."""
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.list_physical_devices()
