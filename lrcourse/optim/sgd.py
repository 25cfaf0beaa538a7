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

from .. import validation
from .base import Optimizer, f32, reject_for_keras


def sgd_torch(param, grad, momentum_buffer, step, lr, momentum, dampening, nesterov):
    """One SGD step as torch computes it, in place (``momentum_buffer`` None: no momentum)."""
    if momentum_buffer is not None:
        if step == 1:  # b <- g on the first step
            momentum_buffer[...] = grad
        else:  # b <- momentum b + (1 - dampening) g
            momentum_buffer *= momentum
            momentum_buffer += (1 - dampening) * grad
        grad = grad + momentum * momentum_buffer if nesterov else momentum_buffer
    param -= lr * grad  # w <- w - lr d


def sgd_keras(param, grad, velocity, lr, momentum, nesterov):
    """One SGD step as Keras computes it, in place (``velocity`` None: no momentum)."""
    if velocity is None:
        param -= grad * lr  # w <- w - lr g
        return
    velocity[...] = velocity * momentum - grad * lr  # v <- momentum v - lr g
    if nesterov:
        param += velocity * momentum - grad * lr  # w <- w + momentum v - lr g
    else:
        param += velocity  # w <- w + v


class SGD(Optimizer):
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

    def _update(self, param, grad, state, lr):
        buffer = state.get("momentum_buffer")
        if self.convention == "torch":
            sgd_torch(
                param, grad, buffer, state["step"], lr, self.momentum, self.dampening, self.nesterov
            )
        else:  # Keras casts momentum through float32
            sgd_keras(param, grad, buffer, lr, f32(self.momentum), self.nesterov)

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
