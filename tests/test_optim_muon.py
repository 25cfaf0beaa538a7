"""Muon against torch.optim.Muon and keras.optimizers.Muon, and where the two differ.

torch.optim.Muon orthogonalises in bfloat16 whatever the parameter's dtype; NumPy has no
bfloat16 arithmetic. So the torch twin test runs torch's own Muon code with the bfloat16
cast turned into a copy (torch's algorithm at the parameter's precision) and holds it to
the usual bar; a second test measures the distance to the real bfloat16 torch.optim.Muon.
keras.optimizers.Muon fails on float64 matrices with the TensorFlow backend, so its twin
test is float32 only.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from lrcourse import optim
from lrcourse.optim.compare import max_relative_error, quadratic_problem, trajectory
from lrcourse.optim.muon import newton_schulz_torch

STEPS = 120
DRAWS = 4
TOL = {np.float64: 1e-12, np.float32: 2e-6}
SHAPES = [(7, 5), (4, 6), (5,), (3, 2, 2)]  # tall and wide matrices; the rest go to AdamW


def _draw(rng, convention):
    u = rng.uniform
    kwargs = dict(
        lr=u(1e-3, 0.03),
        weight_decay=float(rng.choice([0.0, u(0.01, 0.2)])),
        momentum=u(0.8, 0.98),
        nesterov=bool(rng.random() < 0.5),
        ns_steps=int(rng.choice([3, 5, 6])),
        adamw_lr_ratio=u(0.1, 1.0),
        adamw_betas=(u(0.8, 0.95), u(0.99, 0.9999)),
        adamw_eps=float(rng.choice([1e-8, 1e-7])),
        adamw_weight_decay=float(rng.choice([0.0, u(0.001, 0.05)])),
    )
    if convention == "torch":
        kwargs["adjust_lr_fn"] = str(rng.choice(["original", "match_rms_adamw"]))
    return kwargs


def _problem(rng, dtype, quadratic):
    params0 = [rng.normal(size=s).astype(dtype) for s in SHAPES]
    if quadratic:
        return params0, quadratic_problem(rng, SHAPES, dtype)
    return params0, [[rng.normal(size=s).astype(dtype) for s in SHAPES] for _ in range(STEPS)]


def _compare(rng, convention, dtype, draws=DRAWS):
    worst = 0.0
    for draw in range(draws):
        kwargs = _draw(rng, convention)
        params0, grads = _problem(rng, dtype, quadratic=draw % 2 == 1)
        lrs = kwargs["lr"] * rng.uniform(0.5, 1.5, size=STEPS)  # lr changed every step
        ours = trajectory("numpy", optim.Muon(**kwargs, convention=convention), params0, grads, lrs)
        twin = optim.Muon(**kwargs, convention=convention)
        theirs = trajectory(convention, twin, params0, grads, lrs)
        assert max_relative_error(ours[-1:], [params0]) > 0, "the optimizer did not move"
        worst = max(worst, max_relative_error(ours, theirs))
    return worst


@pytest.fixture
def torch_at_param_precision(monkeypatch):
    """torch.optim.Muon's code with its bfloat16 cast replaced by a copy."""
    torch = pytest.importorskip("torch")
    monkeypatch.setattr(torch.Tensor, "bfloat16", lambda self: self.clone())


@pytest.mark.slow
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=lambda d: d.__name__)
def test_muon_matches_torch_muon_algorithm(dtype, torch_at_param_precision, report_figure):
    rng = np.random.default_rng(zlib.crc32(f"muon-torch-{dtype.__name__}".encode()))
    worst = _compare(rng, "torch", dtype)
    report_figure(
        f"optimizer twin rel. error Muon vs torch (at param precision) {dtype.__name__}", worst
    )
    assert worst <= TOL[dtype]


@pytest.mark.slow
def test_muon_against_real_bfloat16_torch_muon(report_figure):
    """The real torch.optim.Muon differs by bfloat16 rounding: measured, bounded."""
    pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    worst = _compare(rng, "torch", np.float64, draws=2)
    report_figure("optimizer twin rel. error Muon vs torch bfloat16 Newton-Schulz float64", worst)
    assert 1e-6 < worst < 2e-2  # bfloat16 has 8 significant bits


@pytest.mark.slow
def test_muon_matches_keras_muon_float32(report_figure):
    pytest.importorskip("keras")
    rng = np.random.default_rng(zlib.crc32(b"muon-keras-float32"))
    worst = _compare(rng, "keras", np.float32)
    report_figure("optimizer twin rel. error Muon vs keras float32", worst)
    assert worst <= TOL[np.float32]


@pytest.mark.slow
def test_keras_muon_fails_on_float64():
    """Keras 3.15's Muon multiplies a float64 update by a float32 root: no float64 twin.
    (When this test fails, Keras has fixed it: add float64 to the Keras twin test.)"""
    pytest.importorskip("keras")
    params0 = [np.ones((3, 2))]
    with pytest.raises(Exception, match="double|float64"):
        trajectory("keras", optim.Muon(convention="keras"), params0, [[np.ones((3, 2))]], [0.01])


def test_conventions_differ_in_the_momentum_buffer():
    """torch damps the buffer (lerp), Keras adds the whole gradient."""
    g = np.array([[1.0, 2.0], [3.0, 4.0]])
    states = {}
    for convention in ("torch", "keras"):
        opt = optim.Muon(momentum=0.9, weight_decay=0.0, convention=convention)
        opt.step([np.zeros((2, 2))], [g])
        states[convention] = opt.state[0]["momentum_buffer"]
    np.testing.assert_allclose(states["torch"], 0.1 * g)
    np.testing.assert_allclose(states["keras"], g)


def test_non_matrix_parameters_take_the_adamw_step():
    """Under torch, a 1-D parameter moves exactly as torch's AdamW would (our AdamW)."""
    rng = np.random.default_rng(0)
    b0, grads = rng.normal(size=5), [rng.normal(size=5) for _ in range(5)]
    b1, b2 = b0.copy(), b0.copy()
    muon = optim.Muon(lr=0.02, adamw_lr_ratio=0.5, adamw_betas=(0.8, 0.99), adamw_weight_decay=0.03)
    adamw = optim.AdamW(lr=0.01, betas=(0.8, 0.99), weight_decay=0.03)
    for g in grads:
        muon.step([b1], [g])
        adamw.step([b2], [g])
    np.testing.assert_array_equal(b1, b2)


def test_newton_schulz_flattens_the_spectrum():
    rng = np.random.default_rng(0)
    g = np.linalg.qr(rng.normal(size=(20, 8)))[0] @ np.diag(np.logspace(-1, 1, 8))  # cond 100
    x = newton_schulz_torch(g, (3.4445, -4.775, 2.0315), 5, 1e-7)
    s = np.linalg.svd(x, compute_uv=False)
    assert x.shape == g.shape and 0.5 < s.min() and s.max() < 1.3, s


def test_missing_twins_raise_not_implemented():
    with pytest.raises(NotImplementedError, match="no exact torch twin"):
        optim.Muon(convention="keras").to_torch([])
    with pytest.raises(NotImplementedError, match="use convention='keras'"):
        optim.Muon().to_keras()


def test_to_torch_pairs_muon_with_adamw():
    torch = pytest.importorskip("torch")
    twin = optim.Muon(lr=0.01).to_torch([torch.zeros(3, 2), torch.zeros(3)])
    assert isinstance(twin.muon, torch.optim.Muon) and isinstance(twin.adamw, torch.optim.AdamW)
    assert isinstance(optim.Muon().to_torch([torch.zeros(3, 2)]), torch.optim.Muon)


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        ({"ns_coefficients": (1.0, 2.0)}, TypeError, "ns_coefficients must be three numbers"),
        ({"ns_steps": 100}, ValueError, "ns_steps must be < 100"),
        ({"ns_steps": -1}, ValueError, "ns_steps"),
        ({"adjust_lr_fn": "rms"}, ValueError, "adjust_lr_fn"),
        ({"momentum": 1.0}, ValueError, "momentum must be a finite number in"),
        ({"eps": 1e-5, "convention": "keras"}, ValueError, "eps=1e-05 has no Keras equivalent"),
        (
            {"adjust_lr_fn": "original", "convention": "keras"},
            ValueError,
            "adjust_lr_fn='original' has no Keras equivalent",
        ),
        ({"lr": -1.0}, ValueError, "lr must be a finite number"),
    ],
)
def test_bad_hyperparameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        optim.Muon(**kwargs)


def test_step_checks_and_state_per_array():
    opt = optim.Muon(lr=0.01)
    w, b = np.zeros((3, 2)), np.zeros(2)
    with pytest.raises(TypeError, match=r"grads\[0\] is None"):
        opt.step([w], [None])
    opt.step([w, b], [np.ones((3, 2)), np.ones(2)])
    opt.step([b, w], [np.ones(2), np.ones((3, 2))])
    assert opt.state[0]["step"] == 2 and "momentum_buffer" in opt.state[0]
    assert "exp_avg" in opt.state[1]


def test_docstring_example():
    import doctest

    from lrcourse.optim import muon

    result = doctest.testmod(muon, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
