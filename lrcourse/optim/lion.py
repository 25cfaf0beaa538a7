"""Lion (Chen et al., 2023): the sign of an interpolated momentum, so every step is +-lr.

    c = beta1 * m + (1 - beta1) * g
    w <- w - lr * sign(c)                  (weight decay decoupled: w <- w * (1 - lr * wd))
    m <- beta2 * m + (1 - beta2) * g

Every coordinate moves by exactly lr (or 0), so Lion wants a 3-10x smaller lr than Adam
and a larger weight decay. Defaults: lr 1e-4, betas (0.9, 0.99) (Keras: lr 1e-3).
Keras has ``keras.optimizers.Lion``; torch 2.13 has no Lion, so ``to_torch`` raises.

>>> import numpy as np
>>> w = np.array([1.0, 1.0]); opt = Lion(lr=0.1)
>>> opt.step([w], [np.array([3.0, -0.01])]); w
array([0.9, 1.1])
"""

from __future__ import annotations

import numpy as np

from .. import validation
from .base import Optimizer, f32


def lion(param, grad, exp_avg, lr, betas):
    """One Lion step, in place (Keras' order of operations)."""
    beta1, beta2 = betas
    param -= lr * np.sign(exp_avg * beta1 + grad * (1 - beta1))  # w <- w - lr sign(c)
    exp_avg[...] = exp_avg * beta2 + grad * (1 - beta2)  # m <- beta2 m + (1 - beta2) g


class Lion(Optimizer):
    state_names = ("exp_avg",)
    decoupled = True

    def __init__(self, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0, *, convention="torch"):
        super().__init__(lr, weight_decay=weight_decay, convention=convention)
        self.betas = validation.check_betas(betas)

    def _update(self, param, grad, state, lr):
        betas = self.betas
        if self.convention == "keras":  # Keras casts the betas through float32
            dt = param.dtype.type
            betas = (dt(f32(betas[0])), dt(f32(betas[1])))
        lion(param, grad, state["exp_avg"], lr, betas)

    def to_torch(self, torch_params):
        raise NotImplementedError(
            "torch 2.13 has no Lion optimizer (torch.optim.Lion does not exist); "
            "use to_keras() or this NumPy class"
        )

    def _keras_spec(self):
        b1, b2 = self.betas
        return "Lion", {"beta_1": b1, "beta_2": b2}

    def _repr_args(self):
        return {**super()._repr_args(), "betas": self.betas}
