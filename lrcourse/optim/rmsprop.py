"""RMSprop: divide by the root of an exponentially decaying average of squared gradients.

    v <- alpha * v + (1 - alpha) * g^2          (alpha is Keras' rho)
    centered: gbar <- alpha * gbar + (1 - alpha) * g and use v - gbar^2 (a variance)
    torch:  denom = sqrt(v) + eps;   b <- momentum * b + g / denom;       w <- w - lr * b
    keras:  denom = sqrt(v + eps);   b <- momentum * b + lr * g / denom;  w <- w - b

Without momentum the two differ only in where eps sits. With momentum Keras puts lr inside
the buffer (like its SGD), so a changing lr scales only new gradients.

Defaults: torch lr 1e-2, alpha 0.99, eps 1e-8; Keras lr 1e-3, rho 0.9, eps 1e-7. The
syllabus quotes rho 0.9 and lr 1e-3; Inception-v3 and MobileNet used RMSprop with decay
(alpha) 0.9, momentum 0.9 and lr 0.045.

>>> import numpy as np
>>> w = np.array([1.0]); opt = RMSprop(lr=0.01, alpha=0.9, eps=0.0)
>>> opt.step([w], [np.array([2.0])]); w.round(6)   # 1 - 0.01 * 2 / sqrt(0.1 * 4)
array([0.968377])
"""

from __future__ import annotations

import numpy as np

from .. import validation
from .base import Optimizer
from .moments import lerp_


def rmsprop_torch(
    param, grad, square_avg, lr, alpha, eps, momentum, momentum_buffer=None, grad_avg=None
):
    """One RMSprop step as torch computes it, in place (``grad_avg`` given: centered)."""
    square_avg *= alpha  # v <- alpha v + (1 - alpha) g^2
    square_avg += (1 - alpha) * grad * grad
    if grad_avg is not None:  # centered: the variance v - gbar^2
        lerp_(grad_avg, grad, 1 - alpha)
        denom = np.sqrt(square_avg - grad_avg * grad_avg) + eps
    else:
        denom = np.sqrt(square_avg) + eps
    if momentum_buffer is not None:
        momentum_buffer *= momentum  # b <- momentum b + g / denom
        momentum_buffer += grad / denom
        param -= lr * momentum_buffer  # w <- w - lr b
    else:
        param -= lr * grad / denom  # w <- w - lr g / denom


def rmsprop_keras(
    param, grad, velocity, lr, rho, eps, momentum, momentum_buffer=None, average_grad=None
):
    """One RMSprop step as Keras computes it, in place: eps inside the root, lr in the buffer."""
    velocity[...] = rho * velocity + (1 - rho) * (grad * grad)  # v <- rho v + (1 - rho) g^2
    if average_grad is not None:  # centered
        average_grad[...] = rho * average_grad + (1 - rho) * grad
        denominator = velocity - average_grad * average_grad + eps
    else:
        denominator = velocity + eps
    increment = lr * grad / np.sqrt(denominator)
    if momentum_buffer is not None:  # b <- momentum b + lr g / denom
        momentum_buffer[...] = momentum * momentum_buffer + increment
        increment = momentum_buffer
    param -= increment  # w <- w - b


class RMSprop(Optimizer):
    def __init__(
        self,
        lr=1e-2,
        alpha=0.99,
        eps=1e-8,
        weight_decay=0.0,
        momentum=0.0,
        centered=False,
        *,
        convention="torch",
    ):
        super().__init__(lr, weight_decay=weight_decay, convention=convention)
        self.alpha = validation.check_unit_interval("alpha", alpha)
        self.eps = validation.check_nonnegative("eps", eps)
        self.momentum = validation.check_nonnegative("momentum", momentum)
        self.centered = bool(centered)
        self.state_names = (
            ("square_avg",)
            + (("momentum_buffer",) if self.momentum else ())
            + (("grad_avg",) if self.centered else ())
        )

    def _update(self, param, grad, state, lr):
        update = rmsprop_torch if self.convention == "torch" else rmsprop_keras
        v, b, gbar = state["square_avg"], state.get("momentum_buffer"), state.get("grad_avg")
        update(param, grad, v, lr, self.alpha, self.eps, self.momentum, b, gbar)

    def _torch_spec(self):
        return "RMSprop", {
            "alpha": self.alpha,
            "eps": self.eps,
            "weight_decay": self.weight_decay,
            "momentum": self.momentum,
            "centered": self.centered,
        }

    def _keras_spec(self):
        return "RMSprop", {
            "rho": self.alpha,
            "epsilon": self.eps,
            "momentum": self.momentum,
            "centered": self.centered,
        }

    def _repr_args(self):
        return {
            **super()._repr_args(),
            "alpha": self.alpha,
            "eps": self.eps,
            "momentum": self.momentum,
            "centered": self.centered,
        }
