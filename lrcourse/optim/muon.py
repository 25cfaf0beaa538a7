"""Muon (Jordan et al., 2024): momentum, then orthogonalise each matrix's update.

    B <- momentum * B + (1 - momentum) * G        torch (Keras: B <- momentum * B + G)
    U  = nesterov ? G + momentum * (B - G) : B    torch (Keras: G + momentum * B)
    X  = U / |U|_F   (transposed when taller than wide, so X X^T is the small Gram matrix)
    5 times:  A = X X^T;   X <- a X + (b A + c A A) X        (a, b, c) = (3.4445, -4.775, 2.0315)
    W <- W - lr * scale * X                                 (decoupled weight decay first)

Newton-Schulz drives every singular value of ``X`` towards ~1 (into about 0.7-1.2 for
singular values spread over two decades: the coefficients buy speed, not convergence),
so the step moves each matrix by about the same amount in every direction its gradient
spans, however lopsided the gradient's spectrum. ``scale`` makes the step's size
independent of the matrix's shape:

    adjust_lr_fn  "original" (torch's default):  sqrt(max(1, rows / cols))
                  "match_rms_adamw" (Keras' default, rms_rate 0.2): 0.2 * sqrt(max(rows, cols)),
                  the RMS of an AdamW step, so AdamW's lr and weight decay carry over.

Muon is for the 2-D weights of hidden layers. Every other parameter (biases, norms, 1-D or
>2-D arrays) goes to the AdamW fallback, with its own ``adamw_*`` hyperparameters and lr
``lr * adamw_lr_ratio``. Keras does this inside ``keras.optimizers.Muon`` (also for
variables whose path names an embedding or an excluded layer: NumPy arrays have no names,
so here only the shape decides); ``torch.optim.Muon`` refuses non-2-D parameters and its
documentation pairs it with a separate ``torch.optim.AdamW``, which is what ``to_torch``
builds.

Where the twins differ (each is reproduced under its ``convention``):

===================  =======================================  ==============================
                     torch.optim.Muon (2.13)                  keras.optimizers.Muon (3.15)
===================  =======================================  ==============================
momentum buffer      B.lerp_(G, 1 - momentum) (damped)        B <- momentum B + G (undamped)
nesterov             G.lerp(B, momentum)                      G + momentum B
normalisation        X / max(|X|_F, eps), eps 1e-7            X / (|X|_F + 1e-7)
arithmetic           Newton-Schulz in bfloat16                in the variable's dtype
lr scale default     "original"                               "match_rms_adamw" (rms_rate)
weight decay         W *= 1 - lr wd (default 0.1)             W -= W wd lr (default 0.004)
other parameters     ValueError (use a torch AdamW)           AdamW step inside Muon
===================  =======================================  ==============================

This class computes Newton-Schulz in the parameter's dtype under both conventions: NumPy
has no bfloat16 arithmetic. Against torch it therefore agrees with torch's algorithm run
at the parameter's precision (tested to 1e-12 in float64), and with the real bfloat16
``torch.optim.Muon`` only to bfloat16's precision (tests/test_optim_muon.py gives the
figure). keras.optimizers.Muon (3.15, TensorFlow backend) fails on float64 matrices (it
multiplies the float64 update by a float32 root), so its twin is float32 only.

Defaults follow torch: lr 1e-3, weight_decay 0.1, momentum 0.95, nesterov, ns_steps 5,
eps 1e-7; AdamW fallback betas (0.9, 0.999), eps 1e-8, weight decay 0.01.

>>> import numpy as np
>>> w = np.zeros((2, 2)); opt = Muon(lr=0.1, weight_decay=0.0, nesterov=False)
>>> opt.step([w], [np.array([[3.0, 0.0], [0.0, 0.01]])]); w.round(3)  # 300x apart, both ~lr
array([[-0.07 ,  0.   ],
       [ 0.   , -0.116]])
"""

from __future__ import annotations

import math

import numpy as np

from .. import validation
from . import weight_decay as decay
from .adam import adam_keras, adam_torch
from .base import Optimizer, blocks, f32, reject_for_keras
from .moments import lerp, lerp_

ADJUST_LR_FNS = ("original", "match_rms_adamw")


def newton_schulz_torch(update, ns_coefficients, ns_steps, eps):
    """torch's orthogonalisation, at the array's precision (torch itself uses bfloat16)."""
    a, b, c = ns_coefficients
    tall = update.shape[0] > update.shape[1]
    x = update.T if tall else update
    x = x / max(np.linalg.norm(x), eps)  # spectral norm <= Frobenius norm <= 1
    for _ in range(ns_steps):
        gram = x @ x.T
        x = a * x + (b * gram + c * (gram @ gram)) @ x
    return x.T if tall else x


def newton_schulz_keras(update, ns_coefficients, ns_steps, eps=1e-7):
    """Keras' orthogonalisation (its order of operations; eps added to the norm)."""
    a, b, c = ns_coefficients
    tall = update.shape[0] > update.shape[1]
    x = update.T if tall else update
    x = x / (np.linalg.norm(x) + eps)
    for _ in range(ns_steps):
        gram = x @ x.T
        x = a * x + (b * gram + c * gram @ gram) @ x
    return x.T if tall else x


def lr_scale(shape, adjust_lr_fn):
    """The factor on lr that makes Muon's step size independent of the matrix's shape."""
    rows, cols = shape
    if adjust_lr_fn == "match_rms_adamw":
        return 0.2 * math.sqrt(max(rows, cols))
    return math.sqrt(max(1, rows / cols))


def muon_torch(
    param,
    grad,
    momentum_buffer,
    lr,
    momentum,
    nesterov,
    ns_coefficients,
    eps,
    ns_steps,
    adjust_lr_fn,
):
    """One Muon step on a matrix as torch computes it (after weight decay), in place."""
    lerp_(momentum_buffer, grad, 1 - momentum)  # B <- momentum B + (1 - momentum) G
    update = lerp(grad, momentum_buffer, momentum) if nesterov else momentum_buffer
    ortho = newton_schulz_torch(update, ns_coefficients, ns_steps, eps)
    param -= lr * lr_scale(param.shape, adjust_lr_fn) * ortho  # W <- W - lr scale X


def muon_keras(
    param, grad, momentum_buffer, lr, momentum, nesterov, ns_coefficients, ns_steps, rms_rate
):
    """One Muon step on a matrix as Keras computes it (after weight decay), in place."""
    momentum_buffer += grad + momentum_buffer * (momentum - 1)  # B <- momentum B + G
    update = grad + momentum * momentum_buffer if nesterov else momentum_buffer
    ortho = newton_schulz_keras(update, ns_coefficients, ns_steps)
    scale = np.sqrt(np.float32(max(param.shape)))  # Keras takes this root in float32
    param -= lr * ortho * scale * rms_rate  # W <- W - lr X sqrt(max(rows, cols)) rms_rate


class Muon(Optimizer):
    def __init__(
        self,
        lr=1e-3,
        weight_decay=0.1,
        momentum=0.95,
        nesterov=True,
        ns_coefficients=(3.4445, -4.775, 2.0315),
        eps=1e-7,
        ns_steps=5,
        adjust_lr_fn=None,
        *,
        adamw_lr_ratio=1.0,
        adamw_betas=(0.9, 0.999),
        adamw_eps=1e-8,
        adamw_weight_decay=0.01,
        convention="torch",
    ):
        super().__init__(lr, weight_decay=weight_decay, convention=convention)
        self.momentum = validation.check_unit_interval("momentum", momentum)
        self.nesterov = bool(nesterov)
        if not isinstance(ns_coefficients, (tuple, list)) or len(ns_coefficients) != 3:
            raise TypeError(
                f"ns_coefficients must be three numbers (a, b, c), got {ns_coefficients!r}"
            )
        self.ns_coefficients = tuple(
            validation.check_number(f"ns_coefficients[{i}]", c)
            for i, c in enumerate(ns_coefficients)
        )
        self.eps = validation.check_positive("eps", eps)
        self.ns_steps = validation.check_int("ns_steps", ns_steps, low=0)
        if self.ns_steps >= 100:
            raise ValueError(f"ns_steps must be < 100 (as torch requires), got {ns_steps}")
        if adjust_lr_fn is None:
            adjust_lr_fn = "original" if self.convention == "torch" else "match_rms_adamw"
        self.adjust_lr_fn = validation.check_choice("adjust_lr_fn", adjust_lr_fn, ADJUST_LR_FNS)
        reject_for_keras(
            self.convention,
            eps=(self.eps, 1e-7),
            adjust_lr_fn=(self.adjust_lr_fn, "match_rms_adamw"),
        )
        self.adamw_lr_ratio = validation.check_nonnegative("adamw_lr_ratio", adamw_lr_ratio)
        self.adamw_betas = validation.check_betas(adamw_betas, "adamw_betas")
        self.adamw_eps = validation.check_nonnegative("adamw_eps", adamw_eps)
        self.adamw_weight_decay = validation.check_nonnegative(
            "adamw_weight_decay", adamw_weight_decay
        )

    @staticmethod
    def uses_muon(param) -> bool:
        """Muon updates 2-D parameters; the others go to the AdamW fallback."""
        return param.ndim == 2

    def _init_state(self, param):
        if self.uses_muon(param):
            return {"momentum_buffer": np.zeros_like(param, order="C")}
        return {
            "exp_avg": np.zeros_like(param, order="C"),
            "exp_avg_sq": np.zeros_like(param, order="C"),
        }

    def step(self, params, grads) -> None:
        """Update every array in ``params`` in place: matrices by Muon, the others by AdamW."""
        params, grads = self._check(params, grads)
        keras = self.convention == "keras"
        lr = f32(self._lr) if keras else self._lr
        adamw_lr = f32(lr * self.adamw_lr_ratio) if keras else lr * self.adamw_lr_ratio
        for p, g in zip(params, grads, strict=True):
            state = self._state_of(p)
            state["step"] += 1
            if self.uses_muon(p):
                self._decay_weights(p, lr, self.weight_decay)
                self._muon_update(p, g, state["momentum_buffer"], lr)
                continue
            # Keras decays the AdamW-path variables with the unscaled lr, torch's AdamW with its own
            self._decay_weights(p, lr if keras else adamw_lr, self.adamw_weight_decay)
            for pb, gb, sb in blocks(p, g, state):
                update = adam_keras if keras else adam_torch
                update(
                    pb,
                    gb,
                    sb["exp_avg"],
                    sb["exp_avg_sq"],
                    sb["step"],
                    adamw_lr,
                    self.adamw_betas,
                    self.adamw_eps,
                )

    def _decay_weights(self, param, lr, wd):
        if not wd:
            return
        if self.convention == "keras":
            decay.decoupled_keras(param, lr, f32(wd))
        else:
            decay.decoupled_torch(param, lr, wd)

    def _muon_update(self, param, grad, buffer, lr):
        if self.convention == "torch":
            muon_torch(
                param,
                grad,
                buffer,
                lr,
                self.momentum,
                self.nesterov,
                self.ns_coefficients,
                self.eps,
                self.ns_steps,
                self.adjust_lr_fn,
            )
        else:
            muon_keras(
                param,
                grad,
                buffer,
                lr,
                self.momentum,
                self.nesterov,
                self.ns_coefficients,
                self.ns_steps,
                0.2,
            )

    # -- twins ----------------------------------------------------------------------------
    def to_torch(self, torch_params):
        """``torch.optim.Muon`` for the 2-D parameters, plus ``torch.optim.AdamW`` for the rest.

        With only matrices this is a plain ``torch.optim.Muon``; otherwise a
        :class:`MuonWithAdamW` that steps both, as torch's documentation pairs them.
        """
        import torch

        if self.convention == "keras":
            raise NotImplementedError(
                "Muon(convention='keras') has an undamped momentum buffer and Keras' lr scale; "
                "torch.optim.Muon computes neither: there is no exact torch twin"
            )
        torch_params = list(torch_params)
        matrices = [t for t in torch_params if t.ndim == 2]
        others = [t for t in torch_params if t.ndim != 2]
        muon = (
            torch.optim.Muon(
                matrices,
                lr=self.lr,
                weight_decay=self.weight_decay,
                momentum=self.momentum,
                nesterov=self.nesterov,
                ns_coefficients=self.ns_coefficients,
                eps=self.eps,
                ns_steps=self.ns_steps,
                adjust_lr_fn=self.adjust_lr_fn,
            )
            if matrices
            else None
        )
        if not others:
            return muon
        adamw = torch.optim.AdamW(
            others,
            lr=self.lr * self.adamw_lr_ratio,
            betas=self.adamw_betas,
            eps=self.adamw_eps,
            weight_decay=self.adamw_weight_decay,
        )
        return MuonWithAdamW(muon, adamw, self.lr, self.adamw_lr_ratio)

    def to_keras(self):
        """The configured ``keras.optimizers.Muon`` (same updates under convention='keras')."""
        from ..frameworks import import_keras

        if self.convention == "torch":
            raise NotImplementedError(
                "Muon(convention='torch') damps its momentum and orthogonalises like "
                "torch.optim.Muon; keras.optimizers.Muon does neither: use convention='keras'"
            )
        keras = import_keras()
        b1, b2 = self.adamw_betas
        a, b, c = self.ns_coefficients
        return keras.optimizers.Muon(
            learning_rate=self.lr,
            adam_beta_1=b1,
            adam_beta_2=b2,
            adam_weight_decay=self.adamw_weight_decay,
            epsilon=self.adamw_eps,
            weight_decay=self.weight_decay or None,
            muon_a=a,
            muon_b=b,
            muon_c=c,
            adam_lr_ratio=self.adamw_lr_ratio,
            momentum=self.momentum,
            ns_steps=self.ns_steps,
            nesterov=self.nesterov,
            rms_rate=0.2,
        )

    def _repr_args(self):
        return {
            **super()._repr_args(),
            "momentum": self.momentum,
            "nesterov": self.nesterov,
            "ns_steps": self.ns_steps,
            "adjust_lr_fn": self.adjust_lr_fn,
        }


class MuonWithAdamW:
    """torch.optim.Muon for the matrices and torch.optim.AdamW for the rest, stepped together.

    Its one entry in ``param_groups`` holds Muon's ``"lr"``; ``step`` passes it to Muon and
    ``lr * adamw_lr_ratio`` to AdamW (so a schedule that sets the lr drives both).
    """

    def __init__(self, muon, adamw, lr, adamw_lr_ratio):
        self.muon, self.adamw, self.adamw_lr_ratio = muon, adamw, adamw_lr_ratio
        self.param_groups = [{"lr": lr}]

    def zero_grad(self, set_to_none=True):
        for opt in (self.muon, self.adamw):
            if opt is not None:
                opt.zero_grad(set_to_none=set_to_none)

    def step(self):
        lr = self.param_groups[0]["lr"]
        if self.muon is not None:
            self.muon.param_groups[0]["lr"] = lr
            self.muon.step()
        self.adamw.param_groups[0]["lr"] = lr * self.adamw_lr_ratio
        self.adamw.step()
