"""03_optimizers, exercise 5 (3 points): one update of Adam with bias correction (PyTorch)."""

import numpy as np
from autograder.draws import log_uniform
from autograder.exercise import Case, Exercise, Mistakes
from autograder.optimizer_steps import draw_moments, draw_vector, one_step

from lrcourse import optim


def reference(param, grad, m, v, t, lr, beta1, beta2, eps):
    """Update number ``t`` (from 1): the moments, their bias correction, then
    ``param - lr * m_hat / (sqrt(v_hat) + eps)``; returns ``(param, m, v)``."""
    opt = optim.Adam(lr=lr, betas=(beta1, beta2), eps=eps)
    return one_step(opt, param, grad, t, exp_avg=m, exp_avg_sq=v)


def draw_adam_case(rng: np.random.Generator, i: int) -> tuple:
    """Arguments up to eps: the first update, later ones, and tiny gradients (where eps counts)."""
    n = int(rng.integers(2, 7))
    scale = (1.0, 1.0, 0.01, 1e-7, 1e-6, 1.0)[i]
    t = (1, int(rng.integers(2, 20)), int(rng.integers(2, 200)), 1, 2, 5000)[i]
    m, v = (np.zeros(n), np.zeros(n)) if t == 1 else draw_moments(rng, n, scale)
    beta1 = float(rng.choice([0.9, float(rng.uniform(0.5, 0.95))]))
    beta2 = float(rng.choice([0.999, 0.98, float(rng.uniform(0.9, 0.9999))]))
    eps = float(rng.choice([1e-8, 1e-7, 1e-9]))
    param = rng.normal(size=n)
    return (param, draw_vector(rng, n, scale), m, v, t, log_uniform(rng, -4, -1), beta1, beta2, eps)


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    return [Case(draw_adam_case(rng, i)) for i in range(6)]


def moments(grad, m, v, beta1, beta2):
    return beta1 * m + (1 - beta1) * grad, beta2 * v + (1 - beta2) * grad**2


def corrected_step(param, m, v, t, lr, beta1, beta2, eps):
    t = np.float64(t)  # so that 1 - beta**0 = 0 divides to inf, as arrays do, not raises
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps)


mistakes = Mistakes()


@mistakes.add(
    "t is already the number of this update, counted from 1 (t = 1 on the first update, like "
    "torch's state['step'] after it is increased): the corrections are 1 - beta**t, not "
    "1 - beta**(t + 1)."
)
def t_plus_one(param, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = moments(grad, m, v, beta1, beta2)
    return corrected_step(param, m, v, t + 1, lr, beta1, beta2, eps), m, v


@mistakes.add(
    "steps count from 1 here: with beta**(t - 1) the first update (t = 1) divides by "
    "1 - beta**0 = 0. The corrections are 1 - beta1**t and 1 - beta2**t."
)
def t_minus_one(param, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = moments(grad, m, v, beta1, beta2)
    return corrected_step(param, m, v, t - 1, lr, beta1, beta2, eps), m, v


@mistakes.add(
    "the bias correction is missing: m and v start at 0 and are too small early on; divide "
    "m by 1 - beta1**t and v by 1 - beta2**t before the step."
)
def no_bias_correction(param, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = moments(grad, m, v, beta1, beta2)
    return param - lr * m / (np.sqrt(v) + eps), m, v


@mistakes.add("only m is bias-corrected: v needs its own correction, v_hat = v / (1 - beta2**t).")
def corrects_m_only(param, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = moments(grad, m, v, beta1, beta2)
    return param - lr * (m / (1 - beta1**t)) / (np.sqrt(v) + eps), m, v


@mistakes.add("only v is bias-corrected: m needs its own correction, m_hat = m / (1 - beta1**t).")
def corrects_v_only(param, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = moments(grad, m, v, beta1, beta2)
    return param - lr * m / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


@mistakes.add(
    "the corrections are applied to the wrong moments: m goes with beta1, "
    "m / (1 - beta1**t), and v with beta2, v / (1 - beta2**t)."
)
def corrections_swapped(param, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = moments(grad, m, v, beta1, beta2)
    m_hat, v_hat = m / (1 - beta2**t), v / (1 - beta1**t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@mistakes.add(
    "eps is inside the square root, sqrt(v_hat + eps); PyTorch's Adam, and this exercise, use "
    "sqrt(v_hat) + eps. It matters when the gradients are tiny."
)
def eps_inside_sqrt(param, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = moments(grad, m, v, beta1, beta2)
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return param - lr * m_hat / np.sqrt(v_hat + eps), m, v


@mistakes.add(
    "eps is added to sqrt(v) before the bias correction (Keras' arithmetic, "
    "lr * sqrt(1 - beta2**t) / (1 - beta1**t) * m / (sqrt(v) + eps)); PyTorch adds it to "
    "sqrt(v_hat), the corrected moment."
)
def keras_eps(param, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = moments(grad, m, v, beta1, beta2)
    alpha = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    return param - alpha * m / (np.sqrt(v) + eps), m, v


@mistakes.add(
    "beta1 weighs the OLD moment: m = beta1 * m + (1 - beta1) * grad, and likewise "
    "v = beta2 * v + (1 - beta2) * grad**2."
)
def betas_swapped(param, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = (1 - beta1) * m + beta1 * grad, (1 - beta2) * v + beta2 * grad**2
    return corrected_step(param, m, v, t, lr, beta1, beta2, eps), m, v


@mistakes.add(
    "the step used the OLD moments: update m and v with this gradient first, then correct "
    "and step (on the first update the old ones are 0 and nothing moves)."
)
def steps_with_old_moments(param, grad, m, v, t, lr, beta1, beta2, eps):
    new_m, new_v = moments(grad, m, v, beta1, beta2)
    return corrected_step(param, m, v, t, lr, beta1, beta2, eps), new_m, new_v


@mistakes.add(
    "return the whole new state, (new_param, new_m, new_v): the next update needs the moments."
)
def returns_param_only(param, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = moments(grad, m, v, beta1, beta2)
    return corrected_step(param, m, v, t, lr, beta1, beta2, eps)


EXERCISE = Exercise(
    name="adam",
    reference=reference,
    visible=(
        # the first update at the defaults: every coordinate moves by about lr = 0.001
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
            )
        ),
        Case(
            (
                np.array([0.5, -0.5, 1.0]),
                np.array([0.2, 0.4, -1.0]),
                np.array([0.1, -0.2, -0.5]),
                np.array([0.02, 0.05, 0.3]),
                5,
                0.01,
                0.9,
                0.999,
                1e-8,
            )
        ),
        # tiny gradients on the second update: eps is as large as sqrt(v_hat)
        Case(
            (
                np.array([0.1, -0.2]),
                np.array([2e-8, -5e-8]),
                np.array([1e-8, -4e-9]),
                np.array([2e-16, 3e-17]),
                2,
                0.1,
                0.9,
                0.999,
                1e-8,
            )
        ),
        # long into a run, Transformer betas: the corrections are almost 1
        Case(
            (
                np.array([1.0, 2.0]),
                np.array([0.5, -0.5]),
                np.array([0.3, -0.1]),
                np.array([0.2, 0.1]),
                1000,
                1e-3,
                0.9,
                0.98,
                1e-9,
            )
        ),
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
