"""Schedule-free SGD and AdamW (Defazio et al., 2024): no lr schedule, an average instead.

A cosine or linear decay makes the last iterate good by shrinking the steps at the end of
a run whose length must be known in advance. Schedule-free methods keep a constant lr and
average instead, so the run can stop (or go on) at any step. Three sequences:

    z <- z - lr_t * g(y)                       (the SGD or Adam "base" iterate, fast)
    x <- (1 - c) * x + c * z                   (the running average: what you evaluate)
    y =  (1 - beta) * z + beta * x             (where the gradient is taken: train on it)

    c = w_t / (w_1 + ... + w_t),   w_t = t^r * max(lr_1..lr_t)^weight_lr_power   (``ckp1``)
    lr_t = lr * min(1, t / warmup_steps)       (the only schedule: a linear warm-up)

beta is SGD's ``momentum`` or Adam's ``beta1`` (0.9). With r = 0 and no warm-up, c = 1/t:
x is the plain average of every z. Weighting by lr^2 keeps the tiny warm-up steps out of it.
The parameters hold y while training and x while evaluating, and only y and z are stored
(x is implied by them), so the model must switch between them:

    opt.train(params)    # params <- y = (1 - beta) z + beta x, before training steps
    opt.eval(params)     # params <- x, before evaluating, checkpointing, or the end of a run

Stored as y and z, one step reads (as ``schedulefree`` computes it, no x needed):

    y <- lerp(y, z, c) + lr_t * (beta * (1 - c) - 1) * g
    z <- z - lr_t * g

AdamW divides the gradient by Adam's bias-corrected second moment first, and adds the
weight decay to that normalised gradient, at y:

    v <- beta2 * v + (1 - beta2) * g^2
    g <- g / (sqrt(v / (1 - beta2^t)) + eps) + weight_decay * y

SGD's weight decay is L2 in the gradient: g <- g + weight_decay * y.

Defaults (``schedulefree``): SGD lr 1.0, momentum 0.9; AdamW lr 0.0025, betas (0.9, 0.999),
eps 1e-8; both weight_decay 0, warmup_steps 0, r 0, weight_lr_power 2. Schedule-free wants
a larger lr than its scheduled counterpart, and a warm-up. The torch twins are
``schedulefree.SGDScheduleFree`` and ``schedulefree.AdamWScheduleFree`` (PyPI
``schedulefree``). Unlike them, which must be told ``train()`` first, these optimizers start
in train mode (before the first step y = x = z: there is nothing to move).

Keras (3.15) has ``keras.optimizers.ScheduleFreeAdamW`` and no schedule-free SGD.
``AdamWScheduleFree(convention="keras")`` reproduces Keras' variant, which differs:

    c = 1/t                                   (r = 0 and weight_lr_power = 0 only)
    weight decay: y <- y - lr * weight_decay * y, before the step (every Keras optimizer's)
    v <- v + (1 - beta2) * (g^2 - v);  z <- z - lr_t * g / (sqrt(v / (1 - beta2^t)) + eps)
    x_old = (y - (1 - beta) * z) / beta        with the z just updated (the paper: the old z)
    x <- (1 - c) * x_old + c * z;  y <- (1 - beta) * z + beta * x

The recovered x_old uses the new z because Keras' ``momentum_old = momentum.value`` is the
variable itself, read after ``assign_sub``: each step moves x by (1 - beta)/beta * (1 - c)
times the z step back against the descent (after 50 steps at beta 0.8 the parameters differ
from the old-z recovery by 0.7% of their size). Keras has no eval mode; here ``eval``
computes x = (y - (1 - beta) z) / beta under 'keras'.
``SGDScheduleFree`` has no Keras twin (``to_keras`` raises NotImplementedError) and computes
the same under both conventions.

>>> import numpy as np
>>> w = np.array([1.0]); opt = SGDScheduleFree(lr=0.1)
>>> opt.train([w])
>>> for _ in range(3):
...     opt.step([w], [2 * w])          # minimise w^2
>>> w.round(4)                           # y, where the gradients were taken
array([0.631])
>>> opt.eval([w]); w.round(4)            # x, the average of the z iterates
array([0.6459])
"""

from __future__ import annotations

import numpy as np

from .. import validation
from ..frameworks import import_keras
from . import weight_decay as decay
from .base import Optimizer, f32, reject_for_keras
from .moments import lerp_


def average_weight(k, lr, warmup_steps, r, weight_lr_power, lr_max, weight_sum):
    """The scalars of step ``k + 1`` (k counts from 0): ``(lr_t, lr_max, weight_sum, c)``.

    lr_t = lr * min(1, (k + 1) / warmup_steps)
    w = (k + 1)^r * max(lr_max, lr_t)^weight_lr_power;  c = w / (weight_sum + w)
    """
    lr_t = lr * ((k + 1) / warmup_steps if k < warmup_steps else 1.0)
    lr_max = max(lr_t, lr_max)
    weight = ((k + 1) ** r) * (lr_max**weight_lr_power)
    weight_sum = weight_sum + weight
    c = weight / weight_sum if weight_sum else 0.0
    return lr_t, lr_max, weight_sum, c


def sgd_schedule_free(param, grad, z, lr, momentum, ckp1):
    """One schedule-free SGD step, in place; ``param`` holds y, ``lr`` is lr_t, ``ckp1`` c."""
    lerp_(param, z, ckp1)  # y <- (1 - c) y + c z
    param += lr * (momentum * (1 - ckp1) - 1) * grad  #   + lr (beta (1 - c) - 1) g
    z -= lr * grad  # z <- z - lr g


def adamw_schedule_free(param, grad, z, exp_avg_sq, step, lr, betas, eps, weight_decay, ckp1):
    """One schedule-free AdamW step as ``schedulefree`` computes it, in place (y in param)."""
    beta1, beta2 = betas
    exp_avg_sq *= beta2  # v <- beta2 v + (1 - beta2) g^2
    exp_avg_sq += (1 - beta2) * grad * grad
    grad = grad / (np.sqrt(exp_avg_sq / (1 - beta2**step)) + eps)  # g / (sqrt(v_hat) + eps)
    if weight_decay:
        grad = grad + weight_decay * param  #   + weight_decay y
    lerp_(param, z, ckp1)  # y <- (1 - c) y + c z + lr (beta1 (1 - c) - 1) g
    param += lr * (beta1 * (1 - ckp1) - 1) * grad
    z -= lr * grad  # z <- z - lr g


def adamw_schedule_free_keras(param, grad, z, exp_avg_sq, step, lr, betas, eps):
    """Keras' ScheduleFreeAdamW step, in place; scalars are of the parameter's dtype."""
    beta1, beta2 = betas
    exp_avg_sq += (np.square(grad) - exp_avg_sq) * (1 - beta2)  # v <- v + (1 - b2) (g^2 - v)
    z -= lr * grad / (np.sqrt(exp_avg_sq / (1 - beta2**step)) + eps)
    x = (param - (1 - beta1) * z) / beta1  # x_old from y, with the z just updated
    x = (1 - 1 / step) * x + 1 / step * z  # x <- (1 - 1/t) x_old + 1/t z
    param[...] = (1 - beta1) * z + beta1 * x  # y <- (1 - beta1) z + beta1 x


class ScheduleFree(Optimizer):
    """The mechanism both share: the averaging weights, the y/x switch, the step counter.

    Subclasses set ``beta`` (the interpolation y = (1 - beta) z + beta x) and ``_update``.
    Unlike the other optimizers, one step counter and one lr_max serve all parameters, as in
    ``schedulefree`` (a torch param group).
    """

    torch_name = ""

    def __init__(self, lr, *, weight_decay, warmup_steps, r, weight_lr_power, convention):
        super().__init__(lr, weight_decay=weight_decay, convention=convention)
        self.warmup_steps = validation.check_int("warmup_steps", warmup_steps, low=0)
        self.r = validation.check_nonnegative("r", r)
        self.weight_lr_power = validation.check_nonnegative("weight_lr_power", weight_lr_power)
        self.train_mode = True  # schedulefree starts in eval mode; nothing differs before a step
        self.k = 0  # steps taken
        self.lr_max = -1.0
        self.weight_sum = 0.0
        self.scheduled_lr = 0.0  # lr_t of the last step, warm-up included (for plots)
        self._ckp1 = 0.0  # the averaging weight of the current step

    @property
    def beta(self) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def _no_keras(self):
        return (
            "Keras has no schedule-free SGD (keras.optimizers has ScheduleFreeAdamW only), so "
            f"{type(self).__name__} has no Keras twin; its twin is schedulefree."
            + self.torch_name
            + " (torch): use to_torch()"
        )

    # -- the two modes: the parameters hold y while training, x while evaluating -----------
    def train(self, params) -> None:
        """Switch ``params`` in place from x to y = (1 - beta) z + beta x (no-op if training)."""
        if not self.train_mode:
            for p, state in self._switched(params):
                self._to_y(p, state["z"])
        self.train_mode = True

    def eval(self, params) -> None:
        """Switch ``params`` in place from y to the average x (no-op if already evaluating)."""
        if self.train_mode:
            for p, state in self._switched(params):
                self._to_x(p, state["z"])
        self.train_mode = False

    def _to_y(self, p, z):
        lerp_(p, z, 1 - self.beta)  # y = (1 - beta) z + beta x

    def _to_x(self, p, z):
        lerp_(p, z, 1 - 1 / self.beta)  # x = (y - (1 - beta) z) / beta

    def _switched(self, params):
        """``(array, state)`` of every array that has stepped; all of them must be given."""
        if not self.state:  # before the first step y = x = z: nothing to move
            return []
        params, _ = self._check(params, [np.asarray(p) for p in params])
        given = {self._index[id(p)]: p for p in params}
        missing = sorted(set(self.state) - set(given))
        if missing:
            raise ValueError(
                f"params must hold every array the optimizer has stepped ({len(self.state)} "
                f"arrays), got {len(params)}: a switch between y and x moves all of them"
            )
        return [(given[i], self.state[i]) for i in sorted(self.state)]

    # -- the step -----------------------------------------------------------------------------
    def _init_state(self, param):
        return {"z": param.copy(order="C"), **super()._init_state(param)}

    def step(self, params, grads) -> None:
        """One step on every array in ``params`` (they hold y: after ``eval``, ``train`` first)."""
        if not self.train_mode:
            raise RuntimeError(
                f"{type(self).__name__}.step called in eval mode: call opt.train(params) "
                "before training steps and opt.eval(params) before evaluating (the parameters "
                "hold y while training and the average x while evaluating)"
            )
        params, grads = self._check(params, grads)
        self.scheduled_lr, self.lr_max, self.weight_sum, self._ckp1 = average_weight(
            self.k, self.lr, self.warmup_steps, self.r, self.weight_lr_power,
            self.lr_max, self.weight_sum,
        )  # fmt: skip
        super().step(params, grads)  # _update on each block, after the weight decay
        self.k += 1

    # -- twins ------------------------------------------------------------------------------
    def to_torch(self, torch_params):
        """The configured ``schedulefree`` optimizer, in this one's mode (train or eval)."""
        import schedulefree

        cls = getattr(schedulefree, self.torch_name)
        topt = cls(torch_params, lr=self.lr, **self._torch_kwargs())
        if self.train_mode:
            topt.train()
        return topt

    def to_keras(self):
        raise NotImplementedError(self._no_keras())

    def _torch_kwargs(self) -> dict:
        return {
            "weight_decay": self.weight_decay,
            "warmup_steps": self.warmup_steps,
            "r": self.r,
            "weight_lr_power": self.weight_lr_power,
        }

    def _repr_args(self):
        return {
            "lr": self.lr,
            "weight_decay": self.weight_decay,
            "warmup_steps": self.warmup_steps,
            "r": self.r,
            "weight_lr_power": self.weight_lr_power,
        }


class SGDScheduleFree(ScheduleFree):
    """Schedule-free SGD; see the module docstring. momentum must be in (0, 1)."""

    torch_name = "SGDScheduleFree"

    def __init__(
        self,
        lr=1.0,
        momentum=0.9,
        weight_decay=0.0,
        warmup_steps=0,
        r=0.0,
        weight_lr_power=2.0,
        *,
        convention="torch",
    ):
        super().__init__(
            lr,
            weight_decay=weight_decay,
            warmup_steps=warmup_steps,
            r=r,
            weight_lr_power=weight_lr_power,
            convention=convention,
        )
        self.momentum = validation.check_number(
            "momentum", momentum, low=0.0, high=1.0, low_open=True, high_open=True
        )

    @property
    def beta(self):
        return self.momentum

    def _decay(self, param, grad, lr, wd):  # L2 at y, under either convention
        return decay.l2(grad, param, self.weight_decay)

    def _update(self, param, grad, state, lr):
        sgd_schedule_free(param, grad, state["z"], self.scheduled_lr, self.momentum, self._ckp1)

    def _torch_kwargs(self):
        return {"momentum": self.momentum, **super()._torch_kwargs()}

    def _repr_args(self):
        return {**super()._repr_args(), "momentum": self.momentum}


class AdamWScheduleFree(ScheduleFree):
    """Schedule-free AdamW; see the module docstring.

    weight_lr_power defaults to 2.0, or to 0.0 under convention='keras' (Keras weights every
    step equally); r and weight_lr_power must be 0 under 'keras'.
    """

    torch_name = "AdamWScheduleFree"
    state_names = ("exp_avg_sq",)

    def __init__(
        self,
        lr=0.0025,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0.0,
        warmup_steps=0,
        r=0.0,
        weight_lr_power=None,
        *,
        convention="torch",
    ):
        if weight_lr_power is None:
            weight_lr_power = 0.0 if convention == "keras" else 2.0
        super().__init__(
            lr,
            weight_decay=weight_decay,
            warmup_steps=warmup_steps,
            r=r,
            weight_lr_power=weight_lr_power,
            convention=convention,
        )
        reject_for_keras(
            self.convention, r=(self.r, 0.0), weight_lr_power=(self.weight_lr_power, 0.0)
        )
        self.betas = validation.check_betas(betas)
        if self.betas[0] == 0:
            raise ValueError("betas[0] must be > 0: eval() divides by it (x from y and z)")
        self.eps = validation.check_nonnegative("eps", eps)

    @property
    def beta(self):
        return self.betas[0]

    def _decay(self, param, grad, lr, wd):
        if self.convention == "keras":  # Keras: y <- y - lr * wd * y, before the step
            return super()._decay(param, grad, lr, wd)
        return grad  # schedulefree: added to the normalised gradient, inside the update

    def _update(self, param, grad, state, lr):
        t = self.k + 1
        if self.convention == "torch":
            adamw_schedule_free(
                param, grad, state["z"], state["exp_avg_sq"], t, self.scheduled_lr, self.betas,
                self.eps, self.weight_decay, self._ckp1,
            )  # fmt: skip
            return
        dt = param.dtype.type  # Keras computes its scalars as tensors of the variable's dtype
        lr, t = dt(lr), dt(t)
        if self.warmup_steps:
            lr = lr * np.minimum(t / dt(self.warmup_steps), dt(1))
        betas = tuple(dt(f32(b)) for b in self.betas)
        adamw_schedule_free_keras(
            param, grad, state["z"], state["exp_avg_sq"], t, lr, betas, dt(f32(self.eps))
        )

    def _keras_beta(self, p):
        return p.dtype.type(f32(self.betas[0]))

    def _to_y(self, p, z):
        if self.convention != "keras":
            return super()._to_y(p, z)
        b1 = self._keras_beta(p)
        p[...] = (1 - b1) * z + b1 * p

    def _to_x(self, p, z):
        if self.convention != "keras":
            return super()._to_x(p, z)
        b1 = self._keras_beta(p)
        p[...] = (p - (1 - b1) * z) / b1

    def to_torch(self, torch_params):
        if self.convention == "keras":
            raise ValueError(
                "AdamWScheduleFree(convention='keras') computes Keras' variant of schedule-free "
                "AdamW (x recovered with the updated z, decoupled weight decay of y), which "
                "schedulefree.AdamWScheduleFree does not: use convention='torch' for the torch twin"
            )
        return super().to_torch(torch_params)

    def to_keras(self):
        """``keras.optimizers.ScheduleFreeAdamW`` (the same updates under convention='keras')."""
        if self.convention != "keras":
            raise ValueError(
                "keras.optimizers.ScheduleFreeAdamW computes a variant of schedule-free AdamW "
                "(see the module docstring) that differs from schedulefree's: use "
                "AdamWScheduleFree(convention='keras') for the Keras twin"
            )
        keras = import_keras()
        b1, b2 = self.betas
        return keras.optimizers.ScheduleFreeAdamW(
            learning_rate=self.lr, beta_1=b1, beta_2=b2, epsilon=self.eps,
            warmup_steps=self.warmup_steps, weight_decay=self.weight_decay or None,
        )  # fmt: skip

    def _torch_kwargs(self):
        return {"betas": self.betas, "eps": self.eps, **super()._torch_kwargs()}

    def _repr_args(self):
        return {**super()._repr_args(), "betas": self.betas, "eps": self.eps}
