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
from .moments import lerp_


def adam_torch(param, grad, exp_avg, exp_avg_sq, step, lr, betas, eps, max_exp_avg_sq=None):
    """One Adam step as torch computes it, in place (``max_exp_avg_sq``: amsgrad's maximum)."""
    beta1, beta2 = betas
    lerp_(exp_avg, grad, 1 - beta1)  # m <- beta1 m + (1 - beta1) g
    exp_avg_sq *= beta2  # v <- beta2 v + (1 - beta2) g^2
    exp_avg_sq += (1 - beta2) * grad * grad
    if max_exp_avg_sq is not None:  # amsgrad: divide by the largest v so far
        max_exp_avg_sq[...] = np.maximum(max_exp_avg_sq, exp_avg_sq)
        exp_avg_sq = max_exp_avg_sq
    step_size = lr / (1 - beta1**step)  # lr / (1 - beta1^t)
    denom = np.sqrt(exp_avg_sq) / (1 - beta2**step) ** 0.5 + eps  # sqrt(v_hat) + eps
    param -= step_size * exp_avg / denom  # w <- w - lr m_hat / (sqrt(v_hat) + eps)


def adam_keras(param, grad, m, v, step, lr, betas, eps, v_hat=None):
    """One Adam step as Keras computes it, in place (``v_hat``: amsgrad's maximum).

    Keras computes the bias corrections in the variable's dtype, from betas cast through
    float32, and folds them into one factor ``alpha``.
    """
    beta1, beta2 = betas
    dt = param.dtype.type
    beta1_power, beta2_power = dt(f32(beta1)) ** dt(step), dt(f32(beta2)) ** dt(step)
    alpha = dt(lr) * np.sqrt(dt(1) - beta2_power) / (dt(1) - beta1_power)
    m += (grad - m) * (1 - beta1)  # m <- m + (1 - beta1) (g - m)
    v += (grad * grad - v) * (1 - beta2)  # v <- v + (1 - beta2) (g^2 - v)
    if v_hat is not None:  # amsgrad
        v_hat[...] = np.maximum(v_hat, v)
        v = v_hat
    param -= m * alpha / (np.sqrt(v) + eps)  # w <- w - alpha m / (sqrt(v) + eps)


class Adam(Optimizer):
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

    def _update(self, param, grad, state, lr):
        update = adam_torch if self.convention == "torch" else adam_keras
        m, v, v_max = state["exp_avg"], state["exp_avg_sq"], state.get("max_exp_avg_sq")
        update(param, grad, m, v, state["step"], lr, self.betas, self.eps, v_max)

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
