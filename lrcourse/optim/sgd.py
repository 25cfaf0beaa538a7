"""Stochastic gradient descent, with momentum and Nesterov momentum.

    plain:     w <- w - lr * g
    torch:     b <- g (first step), then b <- momentum * b + (1 - dampening) * g
               d <- g + momentum * b (nesterov) or b;   w <- w - lr * d
    keras:     v <- momentum * v - lr * g
               w <- w + momentum * v - lr * g (nesterov) or w + v

With a constant lr and dampening 0 the two are the same method (v = -lr * b); they differ
when the lr changes, because Keras folds the lr into the buffer: a schedule's new lr only
scales the new gradient, not the velocity already built up.

Defaults (torch): lr=1e-3 in torch, 0.01 in Keras; momentum 0 (0.5-0.9 is typical).

>>> import numpy as np
>>> w = np.array([1.0]); opt = SGD(lr=0.1)
>>> opt.step([w], [np.array([2.0])]); w      # 1 - 0.1 * 2
array([0.8])
"""

from __future__ import annotations

import numpy as np

from .. import validation
from .base import Optimizer, f32, reject_for_keras


class SGD(Optimizer):
    n_tmp = 2

    def __init__(
        self,
        lr=1e-3,
        momentum=0.0,
        dampening=0.0,
        nesterov=False,
        weight_decay=0.0,
        *,
        convention="torch",
    ):
        super().__init__(lr, weight_decay=weight_decay, convention=convention)
        self.momentum = validation.check_nonnegative("momentum", momentum)
        self.dampening = validation.check_nonnegative("dampening", dampening)
        self.nesterov = bool(nesterov)
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError("nesterov=True needs momentum > 0 and dampening = 0")
        reject_for_keras(self.convention, dampening=(self.dampening, 0.0))
        self.state_names = ("momentum_buffer",) if self.momentum else ()

    def _scalars(self, state, lr, dtype):
        momentum = f32(self.momentum) if self.convention == "keras" else self.momentum
        return {"lr": lr, "momentum": momentum, "first": state["step"] == 1}

    def _update(self, p, g, s, c, tmp):
        lr, mu = c["lr"], c["momentum"]
        t, t2 = tmp
        if not mu:
            np.multiply(g, lr, out=t)
            p -= t
        elif self.convention == "torch":
            b = s["momentum_buffer"]
            if c["first"]:
                b[...] = g
            else:
                b *= mu
                np.multiply(g, 1 - self.dampening, out=t)
                b += t
            if self.nesterov:
                np.multiply(b, mu, out=t)
                t += g
                d = t
            else:
                d = b
            np.multiply(d, lr, out=t)
            p -= t
        else:
            v = s["momentum_buffer"]
            v *= mu
            np.multiply(g, lr, out=t)
            v -= t
            if self.nesterov:  # w += (momentum * v - lr * g)
                np.multiply(v, mu, out=t)
                np.multiply(g, lr, out=t2)
                t -= t2
                p += t
            else:
                p += v

    def _torch_spec(self):
        return "SGD", {
            "momentum": self.momentum,
            "dampening": self.dampening,
            "nesterov": self.nesterov,
            "weight_decay": self.weight_decay,
        }

    def _keras_spec(self):
        reject_for_keras("keras", dampening=(self.dampening, 0.0))
        return "SGD", {"momentum": self.momentum, "nesterov": self.nesterov}

    def _repr_args(self):
        return {
            **super()._repr_args(),
            "momentum": self.momentum,
            "dampening": self.dampening,
            "nesterov": self.nesterov,
        }
