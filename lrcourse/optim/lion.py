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
from .moments import decay_add_


class Lion(Optimizer):
    state_names = ("exp_avg",)
    n_tmp = 2
    decoupled = True

    def __init__(self, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0, *, convention="torch"):
        super().__init__(lr, weight_decay=weight_decay, convention=convention)
        self.betas = validation.check_betas(betas)

    def _scalars(self, state, lr, dtype):
        b1, b2 = self.betas
        if self.convention == "keras":  # Keras casts the betas through float32
            dt = dtype.type
            b1, b2 = dt(f32(b1)), dt(f32(b2))
            return {"lr": lr, "b1": b1, "b2": b2, "w1": dt(1) - b1, "w2": dt(1) - b2}
        return {"lr": lr, "b1": b1, "b2": b2, "w1": 1 - b1, "w2": 1 - b2}

    def _update(self, p, g, s, c, tmp):
        t, t2 = tmp
        m = s["exp_avg"]
        np.multiply(m, c["b1"], out=t)  # c = beta1 m + (1 - beta1) g
        np.multiply(g, c["w1"], out=t2)
        t += t2
        np.sign(t, out=t)  # w <- w - lr sign(c)
        t *= c["lr"]
        p -= t
        decay_add_(m, g, c["b2"], c["w2"], t)  # m <- beta2 m + (1 - beta2) g

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
