"""Optimizer state belongs to an array, not to a position in the list (as torch keys by tensor)."""

from __future__ import annotations

import numpy as np
import pytest

from lrcourse import optim

ALL = [getattr(optim, n) for n in optim.__all__ if n != "Optimizer"]


def _kwargs(cls):
    return {"momentum": 0.9} if cls is optim.SGD else {}


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_equal_shape_params_in_a_new_order_keep_their_own_state(cls):
    rng = np.random.default_rng(0)
    w1, w2 = rng.normal(size=4), rng.normal(size=4)
    g1, g2 = rng.normal(size=4), 10 * rng.normal(size=4)
    v1, v2 = w1.copy(), w2.copy()
    a, b = cls(lr=0.01, **_kwargs(cls)), cls(lr=0.01, **_kwargs(cls))
    for k in range(4):
        a.step([w1, w2], [g1, g2])
        if k % 2:  # the same arrays, the other order
            b.step([v2, v1], [g2, g1])
        else:
            b.step([v1, v2], [g1, g2])
    np.testing.assert_array_equal(w1, v1)
    np.testing.assert_array_equal(w2, v2)


def test_state_index_is_the_first_steps_position():
    w1, w2 = np.zeros(2), np.zeros(3)
    opt = optim.SGD(lr=0.1, momentum=0.9)
    opt.step([w1, w2], [np.ones(2), np.ones(3)])
    opt.step([w2], [np.ones(3)])  # a subset: only w2 moves
    assert opt.state[0]["step"] == 1 and opt.state[1]["step"] == 2
    assert opt.state[1]["momentum_buffer"].shape == (3,)


def test_the_same_array_twice_is_an_error():
    w = np.zeros(3)
    opt = optim.Adam()
    with pytest.raises(ValueError, match=r"params\[1\] is the same array as params\[0\]"):
        opt.step([w, w], [np.ones(3), np.ones(3)])
    opt.step([w], [np.ones(3)])
    with pytest.raises(ValueError, match=r"params\[1\] is the same array as params\[0\]"):
        opt.step([w, w], [np.ones(3), np.ones(3)])


def test_a_new_array_after_the_first_step_is_an_error():
    opt = optim.SGD(lr=0.1)
    opt.step([np.zeros(3)], [np.ones(3)])
    with pytest.raises(ValueError, match=r"params\[0\] \(shape \(3,\)\) is not one of the 1 arr"):
        opt.step([np.zeros(3)], [np.ones(3)])


def test_reshaped_array_is_an_error():
    w = np.zeros(4)
    opt = optim.Adam()
    opt.step([w], [np.ones(4)])
    w.resize((2, 2))  # the same array object, reshaped in place (setting .shape is deprecated)
    with pytest.raises(ValueError, match=r"params\[0\] has shape \(2, 2\), it had shape \(4,\)"):
        opt.step([w], [np.ones((2, 2))])


@pytest.mark.parametrize("params,grads", [(None, None), (None, [np.ones(2)]), ([np.ones(2)], 3)])
def test_none_or_non_list_is_a_clear_error(params, grads):
    with pytest.raises(TypeError, match=r"(params|grads) must be a list of arrays"):
        optim.SGD(lr=0.1).step(params, grads)


def test_none_gradient_is_a_clear_error():
    with pytest.raises(TypeError, match=r"grads\[0\] is None: pass the gradient of params\[0\]"):
        optim.Adam().step([np.zeros(2)], [None])
