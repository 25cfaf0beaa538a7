"""Shared test configuration: measured figures are printed at the end of the run.

A test that measures something worth reporting (the worst error against a framework twin,
an autograding time...) asks for the ``report_figure`` fixture and records it; the
figures appear in pytest's terminal summary, so ``make test`` output carries them.

``make test`` runs the suite on two pytest-xdist workers (``-n 2 --dist loadfile``): most of
its time is spent waiting on kernels, browsers and nbgrader, not computing. Each test file
runs on one worker, so a module's expensive fixture is built once. (``--dist loadgroup``
would split the course pipeline per assignment, but pytest-xdist 3.8 marks a group by
rewriting ``item._nodeid``, which pytest 9.2 no longer reads: every group ran everywhere.)
Figures recorded on a worker travel back to the controller with the worker's output.
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
        _keep_worst({key: (value, fmt)})

    return record


def _keep_worst(figures: dict) -> None:
    for key, (value, fmt) in figures.items():
        old = _FIGURES.get(key)
        if old is None or value > old[0]:
            _FIGURES[key] = (value, fmt)


def pytest_sessionfinish(session):
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand the figures to the controller
        # plain floats and strings only: execnet cannot send a numpy.float64
        workeroutput["lrcourse_figures"] = {k: [float(v), str(f)] for k, (v, f) in _FIGURES.items()}


@pytest.hookimpl(optionalhook=True)  # an xdist hook: the controller, as a worker finishes
def pytest_testnodedown(node, error):
    figures = getattr(node, "workeroutput", {}).get("lrcourse_figures", {})
    _keep_worst({key: tuple(value) for key, value in figures.items()})


def pytest_terminal_summary(terminalreporter):
    if not _FIGURES:
        return
    terminalreporter.section("measured figures (worst per key)")
    for key in sorted(_FIGURES):
        value, fmt = _FIGURES[key]
        terminalreporter.write_line(f"{key}: {fmt.format(value)}")
