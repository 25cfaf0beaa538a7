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


class Adagrad(Optimizer):
    state_names = ("sum",)
    n_tmp = 2

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

    def _init_state(self, p):
        init = self.initial_accumulator_value
        if self.convention == "keras":  # Keras' Constant initializer casts through float32
            init = f32(init)
        return {"sum": np.full_like(p, init, order="C")}

    def _scalars(self, state, lr, dtype):
        return {"clr": lr / (1 + (state["step"] - 1) * self.lr_decay), "lr": lr}

    def _update(self, p, g, s, c, tmp):
        t, t2 = tmp
        acc = s["sum"]
        np.square(g, out=t)  # s <- s + g^2
        acc += t
        if self.convention == "torch":
            np.sqrt(acc, out=t)  # w <- w - clr * g / (sqrt(s) + eps)
            t += self.eps
            np.divide(g, t, out=t)
            t *= -c["clr"]
            p += t
        else:
            np.add(acc, self.eps, out=t)  # w <- w - lr * g / sqrt(s + eps)
            np.sqrt(t, out=t)
            np.multiply(g, c["lr"], out=t2)
            t2 /= t
            p -= t2

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
