"""NAdam: Adam with Nesterov momentum (Dozat, 2016), with a warming-up momentum schedule.

    mu_t = beta1 * (1 - 0.5 * 0.96^(t * psi))            (momentum schedule, t from 1)
    P_t  = mu_1 * mu_2 * ... * mu_t                         (running product)
    m <- beta1 * m + (1 - beta1) * g;   v <- beta2 * v + (1 - beta2) * g^2
    v_hat = v / (1 - beta2^t)
    w <- w - lr * [ (1 - mu_t) / (1 - P_t) * g + mu_{t+1} / (1 - P_t * mu_{t+1}) * m ]
              / (sqrt(v_hat) + eps)

torch: psi = ``momentum_decay`` (default 4e-3). keras: psi is hard-coded to 1 (0.96^t), so
the momentum warms up in ~20 steps instead of ~5,000 -- the two are different optimizers
early in training; ``momentum_decay`` is not used under ``convention="keras"``.
torch keeps P_t in ``torch.get_default_dtype()``; here it is kept in the parameter's dtype
(set torch's default dtype to float64 to compare float64 runs bit for bit).

Defaults: torch lr 2e-3, betas (0.9, 0.999), eps 1e-8; Keras lr 1e-3, eps 1e-7.

>>> import numpy as np
>>> w = np.array([1.0]); opt = NAdam(lr=0.1)
>>> opt.step([w], [np.array([1.0])]); w.round(6)   # mu_2/(1-mu_1 mu_2) + (1-mu_1)/(1-mu_1)
array([0.894355])
"""

from __future__ import annotations

import numpy as np

from .. import validation
from .base import Optimizer, f32
from .moments import lerp_


def nadam_momentum(step, beta1, momentum_decay):
    """mu_t = beta1 * (1 - 0.5 * 0.96^(t * psi)), torch's momentum schedule."""
    return beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))


def nadam_torch(param, grad, exp_avg, exp_avg_sq, step, mu_product, lr, betas, eps, momentum_decay):
    """One NAdam step as torch computes it, in place (``mu_product`` = mu_1 ... mu_t)."""
    beta1, beta2 = betas
    mu = nadam_momentum(step, beta1, momentum_decay)
    mu_next = nadam_momentum(step + 1, beta1, momentum_decay)
    lerp_(exp_avg, grad, 1 - beta1)  # m <- beta1 m + (1 - beta1) g
    exp_avg_sq *= beta2  # v <- beta2 v + (1 - beta2) g^2
    exp_avg_sq += (1 - beta2) * grad * grad
    denom = np.sqrt(exp_avg_sq / (1 - beta2**step)) + eps  # sqrt(v_hat) + eps
    param += (-lr * (1.0 - mu) / (1.0 - mu_product)) * grad / denom
    param += (-lr * mu_next / (1.0 - mu_product * mu_next)) * exp_avg / denom


def nadam_keras(param, grad, m, v, step, u_product, lr, betas, eps):
    """One NAdam step as Keras computes it, in place: psi = 1, constants via float32."""
    dt = param.dtype.type
    beta1, beta2, decay = dt(f32(betas[0])), dt(f32(betas[1])), dt(f32(0.96))
    u_t = beta1 * (dt(1.0) - dt(0.5) * decay ** dt(step))
    u_next = beta1 * (dt(1.0) - dt(0.5) * decay ** dt(step + 1))
    m += (grad - m) * (1 - beta1)  # m <- m + (1 - beta1) (g - m)
    v += (grad * grad - v) * (1 - beta2)  # v <- v + (1 - beta2) (g^2 - v)
    m_hat = u_next * m / (1 - u_product * u_next) + (1 - u_t) * grad / (1 - u_product)
    v_hat = v / (1 - beta2 ** dt(step))
    param -= m_hat * dt(lr) / (np.sqrt(v_hat) + eps)


class NAdam(Optimizer):
    state_names = ("exp_avg", "exp_avg_sq")

    def __init__(
        self,
        lr=2e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0.0,
        momentum_decay=4e-3,
        *,
        convention="torch",
    ):
        super().__init__(lr, weight_decay=weight_decay, convention=convention)
        self.betas = validation.check_betas(betas)
        self.eps = validation.check_nonnegative("eps", eps)
        self.momentum_decay = validation.check_nonnegative("momentum_decay", momentum_decay)
        if self.convention == "keras" and self.momentum_decay != 4e-3:
            raise ValueError(
                f"momentum_decay={momentum_decay!r} has no Keras equivalent: Keras' Nadam "
                "hard-codes the schedule 0.96^t; use convention='torch'"
            )

    def _init_state(self, param):
        return {**super()._init_state(param), "mu_product": param.dtype.type(1.0)}

    def _begin_step(self, state, lr):
        """P_t = P_{t-1} * mu_t, kept in the parameter's dtype."""
        b1, t = self.betas[0], state["step"]
        dt = type(state["mu_product"])
        if self.convention == "torch":
            state["mu_product"] = dt(
                state["mu_product"] * nadam_momentum(t, b1, self.momentum_decay)
            )
        else:  # Keras: the exact Python constants, in the variable's dtype
            state["mu_product"] *= dt(b1) * (dt(1.0) - dt(0.5) * dt(0.96) ** dt(t))

    def _update(self, param, grad, state, lr):
        m, v, t, product = state["exp_avg"], state["exp_avg_sq"], state["step"], state["mu_product"]
        if self.convention == "torch":
            nadam_torch(
                param, grad, m, v, t, float(product), lr, self.betas, self.eps, self.momentum_decay
            )
        else:
            nadam_keras(param, grad, m, v, t, product, lr, self.betas, self.eps)

    def _torch_spec(self):
        return "NAdam", {
            "betas": self.betas,
            "eps": self.eps,
            "weight_decay": self.weight_decay,
            "momentum_decay": self.momentum_decay,
        }

    def _torch_decoupled(self, kwargs):
        return {**kwargs, "decoupled_weight_decay": True}

    def _keras_spec(self):
        b1, b2 = self.betas
        return "Nadam", {"beta_1": b1, "beta_2": b2, "epsilon": self.eps}

    def _repr_args(self):
        return {
            **super()._repr_args(),
            "betas": self.betas,
            "eps": self.eps,
            "momentum_decay": self.momentum_decay,
        }
