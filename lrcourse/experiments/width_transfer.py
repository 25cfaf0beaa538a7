"""Learning-rate transfer across width: a NumPy MLP under the standard parametrisation and muP.

Widen a network and, under the **standard parametrisation** (SP: every weight initialised
with variance 1/fan_in, one Adam lr for all), the best learning rate moves: an Adam step
changes each weight by about lr whatever the width, and a hidden unit sums ``width`` such
changes that all point the same way, so its pre-activation moves by about ``lr * width``.
The best lr therefore falls roughly like 1/width. **muP** (Yang & Hu et al., "Tensor
Programs V", 2022; the ``mup`` package, microsoft/mup) rescales what grows with width,
relative to a *base* width at which it equals SP. With the width multiplier
``m = width / base_width``:

=====================  ===============================  ===================================
parameter              SP                               muP (Adam: ``mup.MuAdam``)
=====================  ===============================  ===================================
input weights, biases  lr                               lr (their fan-in does not grow)
hidden matrices        lr                               lr / m (both dimensions grow)
readout                output = h W                     output = h W / m (``MuReadout``)
=====================  ===============================  ===================================

All weights keep SP's initialisation (variance 1/fan_in; ``mup``'s ``set_base_shapes``
changes none of these in this network). At ``m = 1`` both are the same network: the lr
tuned on the small model is then the lr of the wide one. mup's own example is a CIFAR-10
ResNet (``examples/ResNet``); this module shows the effect in seconds:

    net:      x (d_in) -> tanh(x W_in + b_in) -> tanh(h W_hid + b_hid) -> h W_out / mult
    data:     a fixed random teacher network's outputs on Gaussian inputs (seeded)
    training: Adam (``lrcourse.optim.Adam``), minibatches, a fixed number of steps
    result:   the training loss (mean squared error) on the whole training set at the end

Measured with the defaults (seed 0, 300 Adam steps, batch 32, base width 16) on lrs a
quarter of a decade apart from 1e-3: the best lr at widths 16, 64, 256 is 0.018, 0.01,
0.0032 under SP and 0.018, 0.018, 0.018 under muP. The same two widths, quickly:

>>> lrs = 10.0 ** np.arange(-2.5, -1.25, 0.25)     # 0.0032 ... 0.032
>>> best_lrs(sweep((16, 64), lrs, "sp"), lrs).round(4)
array([0.0178, 0.01  ])
>>> best_lrs(sweep((16, 64), lrs, "mup"), lrs).round(4)
array([0.0178, 0.0178])

Small matrices: the sweep runs NumPy's BLAS on one thread (more threads only wait for each
other, as for the course's small torch models).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from .. import validation
from ..optim import Adam

PARAMETRISATIONS = ("sp", "mup")


@dataclass(frozen=True)
class TeacherTask:
    """A seeded regression task: targets are a random teacher MLP's outputs (plus noise)."""

    d_in: int = 16
    d_out: int = 4
    n_train: int = 256
    teacher_width: int = 64
    noise: float = 0.05
    seed: int = 0

    @functools.cached_property
    def data(self) -> tuple[np.ndarray, np.ndarray]:
        """``(x, y)``: inputs ~ N(0, 1), y = tanh(x A) B / sqrt(teacher_width) + noise."""
        rng = np.random.default_rng(self.seed)
        x = rng.normal(size=(self.n_train, self.d_in))
        a = rng.normal(size=(self.d_in, self.teacher_width)) / np.sqrt(self.d_in)
        b = rng.normal(size=(self.teacher_width, self.d_out)) * 2.0 / np.sqrt(self.teacher_width)
        y = np.tanh(x @ a) @ b + self.noise * rng.normal(size=(self.n_train, self.d_out))
        return x, y


def width_multiplier(width: int, base_width: int) -> float:
    """m = width / base_width: how much wider than the base model (m = 1: SP = muP)."""
    return width / base_width


def init_mlp(d_in: int, width: int, d_out: int, seed: int) -> dict[str, np.ndarray]:
    """SP initialisation, identical under muP: weights ~ N(0, 1/fan_in), biases 0."""
    rng = np.random.default_rng(seed)
    return {
        "w_in": rng.normal(size=(d_in, width)) / np.sqrt(d_in),
        "b_in": np.zeros(width),
        "w_hid": rng.normal(size=(width, width)) / np.sqrt(width),
        "b_hid": np.zeros(width),
        "w_out": rng.normal(size=(width, d_out)) / np.sqrt(width),
    }


def forward(params, x, readout_mult: float):
    """``(output, (h1, h2))``: two tanh layers, readout ``h2 W_out * readout_mult``."""
    h1 = np.tanh(x @ params["w_in"] + params["b_in"])
    h2 = np.tanh(h1 @ params["w_hid"] + params["b_hid"])
    return h2 @ params["w_out"] * readout_mult, (h1, h2)


def mse_grads(params, x, y, readout_mult: float):
    """``(loss, grads)`` of the mean squared error 0.5 * mean over rows of |output - y|^2."""
    out, (h1, h2) = forward(params, x, readout_mult)
    err = (out - y) / len(x)  # d loss / d output
    loss = 0.5 * float(np.sum((out - y) ** 2)) / len(x)
    d_h2 = (err @ params["w_out"].T) * readout_mult * (1 - h2**2)
    d_h1 = (d_h2 @ params["w_hid"].T) * (1 - h1**2)
    grads = {
        "w_out": h2.T @ err * readout_mult,
        "w_hid": h1.T @ d_h2,
        "b_hid": d_h2.sum(0),
        "w_in": x.T @ d_h1,
        "b_in": d_h1.sum(0),
    }
    return loss, grads


def train_mlp(
    width: int,
    lr: float,
    parametrisation: str = "sp",
    *,
    task: TeacherTask | None = None,
    base_width: int = 16,
    steps: int = 300,
    batch_size: int = 32,
    seed: int = 0,
) -> float:
    """The final training loss of the MLP of ``width`` trained by Adam at ``lr``.

    Under "mup" the hidden matrix's Adam lr is ``lr / m`` and the readout is multiplied by
    ``1 / m`` (``m = width / base_width``); under "sp" nothing is. A run whose loss becomes
    NaN or larger than 1e6 counts as diverged and returns ``inf``.
    """
    parametrisation = validation.check_choice("parametrisation", parametrisation, PARAMETRISATIONS)
    width = validation.check_int("width", width, low=1)
    lr = validation.check_positive("lr", lr)
    task = task or TeacherTask()
    x, y = task.data
    m = width_multiplier(width, validation.check_int("base_width", base_width, low=1))
    mup = parametrisation == "mup"
    readout_mult, hidden_lr = (1 / m, lr / m) if mup else (1.0, lr)
    params = init_mlp(task.d_in, width, task.d_out, seed)
    hidden = ["w_hid"]  # matrix-like: both dimensions grow with the width
    others = [name for name in params if name not in hidden]
    adam_hidden, adam_others = Adam(lr=hidden_lr), Adam(lr=lr)
    rng = np.random.default_rng(seed + 1)
    for _ in range(validation.check_int("steps", steps, low=1)):
        index = rng.integers(0, len(x), size=batch_size)
        _, grads = mse_grads(params, x[index], y[index], readout_mult)
        adam_hidden.step([params[n] for n in hidden], [grads[n] for n in hidden])
        adam_others.step([params[n] for n in others], [grads[n] for n in others])
        if not np.isfinite(params["w_out"]).all():
            return float("inf")
    loss, _ = mse_grads(params, x, y, readout_mult)
    return loss if np.isfinite(loss) and loss < 1e6 else float("inf")


def sweep(widths, lrs, parametrisation: str = "sp", **options) -> np.ndarray:
    """Final losses, shape ``(len(widths), len(lrs))``; ``options`` go to :func:`train_mlp`."""
    with threadpool_limits(1, user_api="blas"):
        return np.array(
            [[train_mlp(w, lr, parametrisation, **options) for lr in lrs] for w in widths]
        )


def best_lrs(losses: np.ndarray, lrs) -> np.ndarray:
    """The lr of the lowest loss on each row (width) of a sweep."""
    losses = np.asarray(losses, dtype=float)
    return np.asarray(lrs, dtype=float)[np.argmin(losses, axis=1)]
