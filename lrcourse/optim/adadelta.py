"""Adadelta: AdaGrad without the ever-shrinking rate, and with units that match.

    a <- rho * a + (1 - rho) * g^2                       (average squared gradient)
    d  = sqrt(u + eps) / sqrt(a + eps) * g               (step, in the units of w)
    u <- rho * u + (1 - rho) * d^2                       (average squared step)
    w <- w - lr * d

Both frameworks compute the same formula; only the defaults differ: torch lr 1.0, rho 0.9,
eps 1e-6; Keras 3 lr 1e-3, rho 0.95, eps 1e-7 (Keras 2 used lr 1.0, rho 0.95 -- the
setting of the CIFAR-10 comparison in which Adadelta came out best).

>>> import numpy as np
>>> w = np.array([1.0]); opt = Adadelta(lr=1.0, rho=0.9, eps=1e-6)
>>> opt.step([w], [np.array([1.0])]); w.round(6)   # 1 - sqrt(1e-6) / sqrt(0.1 + 1e-6)
array([0.996838])
"""

from __future__ import annotations

import numpy as np

from .. import validation
from .base import Optimizer
from .moments import decay_add_, decay_add_square_


class Adadelta(Optimizer):
    state_names = ("square_avg", "acc_delta")
    n_tmp = 2

    def __init__(self, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, *, convention="torch"):
        super().__init__(lr, weight_decay=weight_decay, convention=convention)
        self.rho = validation.check_unit_interval("rho", rho)
        self.eps = validation.check_nonnegative("eps", eps)

    def _update(self, p, g, s, c, tmp):
        rho, eps = self.rho, self.eps
        a, u = s["square_avg"], s["acc_delta"]
        d, t = tmp
        if self.convention == "torch":
            decay_add_square_(a, g, rho, t)  # a <- rho a + (1 - rho) g^2
            np.add(a, eps, out=t)
            np.sqrt(t, out=t)  # std = sqrt(a + eps)
            np.add(u, eps, out=d)
            np.sqrt(d, out=d)
            d /= t  # d = sqrt(u + eps) / std * g
            d *= g
        else:
            decay_add_(a, np.square(g, out=t), rho, 1 - rho, t)
            np.add(u, eps, out=d)
            np.sqrt(d, out=d)
            d *= g  # d = sqrt(u + eps) * g / sqrt(a + eps)
            np.add(a, eps, out=t)
            np.sqrt(t, out=t)
            d /= t
        if self.convention == "torch":  # u <- rho u + (1 - rho) d^2
            decay_add_square_(u, d, rho, t)
        else:
            decay_add_(u, np.square(d, out=t), rho, 1 - rho, t)
        np.multiply(d, c["lr"], out=t)  # w <- w - lr * d
        p -= t

    def _torch_spec(self):
        return "Adadelta", {"rho": self.rho, "eps": self.eps, "weight_decay": self.weight_decay}

    def _keras_spec(self):
        return "Adadelta", {"rho": self.rho, "epsilon": self.eps}

    def _repr_args(self):
        return {**super()._repr_args(), "rho": self.rho, "eps": self.eps}
