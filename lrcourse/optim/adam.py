"""Adam and AdamW: momentum on the gradient and on its square, with bias correction.

    m <- beta1 * m + (1 - beta1) * g           (first moment, an average gradient)
    v <- beta2 * v + (1 - beta2) * g^2         (second moment, an average squared gradient)
    m_hat = m / (1 - beta1^t),  v_hat = v / (1 - beta2^t)        (t counts from 1)
    torch:  w <- w - lr * m_hat / (sqrt(v_hat) + eps)
    keras:  w <- w - lr * sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + eps)

The two are the same except where eps sits: Keras adds eps to sqrt(v) before the bias
correction, which equals torch with eps / sqrt(1 - beta2^t), a larger eps early on.
The effective step on the first update is ``lr * sqrt(1 - beta2) / (1 - beta1)`` times
m / sqrt(v) (~ +-1 for a steady gradient): the step is about lr, whatever the gradient's scale.

amsgrad=True keeps the running maximum of v and divides by that instead (both frameworks).

Weight decay: ``Adam`` under torch adds ``weight_decay * w`` to the gradient (L2);
``AdamW`` decays decoupled from the gradient, ``w <- w * (1 - lr * weight_decay)``.
Keras decays decoupled for every optimizer, so ``Adam(convention="keras")`` with
weight_decay > 0 *is* AdamW (Keras' AdamW is its Adam with weight_decay=0.004).

Defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8 (torch) -- Keras uses eps 1e-7.
Transformer recipe: betas (0.9, 0.98), eps 1e-9; BERT: (0.9, 0.999), eps 1e-6, lr 5e-5.

>>> import numpy as np
>>> w = np.array([1.0]); opt = Adam(lr=0.1)
>>> opt.step([w], [np.array([3.0])]); w.round(6)   # first step: ~lr, whatever g's size
array([0.9])
"""

from __future__ import annotations

import numpy as np

from .. import validation
from .base import Optimizer, f32
from .moments import decay_add_square_, lerp_


class Adam(Optimizer):
    n_tmp = 2

    def __init__(
        self,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0.0,
        amsgrad=False,
        *,
        convention="torch",
    ):
        super().__init__(lr, weight_decay=weight_decay, convention=convention)
        self.betas = validation.check_betas(betas)
        self.eps = validation.check_nonnegative("eps", eps)
        self.amsgrad = bool(amsgrad)
        self.state_names = ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if amsgrad else ())

    def _scalars(self, state, lr, dtype):
        b1, b2 = self.betas
        t = state["step"]
        if self.convention == "torch":  # Python floats, as torch computes them
            return {
                "step_size": lr / (1 - b1**t),
                "bias_correction2_sqrt": (1 - b2**t) ** 0.5,
            }
        dt = dtype.type  # Keras: tensors of the variable's dtype, betas cast through float32
        b1_power, b2_power = dt(f32(b1)) ** dt(t), dt(f32(b2)) ** dt(t)
        return {"alpha": dt(lr) * np.sqrt(dt(1) - b2_power) / (dt(1) - b1_power)}

    def _update(self, p, g, s, c, tmp):
        b1, b2 = self.betas
        m, v = s["exp_avg"], s["exp_avg_sq"]
        t, denom = tmp
        lerp_(m, g, 1 - b1, t)  # m <- m + (1 - beta1) * (g - m)
        if self.convention == "torch":
            decay_add_square_(v, g, b2, t)  # v <- beta2 * v + (1 - beta2) * g * g
        else:
            lerp_(v, np.square(g, out=t), 1 - b2, t)  # v <- v + (1 - beta2) * (g^2 - v)
        if self.amsgrad:
            np.maximum(s["max_exp_avg_sq"], v, out=s["max_exp_avg_sq"])
            v = s["max_exp_avg_sq"]
        np.sqrt(v, out=denom)
        if self.convention == "torch":
            denom /= c["bias_correction2_sqrt"]  # w <- w - step_size * m / (sqrt(v_hat) + eps)
            denom += self.eps
            np.divide(m, denom, out=t)
            t *= -c["step_size"]
            p += t
        else:
            denom += self.eps  # w <- w - alpha * m / (sqrt(v) + eps)
            np.multiply(m, c["alpha"], out=t)
            t /= denom
            p -= t

    def _torch_spec(self):
        return "Adam", {
            "betas": self.betas,
            "eps": self.eps,
            "weight_decay": self.weight_decay,
            "amsgrad": self.amsgrad,
        }

    def _torch_decoupled(self, kwargs):
        return {**kwargs, "decoupled_weight_decay": True}

    def _keras_spec(self):
        b1, b2 = self.betas
        return "Adam", {"beta_1": b1, "beta_2": b2, "epsilon": self.eps, "amsgrad": self.amsgrad}

    def _repr_args(self):
        return {**super()._repr_args(), "betas": self.betas, "eps": self.eps}


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter): w <- w * (1 - lr * wd) first.

    Default weight_decay 1e-2 (torch); Keras' AdamW defaults to 0.004.
    """

    decoupled = True

    def __init__(
        self,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=1e-2,
        amsgrad=False,
        *,
        convention="torch",
    ):
        super().__init__(lr, betas, eps, weight_decay, amsgrad, convention=convention)

    def _torch_spec(self):
        return "AdamW", super()._torch_spec()[1]

    def _keras_spec(self):
        return "AdamW", super()._keras_spec()[1]
