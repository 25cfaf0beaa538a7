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
