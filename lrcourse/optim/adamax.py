"""Adamax: Adam with the infinity norm in place of the root mean square.

    m <- beta1 * m + (1 - beta1) * g
    torch:  u <- max(beta2 * u, |g| + eps);   w <- w - lr / (1 - beta1^t) * m / u
    keras:  u <- max(beta2 * u, |g|);         w <- w - lr * m / ((1 - beta1^t) * (u + eps))

u needs no bias correction: a maximum is not pulled towards its zero start the way an
average is. Defaults: torch lr 2e-3, eps 1e-8; Keras lr 1e-3, eps 1e-7.

>>> import numpy as np
>>> w = np.array([1.0]); opt = Adamax(lr=0.1, eps=0.0)
>>> opt.step([w], [np.array([5.0])]); w.round(6)   # 1 - 0.1 * (0.1*5 / 0.1) / 5
array([0.9])
"""

from __future__ import annotations

import numpy as np

from .. import validation
from .base import Optimizer, f32
from .moments import lerp_


def adamax_torch(param, grad, exp_avg, exp_inf, step, lr, betas, eps):
    """One Adamax step as torch computes it, in place."""
    beta1, beta2 = betas
    lerp_(exp_avg, grad, 1 - beta1)  # m <- beta1 m + (1 - beta1) g
    exp_inf[...] = np.maximum(exp_inf * beta2, np.abs(grad) + eps)  # u <- max(beta2 u, |g| + eps)
    clr = lr / (1 - beta1**step)
    param -= clr * exp_avg / exp_inf  # w <- w - lr / (1 - beta1^t) m / u


def adamax_keras(param, grad, m, u, step, lr, betas, eps):
    """One Adamax step as Keras computes it, in place (eps added to u, beta1 via float32)."""
    beta1, beta2 = betas
    dt = param.dtype.type
    beta1_power = dt(f32(beta1)) ** dt(step)
    m += (grad - m) * (1 - beta1)  # m <- m + (1 - beta1) (g - m)
    u[...] = np.maximum(beta2 * u, np.abs(grad))  # u <- max(beta2 u, |g|)
    param -= lr * m / ((1 - beta1_power) * (u + eps))  # w <- w - lr m / ((1 - b1^t)(u + eps))


class Adamax(Optimizer):
    state_names = ("exp_avg", "exp_inf")

    def __init__(
        self, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, *, convention="torch"
    ):
        super().__init__(lr, weight_decay=weight_decay, convention=convention)
        self.betas = validation.check_betas(betas)
        self.eps = validation.check_nonnegative("eps", eps)

    def _update(self, param, grad, state, lr):
        update = adamax_torch if self.convention == "torch" else adamax_keras
        update(
            param, grad, state["exp_avg"], state["exp_inf"], state["step"], lr, self.betas, self.eps
        )

    def _torch_spec(self):
        return "Adamax", {"betas": self.betas, "eps": self.eps, "weight_decay": self.weight_decay}

    def _keras_spec(self):
        b1, b2 = self.betas
        return "Adamax", {"beta_1": b1, "beta_2": b2, "epsilon": self.eps}

    def _repr_args(self):
        return {**super()._repr_args(), "betas": self.betas, "eps": self.eps}
