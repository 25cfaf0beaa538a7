"""03_optimizers, exercise 6 (3 points): one update of AdamW, weight decay decoupled."""

import numpy as np
from autograder.draws import log_uniform
from autograder.exercise import Case, Exercise, Mistakes
from autograder.optimizer_steps import draw_moments, draw_vector, one_step

from lrcourse import optim


def reference(param, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    """``param * (1 - lr * weight_decay)``, then Adam's update (number ``t``, from 1) with the
    plain gradient; returns ``(param, m, v)``."""
    opt = optim.AdamW(lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay)
    return one_step(opt, param, grad, t, exp_avg=m, exp_avg_sq=v)


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for i in range(5):
        n = int(rng.integers(2, 7))
        t = (1, int(rng.integers(2, 20)), int(rng.integers(2, 500)), 3, 10_000)[i]
        m, v = (np.zeros(n), np.zeros(n)) if t == 1 else draw_moments(rng, n)
        beta1 = float(rng.choice([0.9, float(rng.uniform(0.5, 0.95))]))
        beta2 = float(rng.choice([0.999, 0.95, float(rng.uniform(0.9, 0.9999))]))
        eps = float(rng.choice([1e-8, 1e-7]))
        lr = log_uniform(rng, -4, -0.5)
        wd = float(rng.choice([0.01, 0.1, float(rng.uniform(0.01, 1.0))]))
        param = rng.normal(size=n) * 3
        grad = draw_vector(rng, n)
        cases.append(Case((param, grad, m, v, t, lr, beta1, beta2, eps, wd)))
    return cases


def adam_step(param, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


mistakes = Mistakes()


@mistakes.add(
    "the weight decay is coupled: adding weight_decay * param to the gradient is L2 "
    "(torch's Adam(weight_decay=...)), and Adam then divides it by sqrt(v_hat). AdamW shrinks "
    "the parameter directly, param * (1 - lr * weight_decay), and uses the plain gradient."
)
def coupled_l2(param, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    return adam_step(param, grad + weight_decay * param, m, v, t, lr, beta1, beta2, eps)


@mistakes.add(
    "the decoupled decay is scaled by the learning rate: param * (1 - lr * weight_decay), "
    "not param * (1 - weight_decay)."
)
def decay_without_lr(param, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    return adam_step(param * (1 - weight_decay), grad, m, v, t, lr, beta1, beta2, eps)


@mistakes.add(
    "the decay shrinks the parameter BEFORE Adam's step (PyTorch: param.mul_(1 - lr * wd), "
    "then the update), not the result after it."
)
def decays_after_step(param, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    new_param, m, v = adam_step(param, grad, m, v, t, lr, beta1, beta2, eps)
    return new_param * (1 - lr * weight_decay), m, v


@mistakes.add(
    "weight decay is missing: AdamW first shrinks the parameter, "
    "param * (1 - lr * weight_decay), then takes Adam's step."
)
def no_decay(param, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    return adam_step(param, grad, m, v, t, lr, beta1, beta2, eps)


@mistakes.add(
    "the decay must shrink the parameter towards 0: param * (1 - lr * weight_decay), a minus."
)
def decay_grows(param, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    return adam_step(param * (1 + lr * weight_decay), grad, m, v, t, lr, beta1, beta2, eps)


@mistakes.add(
    "the bias correction is missing: divide m by 1 - beta1**t and v by 1 - beta2**t "
    "before the step."
)
def no_bias_correction(param, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return param * (1 - lr * weight_decay) - lr * m / (np.sqrt(v) + eps), m, v


@mistakes.add(
    "return the whole new state, (new_param, new_m, new_v): the next update needs the moments."
)
def returns_param_only(param, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    decayed = param * (1 - lr * weight_decay)
    return adam_step(decayed, grad, m, v, t, lr, beta1, beta2, eps)[0]


EXERCISE = Exercise(
    name="adamw",
    reference=reference,
    visible=(
        # the first update, torch's defaults (weight_decay 0.01)
        Case(
            (
                np.array([1.0, -2.0, 0.5]),
                np.array([0.3, -0.1, 2.0]),
                np.zeros(3),
                np.zeros(3),
                1,
                1e-3,
                0.9,
                0.999,
                1e-8,
                0.01,
            )
        ),
        # a large lr and decay make the order of decay and step visible
        Case(
            (
                np.array([2.0, -1.0, 0.5]),
                np.array([0.2, 0.4, -1.0]),
                np.array([0.1, -0.2, -0.5]),
                np.array([0.02, 0.05, 0.3]),
                3,
                0.1,
                0.9,
                0.999,
                1e-8,
                0.5,
            )
        ),
        # a language-model recipe: betas (0.9, 0.95), weight decay 0.1
        Case(
            (
                np.array([3.0, -0.5]),
                np.array([0.01, -0.02]),
                np.array([0.02, -0.01]),
                np.array([0.001, 0.002]),
                10,
                3e-4,
                0.9,
                0.95,
                1e-8,
                0.1,
            )
        ),
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
