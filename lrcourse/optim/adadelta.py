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


def adadelta_torch(param, grad, square_avg, acc_delta, lr, rho, eps):
    """One Adadelta step as torch computes it, in place."""
    square_avg *= rho  # a <- rho a + (1 - rho) g^2
    square_avg += (1 - rho) * grad * grad
    std = np.sqrt(square_avg + eps)
    delta = np.sqrt(acc_delta + eps) / std * grad  # d = sqrt(u + eps) / sqrt(a + eps) g
    acc_delta *= rho  # u <- rho u + (1 - rho) d^2
    acc_delta += (1 - rho) * delta * delta
    param -= lr * delta  # w <- w - lr d


def adadelta_keras(param, grad, accumulated_grad, accumulated_delta, lr, rho, eps):
    """One Adadelta step as Keras computes it, in place (same formula, another order)."""
    accumulated_grad[...] = rho * accumulated_grad + (1 - rho) * (grad * grad)
    delta = np.sqrt(accumulated_delta + eps) * grad / np.sqrt(accumulated_grad + eps)
    accumulated_delta[...] = rho * accumulated_delta + (1 - rho) * (delta * delta)
    param -= lr * delta


class Adadelta(Optimizer):
    state_names = ("square_avg", "acc_delta")

    def __init__(self, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, *, convention="torch"):
        super().__init__(lr, weight_decay=weight_decay, convention=convention)
        self.rho = validation.check_unit_interval("rho", rho)
        self.eps = validation.check_nonnegative("eps", eps)

    def _update(self, param, grad, state, lr):
        update = adadelta_torch if self.convention == "torch" else adadelta_keras
        update(param, grad, state["square_avg"], state["acc_delta"], lr, self.rho, self.eps)

    def _torch_spec(self):
        return "Adadelta", {"rho": self.rho, "eps": self.eps, "weight_decay": self.weight_decay}

    def _keras_spec(self):
        return "Adadelta", {"rho": self.rho, "epsilon": self.eps}

    def _repr_args(self):
        return {**super()._repr_args(), "rho": self.rho, "eps": self.eps}
