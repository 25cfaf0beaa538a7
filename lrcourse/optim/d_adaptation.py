"""D-Adaptation Adam (Defazio & Mishchenko, 2023): Adam that estimates its own step size.

The best constant step size of (sub)gradient descent is about D / G, where D = |x0 - x*| is
the distance to the solution, unknown. D-Adaptation keeps a lower bound d on D, computed
from the steps taken so far, and uses it as the learning rate: ``lr`` is only a multiplier
(leave it at 1). With dlr = d * lr (times Adam's bias correction if asked), each step

    numerator <- sqrt(beta2) * numerator + (1 - sqrt(beta2)) * dlr * <g, s / (sqrt(v) + eps)>
    m <- beta1 * m + dlr * (1 - beta1) * g        (the lr is inside the momentum)
    v <- beta2 * v + (1 - beta2) * g^2
    s <- sqrt(beta2) * s + dlr * (1 - sqrt(beta2)) * g
    d_hat = numerator / ((1 - sqrt(beta2)) * |s|_1)
    d <- max(d, min(d_hat, d * growth_rate))     (d only grows)
    w <- w - m / (sqrt(v) + eps)

The inner product uses v and s from before the update, and the sums run over all
parameters: one d serves the whole model. ``opt.d`` is that estimate (d0 before the first
step; the twin keeps it in ``param_groups[0]["d"]``): plot it to see the step size found.
``decouple=True`` decays weights as AdamW does (w <- w - dlr * weight_decay * w); otherwise
weight decay is L2 in the gradient. Nothing moves while every gradient is zero.

Defaults (``dadaptation.DAdaptAdam``): lr 1.0, betas (0.9, 0.999), eps 1e-8, weight_decay 0,
decouple False, use_bias_correction False, d0 1e-6, growth_rate inf. Its twin is
``dadaptation.DAdaptAdam`` (PyPI ``dadaptation``, on torch). Keras has none, so ``to_keras``
raises; ``convention`` is accepted as everywhere here but changes nothing.

>>> import numpy as np
>>> w = np.array([3.0, -2.0]); opt = DAdaptAdam()
>>> for _ in range(20):
...     opt.step([w], [2 * w])              # minimise |w|^2, starting 3.6 from the minimum
>>> round(opt.d, 3)                         # d grew from 1e-6 to the scale of that distance
6.834
"""

from __future__ import annotations

import contextlib
import io
import math

import numpy as np

from .. import validation
from . import weight_decay as decay
from .base import Optimizer


def dadapt_adam_moments(grad, exp_avg, exp_avg_sq, grad_sum, dlr, beta1, beta2, eps):
    """Update m, v and s (``grad_sum``) in place; return this parameter's ``(numerator, |s|_1)``."""
    sqrt_beta2 = beta2**0.5
    # dlr <g, grad_sum / (sqrt(v) + eps)>, with v and grad_sum from before this step
    numerator = dlr * float(np.dot(grad.ravel(), (grad_sum / (np.sqrt(exp_avg_sq) + eps)).ravel()))
    exp_avg *= beta1  # m <- beta1 m + dlr (1 - beta1) g
    exp_avg += dlr * (1 - beta1) * grad
    exp_avg_sq *= beta2  # v <- beta2 v + (1 - beta2) g^2
    exp_avg_sq += (1 - beta2) * grad * grad
    grad_sum *= sqrt_beta2  # s <- sqrt(beta2) s + dlr (1 - sqrt(beta2)) g
    grad_sum += dlr * (1 - sqrt_beta2) * grad
    return numerator, float(np.abs(grad_sum).sum())


def dadapt_adam_estimate(d, numerator_weighted, numerator, s_l1, beta2, growth_rate):
    """The new ``(d, numerator_weighted, d_hat)`` from the sums over all parameters."""
    sqrt_beta2 = beta2**0.5
    numerator_weighted = sqrt_beta2 * numerator_weighted + (1 - sqrt_beta2) * numerator
    d_hat = numerator_weighted / ((1 - sqrt_beta2) * s_l1)
    d = max(d, min(d_hat, d * growth_rate))
    return d, numerator_weighted, d_hat


def dadapt_adam_step(param, exp_avg, exp_avg_sq, eps):
    """w <- w - m / (sqrt(v) + eps), in place (the step size is already inside m)."""
    param -= exp_avg / (np.sqrt(exp_avg_sq) + eps)


def check_growth_rate(value) -> float:
    """A factor > 0, or inf for unbounded growth of d (the default)."""
    if isinstance(value, (int, float)) and value == math.inf:
        return math.inf
    return validation.check_positive("growth_rate", value)


class DAdaptation(Optimizer):
    """The mechanism D-Adaptation and Prodigy share: two passes over all parameters.

    1. ``_accumulate``: each parameter updates its moments and returns its terms of the two
       sums (numerator and denominator of the estimate of D);
    2. ``_estimate``: the new d from the sums, once per step;
    3. ``_apply``: each parameter steps, after the decoupled weight decay.

    If the denominator is zero (every gradient zero, or lr = 0) nothing else happens, as in
    the twins. One step counter ``k`` and one ``d`` serve all parameters.
    """

    torch_module = torch_name = ""

    def __init__(self, lr, *, betas, eps, weight_decay, decouple, use_bias_correction, d0,
                 growth_rate, convention):  # fmt: skip
        super().__init__(lr, weight_decay=weight_decay, convention=convention)
        self.betas = validation.check_betas(betas)
        self.eps = validation.check_positive("eps", eps)
        self.decouple = bool(decouple)
        self.use_bias_correction = bool(use_bias_correction)
        self.d0 = validation.check_positive("d0", d0)
        self.growth_rate = check_growth_rate(growth_rate)
        self.d = self.d0  # the estimate of D, the step size (plot it)
        self.d_hat = self.d0  # the raw estimate of the last step, before max/min
        self.k = 0  # steps taken

    def _no_keras(self):
        return (
            f"Keras has no {type(self).__name__}, so it has no Keras twin; its twin is "
            f"{self.torch_module}.{self.torch_name} (torch): use to_torch()"
        )

    def step(self, params, grads) -> None:
        """One step on every array in ``params``; updates ``opt.d``."""
        params, grads = self._check(params, grads)
        b1, b2 = self.betas
        t = self.k + 1
        bias_correction = (1 - b2**t) ** 0.5 / (1 - b1**t) if self.use_bias_correction else 1
        dlr = self.d * self.lr * bias_correction
        numerator = denominator = 0.0
        states = []
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            state = self._state_of(p)
            if self.weight_decay and not self.decouple:
                grads[i] = g = decay.l2(g, p, self.weight_decay)
            states.append(state)
            if self.lr > 0:
                num, den = self._accumulate(p, g, state, dlr)
                numerator += num
                denominator += den
        if denominator == 0:
            return
        self._estimate(numerator, denominator)
        for p, g, state in zip(params, grads, states, strict=True):
            state["step"] += 1
            if self.weight_decay and self.decouple:
                # w <- w - dlr * weight_decay * w, rounded as the twins' p.add_(p, alpha=-wd * dlr)
                p += -self.weight_decay * dlr * p
            self._apply(p, g, state, dlr)
        self.k += 1

    def _accumulate(self, p, g, state, dlr):  # pragma: no cover - abstract
        raise NotImplementedError

    def _estimate(self, numerator, denominator):  # pragma: no cover - abstract
        raise NotImplementedError

    def _apply(self, p, g, state, dlr):  # pragma: no cover - abstract
        raise NotImplementedError

    # -- twins ------------------------------------------------------------------------------
    def to_torch(self, torch_params):
        """The configured twin (its constructor's print about weight decay silenced)."""
        import importlib

        cls = getattr(importlib.import_module(self.torch_module), self.torch_name)
        with contextlib.redirect_stdout(io.StringIO()):
            return cls(torch_params, lr=self.lr, **self._torch_kwargs())

    def to_keras(self):
        raise NotImplementedError(self._no_keras())

    def _torch_kwargs(self) -> dict:
        return {
            "betas": self.betas,
            "eps": self.eps,
            "weight_decay": self.weight_decay,
            "decouple": self.decouple,
            "use_bias_correction": self.use_bias_correction,
            "d0": self.d0,
            "growth_rate": self.growth_rate,
        }

    def _repr_args(self):
        return {"lr": self.lr, **self._torch_kwargs()}


class DAdaptAdam(DAdaptation):
    """D-Adaptation Adam; see the module docstring."""

    torch_module, torch_name = "dadaptation", "DAdaptAdam"
    state_names = ("s", "exp_avg", "exp_avg_sq")

    def __init__(
        self,
        lr=1.0,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0.0,
        decouple=False,
        use_bias_correction=False,
        d0=1e-6,
        growth_rate=math.inf,
        *,
        convention="torch",
    ):
        super().__init__(lr, betas=betas, eps=eps, weight_decay=weight_decay, decouple=decouple,
                         use_bias_correction=use_bias_correction, d0=d0,
                         growth_rate=growth_rate, convention=convention)  # fmt: skip
        self.numerator_weighted = 0.0

    def _accumulate(self, p, g, state, dlr):
        b1, b2 = self.betas
        return dadapt_adam_moments(
            g, state["exp_avg"], state["exp_avg_sq"], state["s"], dlr, b1, b2, self.eps
        )

    def _estimate(self, numerator, denominator):
        self.d, self.numerator_weighted, self.d_hat = dadapt_adam_estimate(
            self.d, self.numerator_weighted, numerator, denominator, self.betas[1],
            self.growth_rate,
        )  # fmt: skip

    def _apply(self, p, g, state, dlr):
        dadapt_adam_step(p, state["exp_avg"], state["exp_avg_sq"], self.eps)
