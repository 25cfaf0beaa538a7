"""The shape of the optimizers: each update rule is a pure function of named arrays and scalars.

An update function is a module-level function of ``lrcourse.optim`` whose first parameter
is ``param``. It takes no scratch buffers and no ``out=`` arguments, and calls no ufunc with
``out=``: the base class's blocking keeps its temporaries small, not the function.
"""

from __future__ import annotations

import ast
import importlib
import inspect

import numpy as np
import pytest

from lrcourse import optim

MODULES = ["sgd", "adagrad", "adadelta", "rmsprop", "adam", "adamax", "nadam", "lion", "muon"]
MODULES += ["schedule_free", "d_adaptation", "prodigy"]
SCRATCH_NAMES = {"out", "tmp", "temp", "scratch", "buf", "work", "c", "s", "t"}


def _update_functions(module_name):
    mod = importlib.import_module(f"lrcourse.optim.{module_name}")
    return [
        fn
        for _, fn in inspect.getmembers(mod, inspect.isfunction)
        if fn.__module__ == mod.__name__ and list(inspect.signature(fn).parameters)[:1] == ["param"]
    ]


@pytest.mark.parametrize("module_name", MODULES)
def test_every_optimizer_module_has_update_functions(module_name):
    functions = _update_functions(module_name)
    assert functions, f"lrcourse.optim.{module_name} defines no update function f(param, ...)"
    for fn in functions:
        assert fn.__doc__, f"{fn.__name__} has no docstring"


@pytest.mark.parametrize("module_name", MODULES)
def test_update_functions_take_no_scratch_or_out_arguments(module_name):
    for fn in _update_functions(module_name):
        names = set(inspect.signature(fn).parameters)
        assert not names & SCRATCH_NAMES, f"{fn.__name__} takes {names & SCRATCH_NAMES}"
        tree = ast.parse(inspect.getsource(fn))
        outs = [
            node.lineno
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and any(k.arg == "out" for k in node.keywords)
        ]
        assert not outs, f"{fn.__name__} calls with out= (lines {outs} of its source)"


def test_update_function_is_usable_on_its_own():
    """adam_torch on plain arrays is one Adam step, the class's first step."""
    from lrcourse.optim.adam import adam_torch

    w, g = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    m, v = np.zeros(2), np.zeros(2)
    adam_torch(w, g, m, v, step=1, lr=0.1, betas=(0.9, 0.999), eps=1e-8)
    w2 = np.array([1.0, -2.0])
    optim.Adam(lr=0.1).step([w2], [g])
    np.testing.assert_array_equal(w, w2)
    np.testing.assert_allclose(m, 0.1 * g)


def test_weight_decay_steps():
    from lrcourse.optim import weight_decay

    w = np.array([2.0, -4.0])
    np.testing.assert_array_equal(weight_decay.l2(np.zeros(2), w, 0.5), [1.0, -2.0])
    a, b = w.copy(), w.copy()
    weight_decay.decoupled_torch(a, lr=0.1, weight_decay=0.5)
    weight_decay.decoupled_keras(b, lr=0.1, weight_decay=0.5)
    np.testing.assert_allclose(a, [1.9, -3.8])
    np.testing.assert_allclose(b, [1.9, -3.8])


@pytest.mark.parametrize("weight", [0.1, 0.7])
def test_lerp_uses_torchs_two_branches(weight):
    """lerp_ computes what torch's scalar formula gives on each side of weight 0.5."""
    from lrcourse.optim.moments import lerp_

    rng = np.random.default_rng(0)
    a, b = rng.normal(size=1000), rng.normal(size=1000)
    expected = a + weight * (b - a) if weight < 0.5 else b - (b - a) * (1 - weight)
    lerp_(a, b, weight)
    np.testing.assert_array_equal(a, expected)


def test_weight_decay_docstring_examples():
    import doctest

    from lrcourse.optim import weight_decay

    result = doctest.testmod(weight_decay, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
