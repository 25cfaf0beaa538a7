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
from .moments import decay_add_, decay_add_square_, lerp_


class RMSprop(Optimizer):
    n_tmp = 2

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

    def _update(self, p, g, s, c, tmp):
        alpha, eps, lr = self.alpha, self.eps, c["lr"]
        v = s["square_avg"]
        denom, t = tmp
        torch = self.convention == "torch"
        if torch:
            decay_add_square_(v, g, alpha, t)
        else:
            decay_add_(v, np.square(g, out=t), alpha, 1 - alpha, t)
        src = v
        if self.centered:  # use the variance v - gbar^2 instead of the raw second moment
            gbar = s["grad_avg"]
            if torch:
                lerp_(gbar, g, 1 - alpha, t)
            else:
                decay_add_(gbar, g, alpha, 1 - alpha, t)
            np.square(gbar, out=denom)
            src = np.subtract(v, denom, out=denom)
        if torch:
            np.sqrt(src, out=denom)  # denom = sqrt(v) + eps
            denom += eps
            np.divide(g, denom, out=t)  # t = g / denom
        else:
            np.add(src, eps, out=denom)  # denom = sqrt(v + eps)
            np.sqrt(denom, out=denom)
            np.multiply(g, lr, out=t)  # t = lr * g / denom
            t /= denom
        if self.momentum:
            b = s["momentum_buffer"]
            b *= self.momentum
            b += t
            t = b
        if torch:
            np.multiply(t, lr, out=denom)
            p -= denom
        else:
            p -= t

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
