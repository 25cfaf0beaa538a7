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
from .moments import decay_add_square_, lerp_


class NAdam(Optimizer):
    state_names = ("exp_avg", "exp_avg_sq")
    n_tmp = 2

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

    def _init_state(self, p):
        return {**super()._init_state(p), "mu_product": p.dtype.type(1.0)}

    def _scalars(self, state, lr, dtype):
        b1, b2 = self.betas
        t, dt = state["step"], dtype.type
        if self.convention == "torch":  # Python floats, the product in the parameter's dtype
            psi = self.momentum_decay
            mu = b1 * (1.0 - 0.5 * 0.96 ** (t * psi))
            mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
            state["mu_product"] = dt(state["mu_product"] * mu)
            product = float(state["mu_product"])
            return {
                "bias_correction2": 1 - b2**t,
                "grad_coef": -lr * (1.0 - mu) / (1.0 - product),
                "avg_coef": -lr * mu_next / (1.0 - product * mu_next),
            }
        # Keras: the product is updated with the exact Python constants, the rest of the
        # step uses beta1, beta2 and 0.96 cast through float32, in the variable's dtype.
        state["mu_product"] = state["mu_product"] * dt(b1) * (dt(1.0) - dt(0.5) * dt(0.96) ** dt(t))
        beta1, beta2, decay = dt(f32(b1)), dt(f32(b2)), dt(f32(0.96))
        u_t = beta1 * (dt(1.0) - dt(0.5) * decay ** dt(t))
        u_next = beta1 * (dt(1.0) - dt(0.5) * decay ** dt(t + 1))
        product = state["mu_product"]
        return {
            "one_minus_b1": dt(1) - beta1,
            "one_minus_b2": dt(1) - beta2,
            "avg_coef": u_next,
            "avg_den": dt(1) - product * u_next,
            "grad_coef": dt(1) - u_t,
            "grad_den": dt(1) - product,
            "bias_correction2": dt(1) - beta2 ** dt(t),
            "lr": dt(lr),
        }

    def _update(self, p, g, s, c, tmp):
        b1, b2 = self.betas
        m, v = s["exp_avg"], s["exp_avg_sq"]
        t, denom = tmp
        if self.convention == "torch":
            lerp_(m, g, 1 - b1, t)
            decay_add_square_(v, g, b2, t)
            np.divide(v, c["bias_correction2"], out=denom)  # sqrt(v_hat) + eps
            np.sqrt(denom, out=denom)
            denom += self.eps
            np.divide(g, denom, out=t)  # w += grad_coef * g / denom + avg_coef * m / denom
            t *= c["grad_coef"]
            p += t
            np.divide(m, denom, out=t)
            t *= c["avg_coef"]
            p += t
            return
        lerp_(m, g, c["one_minus_b1"], t)
        lerp_(v, np.square(g, out=t), c["one_minus_b2"], t)
        np.multiply(m, c["avg_coef"], out=t)  # m_hat = u_{t+1} m / (1 - P u_{t+1})
        t /= c["avg_den"]
        np.multiply(g, c["grad_coef"], out=denom)  #       + (1 - u_t) g / (1 - P)
        denom /= c["grad_den"]
        t += denom
        t *= c["lr"]  # w <- w - m_hat lr / (sqrt(v_hat) + eps)
        np.divide(v, c["bias_correction2"], out=denom)
        np.sqrt(denom, out=denom)
        denom += self.eps
        t /= denom
        p -= t

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
