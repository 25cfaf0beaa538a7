"""Run one optimizer on the same problem in NumPy, PyTorch and Keras, and compare.

This is how the library proves that ``Adam(convention="keras")`` *is* Keras' Adam: feed
the three the same starting parameters, the same gradients (or the same loss surface) and
the same learning rate at every step, and measure how far apart the parameters end up.

>>> import numpy as np
>>> from lrcourse.optim import SGD
>>> params = [np.array([1.0, -2.0])]
>>> grads = [[np.array([0.5, 0.5])]] * 3
>>> trajectory("numpy", SGD(lr=0.1), params, grads, lrs=[0.1] * 3)[-1]
[array([ 0.85, -2.15])]
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence

import numpy as np

FRAMEWORKS = ("numpy", "torch", "keras")


def quadratic_problem(
    rng: np.random.Generator, shapes, dtype=np.float64, distance=20.0, noise=1.0, steps=1000
):
    """A random convex quadratic per parameter, L = sum_i 1/2 h_i (w_i - c_i)^2, observed
    through minibatch-like noise: the gradient at step k is h (w - c) + noise_k.

    Returns ``grad_fn(params, k) -> grads`` (each framework's run calls it on its own
    current parameters, so differences compound exactly as they would in training; the
    noise at step k is the same for all of them).

    The minimum lies ``distance`` away from the origin so that a comparison run is still
    descending when it ends. Around a minimum, adaptive methods take sign-like steps that
    amplify a one-ulp difference chaotically (RMSprop: 1e-16 grows to 1e-9 within 100
    oscillating steps), which would measure chaos rather than the arithmetic.
    """
    curv = [rng.uniform(0.1, 2.0, size=s) for s in shapes]
    centre = [distance * rng.choice([-1.0, 1.0], size=s) + rng.normal(size=s) for s in shapes]
    seed = int(rng.integers(2**32))

    def grad_fn(params, k):
        step_rng = np.random.default_rng([seed, k])
        return [
            (h * (np.asarray(p, np.float64) - c) + noise * step_rng.normal(size=h.shape)).astype(
                dtype
            )
            for p, h, c in zip(params, curv, centre, strict=True)
        ]

    return grad_fn


def trajectory(framework: str, opt, params0, grads, lrs: Sequence[float]):
    """Parameters after each step: a list (one entry per step) of lists of arrays.

    ``grads`` is a list with one list of gradient arrays per step, or a callable
    ``grad_fn(params, k) -> grads`` evaluated on the run's current parameters at step k.
    """
    runners = {"numpy": _run_numpy, "torch": _run_torch, "keras": _run_keras}
    if framework not in runners:
        raise ValueError(f"framework must be one of {FRAMEWORKS}, got {framework!r}")
    if callable(grads):
        grad_fn = grads
    else:

        def grad_fn(params, k):
            return grads[k]

    return runners[framework](opt, [np.array(p) for p in params0], grad_fn, list(lrs))


def max_relative_error(a, b) -> float:
    """Worst over steps and arrays of max|a - b| / max|b| (normwise relative error)."""
    worst = 0.0
    for step_a, step_b in zip(a, b, strict=True):
        for x, y in zip(step_a, step_b, strict=True):
            x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
            scale = np.max(np.abs(y))
            diff = np.max(np.abs(x - y))
            worst = max(worst, float(diff / scale) if scale > 0 else float(diff))
    return worst


def _run_numpy(opt, params, grad_fn: Callable, lrs):
    out = []
    for k, lr in enumerate(lrs):
        opt.lr = lr
        opt.step(params, grad_fn(params, k))
        out.append([p.copy() for p in params])
    return out


@contextlib.contextmanager
def _torch_default_dtype(dtype):
    import torch

    old = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        yield
    finally:
        torch.set_default_dtype(old)


def _run_torch(opt, params, grad_fn: Callable, lrs):
    import torch

    tensors = [torch.tensor(p) for p in params]
    # torch keeps scalar state such as NAdam's mu_product in the default dtype
    with _torch_default_dtype(tensors[0].dtype):
        topt = opt.to_torch(tensors)
        out = []
        for k, lr in enumerate(lrs):
            for group in topt.param_groups:
                group["lr"] = lr
            current = [t.detach().numpy() for t in tensors]
            for t, g in zip(tensors, grad_fn(current, k), strict=True):
                t.grad = torch.tensor(np.asarray(g))
            topt.step()
            out.append([t.detach().numpy().copy() for t in tensors])
    return out


def _run_keras(opt, params, grad_fn: Callable, lrs):
    from ..frameworks import import_keras

    keras = import_keras()

    variables = [keras.Variable(p, dtype=str(p.dtype)) for p in params]
    kopt = opt.to_keras()
    kopt.build(variables)
    out = []
    for k, lr in enumerate(lrs):
        kopt.learning_rate = lr
        current = [np.asarray(v.numpy()) for v in variables]
        grads = [keras.ops.convert_to_tensor(np.asarray(g)) for g in grad_fn(current, k)]
        kopt.apply_gradients(zip(grads, variables, strict=True))
        out.append([np.array(v.numpy()) for v in variables])
    return out
