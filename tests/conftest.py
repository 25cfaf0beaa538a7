"""Shared test configuration: measured figures are printed at the end of the run.

A test that measures something worth reporting (the worst error against a framework twin,
an autograding time...) asks for the ``report_figure`` fixture and records it; the
figures appear in pytest's terminal summary, so ``make test`` output carries them.
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # keep TensorFlow's start-up chatter out

from lrcourse.frameworks import preload_triton  # noqa: E402

preload_triton()  # before any test imports TensorFlow (see its docstring: else a crash)

_FIGURES: dict[str, tuple[float, str]] = {}


def _cuda_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


def pytest_collection_modifyitems(config, items):
    """``gpu`` tests need a CUDA GPU: skipped without one, unless LRCOURSE_REQUIRE_GPU=1
    (benchmarks/gpu_check.sh), where a missing GPU is an error, not a silent skip."""
    gpu_items = [item for item in items if item.get_closest_marker("gpu")]
    if not gpu_items or _cuda_available():
        return
    if os.environ.get("LRCOURSE_REQUIRE_GPU") == "1":
        raise pytest.UsageError("LRCOURSE_REQUIRE_GPU=1 but torch sees no CUDA GPU")
    skip = pytest.mark.skip(reason="needs a CUDA GPU (benchmarks/gpu_check.sh runs these)")
    for item in gpu_items:
        item.add_marker(skip)


@pytest.fixture(scope="module")
def digits():
    """A small split of the embedded digits (320 train / 100 val / 100 test) for trainers."""
    from lrcourse.data import load_digits

    return load_digits().subset(train=320, val=100, test=100, seed=0)


@pytest.fixture(scope="module")
def spec(digits):
    """The reference article's CNN, sized for ``digits``."""
    from lrcourse.models import model_spec

    return model_spec("article_cnn", digits.image_shape, digits.num_classes)


@pytest.fixture
def report_figure():
    """``report_figure(key, value, fmt)``: keep the worst (largest) value seen per key."""

    def record(key: str, value: float, fmt: str = "{:.3g}"):
        old = _FIGURES.get(key)
        if old is None or value > old[0]:
            _FIGURES[key] = (value, fmt)

    return record


def pytest_terminal_summary(terminalreporter):
    if not _FIGURES:
        return
    terminalreporter.section("measured figures (worst per key)")
    for key in sorted(_FIGURES):
        value, fmt = _FIGURES[key]
        terminalreporter.write_line(f"{key}: {fmt.format(value)}")
