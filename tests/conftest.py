"""Shared test configuration: measured figures are printed at the end of the run.

A test that measures something worth reporting (the worst error against a framework twin,
an autograding time...) asks for the ``report_figure`` fixture and records it; the
figures appear in pytest's terminal summary, so ``make test`` output carries them.
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # keep TensorFlow's start-up chatter out

_FIGURES: dict[str, tuple[float, str]] = {}


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
