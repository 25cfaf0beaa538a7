"""Keras loads without TensorFlow's C++ start-up lines on stderr."""

from __future__ import annotations

import subprocess
import sys


def test_import_keras_is_quiet():
    code = "from lrcourse.frameworks import import_keras; k = import_keras(); print(k.__name__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "keras"
    assert "absl" not in out.stderr and "cuda" not in out.stderr, out.stderr


def test_errors_still_reach_stderr_after_the_import():
    code = (
        "import sys; from lrcourse.frameworks import import_keras; import_keras(); "
        "print('visible', file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "visible" in out.stderr


def test_the_device_runtime_starts_inside_the_silenced_import():
    """cuInit (and its "failed call to cuInit" line where no GPU is usable) happens when
    TensorFlow first lists its devices: import_keras must have done that, silenced, so the
    first schedule or model a learner builds prints nothing."""
    code = (
        "from lrcourse.frameworks import import_keras\n"
        "keras = import_keras()\n"
        "from tensorflow.python.eager import context\n"
        "print(context.context()._physical_devices is not None)\n"
        "keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5)(3)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
    assert out.stderr == "", out.stderr
