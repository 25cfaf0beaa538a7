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


class Adamax(Optimizer):
    state_names = ("exp_avg", "exp_inf")
    n_tmp = 2

    def __init__(
        self, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, *, convention="torch"
    ):
        super().__init__(lr, weight_decay=weight_decay, convention=convention)
        self.betas = validation.check_betas(betas)
        self.eps = validation.check_nonnegative("eps", eps)

    def _scalars(self, state, lr, dtype):
        b1, t = self.betas[0], state["step"]
        if self.convention == "torch":
            return {"clr": lr / (1 - b1**t)}
        dt = dtype.type  # Keras: beta_1 ** t in the variable's dtype, beta_1 cast via float32
        return {"lr": dt(lr), "bias_correction": dt(1) - dt(f32(b1)) ** dt(t)}

    def _update(self, p, g, s, c, tmp):
        b1, b2 = self.betas
        m, u = s["exp_avg"], s["exp_inf"]
        t, t2 = tmp
        lerp_(m, g, 1 - b1, t)  # m <- m + (1 - beta1) (g - m)
        u *= b2
        np.abs(g, out=t)
        if self.convention == "torch":
            t += self.eps  # u <- max(beta2 u, |g| + eps)
            np.maximum(u, t, out=u)
            np.divide(m, u, out=t)  # w <- w - clr * m / u
            t *= -c["clr"]
            p += t
        else:
            np.maximum(u, t, out=u)  # u <- max(beta2 u, |g|)
            np.add(u, self.eps, out=t)  # w <- w - lr m / ((1 - beta1^t)(u + eps))
            t *= c["bias_correction"]
            np.multiply(m, c["lr"], out=t2)
            t2 /= t
            p -= t2

    def _torch_spec(self):
        return "Adamax", {"betas": self.betas, "eps": self.eps, "weight_decay": self.weight_decay}

    def _keras_spec(self):
        b1, b2 = self.betas
        return "Adamax", {"beta_1": b1, "beta_2": b2, "epsilon": self.eps}

    def _repr_args(self):
        return {**super()._repr_args(), "betas": self.betas, "eps": self.eps}
