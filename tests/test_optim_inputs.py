"""Optimizer behaviour that is not about matching a framework: bad input, state, blocks."""

from __future__ import annotations

import numpy as np
import pytest

from lrcourse import optim
from lrcourse.optim import base
from lrcourse.optim.compare import max_relative_error, trajectory

ALL = [getattr(optim, n) for n in optim.__all__ if n != "Optimizer"]


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
@pytest.mark.parametrize("lr", [-0.1, float("nan"), float("inf")])
def test_bad_lr_is_rejected_in_constructor_and_setter(cls, lr):
    with pytest.raises(ValueError, match="lr must be a finite number"):
        cls(lr=lr)
    opt = cls()
    with pytest.raises(ValueError, match="lr must be a finite number"):
        opt.lr = lr


def test_lr_of_wrong_type():
    with pytest.raises(TypeError, match="lr must be a real number, got str"):
        optim.SGD(lr="0.1")


@pytest.mark.parametrize("cls", [optim.Adam, optim.AdamW, optim.Adamax, optim.NAdam, optim.Lion])
@pytest.mark.parametrize("betas,which", [((1.0, 0.9), r"betas\[0\]"), ((0.9, -0.1), r"betas\[1\]")])
def test_betas_outside_unit_interval(cls, betas, which):
    with pytest.raises(ValueError, match=which + r" must be a finite number in \[0.0, 1.0\)"):
        cls(betas=betas)


def test_betas_not_a_pair():
    with pytest.raises(TypeError, match=r"betas must be a pair"):
        optim.Adam(betas=0.9)


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_unknown_convention(cls):
    with pytest.raises(ValueError, match="convention must be one of 'torch', 'keras'"):
        cls(convention="jax")


def test_step_input_errors_name_the_argument():
    opt = optim.Adam()
    w = np.zeros(3)
    with pytest.raises(ValueError, match="params is empty"):
        opt.step([], [])
    with pytest.raises(ValueError, match=r"grads\[0\] has shape \(2,\) but params\[0\] has shape"):
        opt.step([w], [np.zeros(2)])
    with pytest.raises(TypeError, match=r"grads\[0\] has dtype float32 but params\[0\]"):
        opt.step([w], [np.zeros(3, np.float32)])
    with pytest.raises(ValueError, match="same length"):
        opt.step([w], [np.zeros(3), np.zeros(3)])
    with pytest.raises(TypeError, match=r"params\[0\] must be float32 or float64"):
        opt.step([np.zeros(3, int)], [np.zeros(3, int)])
    with pytest.raises(TypeError, match=r"not a single array: wrap it as \[w\]"):
        opt.step(w, np.zeros(3))
    with pytest.raises(TypeError, match=r"params\[0\] must be a NumPy array, got list"):
        opt.step([[0.0, 1.0]], [np.zeros(2)])
    ro = np.zeros(3)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        opt.step([ro], [np.zeros(3)])


def test_params_cannot_change_shape_between_steps():
    opt = optim.SGD(lr=0.1)
    opt.step([np.zeros(3)], [np.ones(3)])
    with pytest.raises(ValueError, match="params changed since the first step"):
        opt.step([np.zeros(4)], [np.ones(4)])


def test_keras_has_no_dampening_or_lr_decay():
    with pytest.raises(ValueError, match="dampening=0.5 has no Keras equivalent"):
        optim.SGD(lr=0.1, momentum=0.9, dampening=0.5, convention="keras")
    with pytest.raises(ValueError, match="lr_decay=0.1 has no Keras equivalent"):
        optim.Adagrad(lr_decay=0.1, convention="keras")
    with pytest.raises(ValueError, match="momentum_decay=0.01 has no Keras equivalent"):
        optim.NAdam(momentum_decay=0.01, convention="keras")


def test_nesterov_needs_momentum():
    with pytest.raises(ValueError, match="nesterov=True needs momentum > 0"):
        optim.SGD(lr=0.1, nesterov=True)


def test_state_is_readable_and_lr_can_change():
    opt = optim.Adam(lr=0.1)
    w = np.array([1.0, 2.0])
    opt.step([w], [np.array([1.0, -1.0])])
    assert opt.state[0]["step"] == 1
    np.testing.assert_allclose(opt.state[0]["exp_avg"], [0.1, -0.1])
    opt.lr = 0.0
    before = w.copy()
    opt.step([w], [np.array([1.0, -1.0])])
    np.testing.assert_array_equal(w, before)
    assert opt.state[0]["step"] == 2


def test_grads_are_not_modified():
    g = np.array([1.0, -2.0])
    optim.SGD(lr=0.1, momentum=0.9, weight_decay=0.1).step([np.ones(2)], [g])
    np.testing.assert_array_equal(g, [1.0, -2.0])


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_strided_view_updates_like_a_contiguous_copy(cls):
    rng = np.random.default_rng(1)
    big = rng.normal(size=(6, 8))
    untouched = big[:, 1::2].copy()
    view = big[:, ::2]
    copy = np.ascontiguousarray(view)
    grads = [rng.normal(size=view.shape) for _ in range(5)]
    a, b = cls(lr=0.01, weight_decay=0.01), cls(lr=0.01, weight_decay=0.01)
    for g in grads:
        a.step([view], [g])
        b.step([copy], [g])
    np.testing.assert_array_equal(view, copy)
    np.testing.assert_array_equal(big[:, 1::2], untouched)


@pytest.mark.parametrize("cls", [optim.Adam, optim.SGD, optim.RMSprop])
def test_parameters_larger_than_a_block_match_torch(cls):
    """Parameters spanning several blocks (and a ragged last block) match torch exactly."""
    rng = np.random.default_rng(2)
    n = 2 * base.BLOCK + 123
    params0 = [rng.normal(size=n)]
    grads = [[rng.normal(size=n)] for _ in range(5)]
    lrs = [0.01] * 5
    kwargs = {"momentum": 0.9} if cls is not optim.Adam else {}
    ours = trajectory("numpy", cls(**kwargs), params0, grads, lrs)
    theirs = trajectory("torch", cls(**kwargs), params0, grads, lrs)
    assert max_relative_error(ours, theirs) <= 1e-14


def test_no_parameter_sized_temporaries(monkeypatch):
    """After the first step, a step allocates nothing of parameter size: its temporaries are
    a few blocks (the parameter here spans 64 blocks)."""
    import tracemalloc

    n = 64 * base.BLOCK
    w, g = np.ones(n), np.full(n, 0.5)
    opt = optim.Adam(lr=0.01, weight_decay=0.1, amsgrad=True)
    opt.step([w], [g])  # creates the state
    tracemalloc.start()
    opt.step([w], [g])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < w.nbytes / 4, f"a step allocated {peak} bytes for a {w.nbytes}-byte parameter"


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
@pytest.mark.parametrize("convention", ["torch", "keras"])
def test_lr_zero_leaves_parameters_unchanged(cls, convention):
    """A warm-up that starts at lr 0 makes the first update a no-op, in every optimizer."""
    opt = cls(lr=0.0, weight_decay=0.1, convention=convention)
    w = np.array([1.0, -2.0, 3.0])
    opt.step([w], [np.array([0.5, -0.5, 2.0])])
    np.testing.assert_array_equal(w, [1.0, -2.0, 3.0])


@pytest.mark.parametrize(
    "module",
    ["sgd", "adagrad", "adadelta", "rmsprop", "adam", "adamax", "nadam", "lion", "compare"],
)
def test_docstring_examples(module):
    """The worked examples in the optimizers' docstrings stay true."""
    import doctest
    import importlib

    mod = importlib.import_module(f"lrcourse.optim.{module}")
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
