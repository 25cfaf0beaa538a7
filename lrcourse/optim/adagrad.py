"""AdaGrad: divide each coordinate's step by the root of its summed squared gradients.

    s <- s + g^2
    torch:  w <- w - lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps)
    keras:  w <- w - lr * g / sqrt(s + eps)

Rarely-updated coordinates (sparse features) keep large steps; frequent ones slow down.
Because s only grows, the effective rate only shrinks and can stop learning too early --
the problem Adadelta and RMSprop fix.

Defaults: torch lr 1e-2, initial accumulator 0, eps 1e-10; Keras lr 1e-3, initial
accumulator 0.1, eps 1e-7 (inside the square root). ``lr_decay`` is torch-only.

>>> import numpy as np
>>> w = np.array([1.0]); opt = Adagrad(lr=0.1)
>>> opt.step([w], [np.array([4.0])]); w        # 1 - 0.1 * 4 / sqrt(16)
array([0.9])
"""

from __future__ import annotations

import numpy as np

from .. import validation
from .base import Optimizer, f32, reject_for_keras


def adagrad_torch(param, grad, sum_sq, step, lr, lr_decay, eps):
    """One AdaGrad step as torch computes it, in place (``sum_sq``: the summed g^2)."""
    clr = lr / (1 + (step - 1) * lr_decay)  # lr / (1 + (t - 1) lr_decay)
    sum_sq += grad * grad  # s <- s + g^2
    param -= clr * grad / (np.sqrt(sum_sq) + eps)  # w <- w - clr g / (sqrt(s) + eps)


def adagrad_keras(param, grad, accumulator, lr, eps):
    """One AdaGrad step as Keras computes it, in place (eps inside the square root)."""
    accumulator += grad * grad  # s <- s + g^2
    param -= lr * grad / np.sqrt(accumulator + eps)  # w <- w - lr g / sqrt(s + eps)


class Adagrad(Optimizer):
    state_names = ("sum",)

    def __init__(
        self,
        lr=1e-2,
        lr_decay=0.0,
        weight_decay=0.0,
        initial_accumulator_value=0.0,
        eps=1e-10,
        *,
        convention="torch",
    ):
        super().__init__(lr, weight_decay=weight_decay, convention=convention)
        self.lr_decay = validation.check_nonnegative("lr_decay", lr_decay)
        self.initial_accumulator_value = validation.check_nonnegative(
            "initial_accumulator_value", initial_accumulator_value
        )
        self.eps = validation.check_nonnegative("eps", eps)
        reject_for_keras(self.convention, lr_decay=(self.lr_decay, 0.0))

    def _init_state(self, param):
        init = self.initial_accumulator_value
        if self.convention == "keras":  # Keras' Constant initializer casts through float32
            init = f32(init)
        return {"sum": np.full_like(param, init, order="C")}

    def _update(self, param, grad, state, lr):
        if self.convention == "torch":
            adagrad_torch(param, grad, state["sum"], state["step"], lr, self.lr_decay, self.eps)
        else:
            adagrad_keras(param, grad, state["sum"], lr, self.eps)

    def _torch_spec(self):
        return "Adagrad", {
            "lr_decay": self.lr_decay,
            "weight_decay": self.weight_decay,
            "initial_accumulator_value": self.initial_accumulator_value,
            "eps": self.eps,
        }

    def _keras_spec(self):
        reject_for_keras("keras", lr_decay=(self.lr_decay, 0.0))
        return "Adagrad", {
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.eps,
        }

    def _repr_args(self):
        return {
            **super()._repr_args(),
            "lr_decay": self.lr_decay,
            "initial_accumulator_value": self.initial_accumulator_value,
            "eps": self.eps,
        }
