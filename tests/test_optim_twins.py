"""Every NumPy optimizer against its PyTorch and Keras twin, over random hyperparameters.

For each optimizer x convention x dtype, several seeded draws of hyperparameters (weight
decay, momentum, nesterov, amsgrad, centered included) run 120 steps on random gradients
and on a random quadratic, with the learning rate changed at every step. The parameters
must agree at every step to 1e-12 (float64) and 2e-6 (float32), relative to their size.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from lrcourse import optim
from lrcourse.optim.compare import max_relative_error, quadratic_problem, trajectory

STEPS = 120
DRAWS = 4
TOL = {np.float64: 1e-12, np.float32: 2e-6}
SHAPES = [(7, 5), (5,), (3, 2, 2)]


def _draw(name, rng, convention):
    """Random constructor keywords for optimizer ``name`` valid under ``convention``."""
    u = rng.uniform
    wd = float(rng.choice([0.0, u(1e-4, 0.1)]))
    betas = (u(0.5, 0.95), u(0.9, 0.9999))
    torch_only = convention == "torch"
    if name == "SGD":
        momentum = float(rng.choice([0.0, u(0.5, 0.95)]))
        nesterov = bool(momentum and rng.random() < 0.5)
        damp = 0.0 if nesterov or not torch_only else float(rng.choice([0.0, u(0, 0.5)]))
        return dict(
            lr=u(1e-3, 0.1), momentum=momentum, dampening=damp, nesterov=nesterov, weight_decay=wd
        )
    if name == "Adagrad":
        return dict(
            lr=u(1e-3, 0.1),
            lr_decay=u(0, 0.01) if torch_only else 0.0,
            weight_decay=wd,
            initial_accumulator_value=float(rng.choice([0.0, 0.1])),
            eps=float(rng.choice([1e-10, 1e-7])),
        )
    if name == "Adadelta":
        return dict(
            lr=u(0.1, 1.0), rho=u(0.8, 0.99), eps=float(rng.choice([1e-6, 1e-7])), weight_decay=wd
        )
    if name == "RMSprop":
        return dict(
            lr=u(1e-4, 1e-2),
            alpha=u(0.8, 0.999),
            eps=float(rng.choice([1e-8, 1e-7])),
            weight_decay=wd,
            momentum=float(rng.choice([0.0, u(0.5, 0.95)])),
            centered=bool(rng.random() < 0.5),
        )
    if name in ("Adam", "AdamW"):
        return dict(
            lr=u(1e-4, 1e-2),
            betas=betas,
            eps=float(rng.choice([1e-8, 1e-7])),
            weight_decay=wd if name == "Adam" else u(1e-3, 0.1),
            amsgrad=bool(rng.random() < 0.5),
        )
    if name == "Adamax":
        return dict(
            lr=u(1e-4, 1e-2), betas=betas, eps=float(rng.choice([1e-8, 1e-7])), weight_decay=wd
        )
    if name == "NAdam":
        return dict(
            lr=u(1e-4, 1e-2),
            betas=betas,
            eps=float(rng.choice([1e-8, 1e-7])),
            weight_decay=wd,
            momentum_decay=u(1e-3, 1e-2) if torch_only else 4e-3,
        )
    if name == "Lion":
        return dict(lr=u(1e-5, 1e-3), betas=betas, weight_decay=wd)
    raise AssertionError(name)


# optimizers with no Keras twin, whose torch twins are other packages: test_optim_new_twins.py
NEW_TWINS = {"SGDScheduleFree", "AdamWScheduleFree", "Prodigy", "DAdaptAdam"}
# twin-tested elsewhere: Muon (matrices, one convention per twin) in test_optim_muon.py;
# the Optimizer base class is no optimizer
ELSEWHERE = NEW_TWINS | {"Muon", "Optimizer"}
ELEMENTWISE = [n for n in optim.__all__ if n not in ELSEWHERE]


def test_every_exported_optimizer_is_twin_tested_somewhere():
    """A new export lands in ELEMENTWISE (then _draw needs its hyperparameters) or is named
    in ELSEWHERE with its own twin test; nothing is skipped by its place in __all__."""
    assert set(ELEMENTWISE) == {
        "SGD", "Adagrad", "Adadelta", "RMSprop", "Adam", "AdamW", "Adamax", "NAdam", "Lion"
    }  # fmt: skip
    assert ELSEWHERE <= set(optim.__all__)
    rng = np.random.default_rng(0)
    for name in ELEMENTWISE:
        _draw(name, rng, "torch")  # raises AssertionError for a name it does not know


def _cases():
    for name in ELEMENTWISE:
        for convention in ("torch", "keras"):
            if name == "Lion" and convention == "torch":
                continue  # no torch twin: see test_lion_has_no_torch_twin
            for dtype in (np.float64, np.float32):
                yield pytest.param(
                    name, convention, dtype, id=f"{name}-{convention}-{dtype.__name__}"
                )


def _problem(rng, dtype, quadratic):
    params0 = [rng.normal(size=s).astype(dtype) for s in SHAPES]
    if quadratic:
        return params0, quadratic_problem(rng, SHAPES, dtype)
    return params0, [[rng.normal(size=s).astype(dtype) for s in SHAPES] for _ in range(STEPS)]


@pytest.mark.slow
@pytest.mark.parametrize("name,convention,dtype", list(_cases()))
def test_numpy_matches_framework_twin(name, convention, dtype, report_figure):
    rng = np.random.default_rng(zlib.crc32(f"{name}-{convention}-{dtype.__name__}".encode()))
    framework = convention  # the twin that shares the convention's arithmetic
    worst = 0.0
    for draw in range(DRAWS):
        kwargs = _draw(name, rng, convention)
        cls = getattr(optim, name)
        params0, grads = _problem(rng, dtype, quadratic=draw % 2 == 1)
        lrs = kwargs["lr"] * rng.uniform(0.5, 1.5, size=STEPS)  # lr changed every step
        ours = trajectory("numpy", cls(**kwargs, convention=convention), params0, grads, lrs)
        theirs = trajectory(framework, cls(**kwargs, convention=convention), params0, grads, lrs)
        err = max_relative_error(ours, theirs)
        worst = max(worst, err)
        assert err <= TOL[dtype], f"{name}({kwargs}, convention={convention!r}): {err:.3g}"
        moved = max_relative_error(ours[-1:], [params0])
        assert moved > 0, "the optimizer did not move the parameters"
    report_figure(f"optimizer twin rel. error {name} vs {framework} {dtype.__name__}", worst)


@pytest.mark.parametrize(
    "name,kwargs",
    [("Adam", {}), ("RMSprop", {"momentum": 0.9}), ("Adagrad", {}), ("NAdam", {})],
)
def test_conventions_really_differ(name, kwargs):
    """The two conventions are different arithmetic, so the twin test can fail."""
    rng = np.random.default_rng(0)
    params0, grads = _problem(rng, np.float64, quadratic=False)
    lrs = rng.uniform(0.005, 0.02, size=STEPS)
    cls = getattr(optim, name)
    a = trajectory("numpy", cls(**kwargs, convention="torch"), params0, grads, lrs)
    b = trajectory("numpy", cls(**kwargs, convention="keras"), params0, grads, lrs)
    assert max_relative_error(a, b) > 1e-9


def test_lion_has_no_torch_twin():
    with pytest.raises(NotImplementedError, match="torch 2.13 has no Lion"):
        optim.Lion().to_torch([])


def test_keras_decoupled_adam_maps_to_torch_decoupled():
    """Adam(convention='keras', weight_decay>0) is AdamW: its torch twin decays decoupled."""
    torch = pytest.importorskip("torch")
    topt = optim.Adam(weight_decay=0.1, convention="keras").to_torch([torch.zeros(2)])
    assert topt.param_groups[0]["decoupled_weight_decay"] is True


def test_l2_weight_decay_has_no_keras_twin():
    with pytest.raises(ValueError, match="Keras only decays weights decoupled"):
        optim.SGD(lr=0.1, weight_decay=0.01).to_keras()


def test_twins_use_native_classes_and_hyperparameters():
    torch = pytest.importorskip("torch")
    keras = pytest.importorskip("keras")
    opt = optim.RMSprop(lr=0.02, alpha=0.9, momentum=0.5, centered=True, convention="keras")
    k = opt.to_keras()
    assert isinstance(k, keras.optimizers.RMSprop)
    assert (k.rho, k.momentum, k.centered) == (0.9, 0.5, True)
    t = opt.to_torch([torch.zeros(3)])
    assert isinstance(t, torch.optim.RMSprop)
    assert t.param_groups[0]["alpha"] == 0.9 and t.param_groups[0]["lr"] == 0.02
