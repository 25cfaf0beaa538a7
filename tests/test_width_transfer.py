"""lrcourse.experiments.width_transfer: the NumPy MLP under SP and muP (08_beyond)."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

from lrcourse.experiments import width_transfer as wt

LRS = 10.0 ** np.arange(-2.5, -1.25, 0.25)  # 0.0032 ... 0.032, a quarter of a decade apart


@pytest.fixture(scope="module")
def sweeps():
    return {p: wt.sweep((16, 64), LRS, p) for p in wt.PARAMETRISATIONS}


def test_mup_keeps_the_best_lr_and_sp_moves_it(sweeps):
    sp, mup = (np.argmin(sweeps[p], axis=1) for p in ("sp", "mup"))
    assert mup[0] == mup[1], wt.best_lrs(sweeps["mup"], LRS)
    assert sp[1] < sp[0], wt.best_lrs(sweeps["sp"], LRS)  # wider: a smaller best lr


def test_at_the_base_width_mup_is_sp(sweeps):
    np.testing.assert_array_equal(sweeps["sp"][0], sweeps["mup"][0])


def test_the_wide_model_is_better_at_its_best_lr(sweeps):
    for grid in sweeps.values():
        assert grid[1].min() < grid[0].min()


def test_gradients_match_finite_differences():
    task = wt.TeacherTask(n_train=8)
    x, y = task.data
    params = wt.init_mlp(task.d_in, 6, task.d_out, seed=3)
    _, grads = wt.mse_grads(params, x, y, 0.5)
    h = 1e-6
    for name, p in params.items():
        i = np.unravel_index(1 % p.size, p.shape)
        old = p[i]
        p[i] = old + h
        up, _ = wt.mse_grads(params, x, y, 0.5)
        p[i] = old - h
        down, _ = wt.mse_grads(params, x, y, 0.5)
        p[i] = old
        assert grads[name][i] == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-9)


def test_a_diverged_run_is_inf():
    assert wt.train_mlp(64, 1e3, "sp", steps=20) == float("inf")


def test_best_lrs_reads_each_row():
    losses = np.array([[3.0, 1.0, 2.0], [0.5, 2.0, np.inf]])
    np.testing.assert_array_equal(wt.best_lrs(losses, [0.1, 0.2, 0.3]), [0.2, 0.1])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(parametrisation="ntk"), "parametrisation"),
        (dict(width=0), "width"),
        (dict(lr=-1.0), "lr"),
        (dict(base_width=0), "base_width"),
    ],
)
def test_bad_input_names_the_argument(kwargs, match):
    args = dict(width=16, lr=0.01, parametrisation="sp") | kwargs
    with pytest.raises(ValueError, match=match):
        wt.train_mlp(args.pop("width"), args.pop("lr"), args.pop("parametrisation"), **args)


def test_docstring_examples():
    failures, tried = doctest.testmod(wt, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert tried and not failures
