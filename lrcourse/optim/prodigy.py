"""Prodigy (Mishchenko & Defazio, 2024): D-Adaptation's Adam, with a faster estimate of D.

Like D-Adaptation (:mod:`lrcourse.optim.d_adaptation`), Prodigy keeps an estimate d of
D = |x0 - x*| and uses it as the learning rate; ``lr`` is only a multiplier (leave it at 1).
Its estimate weights each step's terms by d itself (the d / d0 factors), which improves
D-Adaptation's convergence bound by a factor of O(sqrt(log(D / d0))). With dlr = d * lr
(times Adam's bias correction if asked) and beta3 = sqrt(beta2) unless given, each step

    numerator <- beta3 * numerator + (d / d0) * dlr * <g, x0 - x>
    m <- beta1 * m + d * (1 - beta1) * g          (m and v carry d: Adam on d * g)
    v <- beta2 * v + d^2 * (1 - beta2) * g^2
    s <- beta3 * s + (d / d0) * dlr * g           (d instead of dlr with safeguard_warmup)
    d_hat = d_coef * numerator / |s|_1
    d_max <- max(d_max, d_hat);  d <- min(d_max, d * growth_rate)
    w <- w - dlr * m / (sqrt(v) + d * eps)         (the new d in the denominator)

(while d is still d0, it first jumps to max(d0, d_hat)). The sums run over all parameters:
one d serves the whole model. ``opt.d`` is that estimate (d0 before the
first step; the twin keeps it in ``param_groups[0]["d"]``): plot it to see the step size
found. beta1 = 0 drops the momentum (w <- w - dlr * d * g / (sqrt(v) + d * eps)).
``slice_p`` > 1 computes the estimate on every slice_p-th element only (less memory).
Weight decay is decoupled by default (w <- w - dlr * weight_decay * w); ``decouple=False``
makes it L2 in the gradient. Nothing moves while every gradient is zero.

Defaults (``prodigyopt.Prodigy``): lr 1.0, betas (0.9, 0.999), beta3 None, eps 1e-8,
weight_decay 0, decouple True, use_bias_correction False, safeguard_warmup False, d0 1e-6,
d_coef 1.0, growth_rate inf, slice_p 1. Its twin is ``prodigyopt.Prodigy`` (PyPI
``prodigyopt``, on torch). Keras has none, so ``to_keras`` raises; ``convention`` is
accepted as everywhere here but changes nothing.

>>> import numpy as np
>>> w = np.array([3.0, -2.0]); opt = Prodigy()
>>> for _ in range(20):
...     opt.step([w], [2 * w])              # minimise |w|^2, starting 3.6 from the minimum
>>> round(opt.d, 3)                         # d grew from 1e-6 to the scale of that distance
1.076
"""

from __future__ import annotations

import math

import numpy as np

from .. import validation
from .d_adaptation import DAdaptation


def prodigy_moments(
    param, grad, p0, exp_avg, exp_avg_sq, grad_sum, d, d0, dlr, beta1, beta2, beta3, slice_p,
    safeguard_warmup,
):  # fmt: skip
    """Update m, v and s (``grad_sum``) in place; return this parameter's ``(numerator, |s|_1)``."""
    sliced_grad = grad.reshape(-1)[::slice_p]
    x = param.reshape(-1)[::slice_p]
    numerator = (d / d0) * dlr * float(np.dot(sliced_grad, p0 - x))  # (d/d0) dlr <g, x0 - x>
    if beta1 > 0:
        exp_avg *= beta1  # m <- beta1 m + d (1 - beta1) g
        exp_avg += d * (1 - beta1) * grad
    exp_avg_sq *= beta2  # v <- beta2 v + d^2 (1 - beta2) g^2
    exp_avg_sq += d * d * (1 - beta2) * grad * grad
    grad_sum *= beta3  # s <- beta3 s + (d/d0) dlr g
    grad_sum += (d / d0) * (d if safeguard_warmup else dlr) * sliced_grad
    return numerator, float(np.abs(grad_sum).sum())


def prodigy_estimate(
    d, d0, d_max, d_numerator, delta_numerator, d_denom, beta3, d_coef, growth_rate
):
    """The new ``(d, d_max, d_numerator, d_hat)`` from the sums over all parameters."""
    d_numerator = d_numerator * beta3 + delta_numerator
    d_hat = d_coef * d_numerator / d_denom
    if d == d0:  # the first growth
        d = max(d, d_hat)
    d_max = max(d_max, d_hat)
    d = min(d_max, d * growth_rate)
    return d, d_max, d_numerator, d_hat


def prodigy_step(param, grad, exp_avg, exp_avg_sq, d, dlr, eps, beta1):
    """w <- w - dlr * m / (sqrt(v) + d * eps), in place (with beta1 = 0: d * g for m)."""
    denom = np.sqrt(exp_avg_sq) + d * eps
    if beta1 > 0:
        param += -dlr * exp_avg / denom
    else:
        param += -dlr * d * grad / denom


class Prodigy(DAdaptation):
    """Prodigy; see the module docstring."""

    torch_module, torch_name = "prodigyopt", "Prodigy"

    def __init__(
        self,
        lr=1.0,
        betas=(0.9, 0.999),
        beta3=None,
        eps=1e-8,
        weight_decay=0.0,
        decouple=True,
        use_bias_correction=False,
        safeguard_warmup=False,
        d0=1e-6,
        d_coef=1.0,
        growth_rate=math.inf,
        slice_p=1,
        *,
        convention="torch",
    ):
        super().__init__(lr, betas=betas, eps=eps, weight_decay=weight_decay, decouple=decouple,
                         use_bias_correction=use_bias_correction, d0=d0,
                         growth_rate=growth_rate, convention=convention)  # fmt: skip
        self.beta3 = None if beta3 is None else validation.check_unit_interval("beta3", beta3)
        self.safeguard_warmup = bool(safeguard_warmup)
        self.d_coef = validation.check_positive("d_coef", d_coef)
        self.slice_p = validation.check_int("slice_p", slice_p, low=1)
        self.d_max = self.d0
        self.d_numerator = 0.0

    def _init_state(self, p):
        flat = p.reshape(-1)[:: self.slice_p]
        state = {"s": np.zeros_like(flat), "p0": flat.copy(), "exp_avg_sq": np.zeros_like(p)}
        if self.betas[0] > 0:
            state["exp_avg"] = np.zeros_like(p)
        return state

    @property
    def _beta3(self):
        return math.sqrt(self.betas[1]) if self.beta3 is None else self.beta3

    def _accumulate(self, p, g, state, dlr):
        b1, b2 = self.betas
        return prodigy_moments(
            p, g, state["p0"], state.get("exp_avg"), state["exp_avg_sq"], state["s"], self.d,
            self.d0, dlr, b1, b2, self._beta3, self.slice_p, self.safeguard_warmup,
        )  # fmt: skip

    def _estimate(self, numerator, denominator):
        self.d, self.d_max, self.d_numerator, self.d_hat = prodigy_estimate(
            self.d, self.d0, self.d_max, self.d_numerator, numerator, denominator,
            self._beta3, self.d_coef, self.growth_rate,
        )  # fmt: skip

    def _apply(self, p, g, state, dlr):
        prodigy_step(p, g, state.get("exp_avg"), state["exp_avg_sq"], self.d, dlr, self.eps,
                     self.betas[0])  # fmt: skip

    def _torch_kwargs(self):
        return {
            **super()._torch_kwargs(),
            "beta3": self.beta3,
            "safeguard_warmup": self.safeguard_warmup,
            "d_coef": self.d_coef,
            "slice_p": self.slice_p,
        }
