"""03_optimizers, exercise 4 (2 points): one update of RMSprop (PyTorch's form, not centered)."""

import numpy as np
from autograder.draws import log_uniform
from autograder.exercise import Case, Exercise, Mistakes
from autograder.optimizer_steps import draw_vector, one_step

from lrcourse import optim


def reference(param, grad, square_avg, lr, alpha, eps):
    """``v <- alpha * v + (1 - alpha) * grad**2``, ``param - lr * grad / (sqrt(v) + eps)``."""
    opt = optim.RMSprop(lr=lr, alpha=alpha, eps=eps)
    return one_step(opt, param, grad, 1, square_avg=square_avg)


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for i, scale in enumerate((1.0, 1.0, 0.1, 1e-4, 1e-5)):
        n = int(rng.integers(2, 7))
        grad = draw_vector(rng, n, scale)
        avg = np.zeros(n) if i == 0 else rng.uniform(0, 3, size=n) * scale**2
        alpha = float(rng.choice([0.9, 0.99, float(rng.uniform(0.5, 0.999))]))
        eps = float(rng.choice([1e-8, 1e-7, 1e-6]))
        lr = log_uniform(rng, -4, -1)
        cases.append(Case((rng.normal(size=n), grad, avg, lr, alpha, eps)))
    return cases


mistakes = Mistakes()


@mistakes.add(
    "eps is inside the square root (Keras' sqrt(v + eps)); PyTorch, and this exercise, add it "
    "outside: sqrt(v) + eps. It matters when the gradients are tiny."
)
def eps_inside_sqrt(param, grad, square_avg, lr, alpha, eps):
    v = alpha * square_avg + (1 - alpha) * grad**2
    return param - lr * grad / np.sqrt(v + eps), v


@mistakes.add(
    "alpha weighs the OLD average: v = alpha * v + (1 - alpha) * grad**2 (alpha = 0.99 keeps "
    "99% of the past)."
)
def alpha_swapped(param, grad, square_avg, lr, alpha, eps):
    v = (1 - alpha) * square_avg + alpha * grad**2
    return param - lr * grad / (np.sqrt(v) + eps), v


@mistakes.add(
    "the new gradient's square enters with weight (1 - alpha): v = alpha * v + (1 - alpha) * "
    "grad**2, an average, not a decayed sum."
)
def decayed_sum(param, grad, square_avg, lr, alpha, eps):
    v = alpha * square_avg + grad**2
    return param - lr * grad / (np.sqrt(v) + eps), v


@mistakes.add(
    "this sums the squares like AdaGrad; RMSprop keeps a decaying average, "
    "alpha * v + (1 - alpha) * grad**2, so old gradients are forgotten."
)
def adagrad_sum(param, grad, square_avg, lr, alpha, eps):
    v = square_avg + grad**2
    return param - lr * grad / (np.sqrt(v) + eps), v


@mistakes.add("the step used the OLD average: update square_avg first, then divide by its root.")
def divides_by_old_average(param, grad, square_avg, lr, alpha, eps):
    v = alpha * square_avg + (1 - alpha) * grad**2
    return param - lr * grad / (np.sqrt(square_avg) + eps), v


@mistakes.add("divide by the square ROOT of the average: sqrt(v) + eps.")
def no_sqrt(param, grad, square_avg, lr, alpha, eps):
    v = alpha * square_avg + (1 - alpha) * grad**2
    return param - lr * grad / (v + eps), v


@mistakes.add("return the whole new state, (new_param, new_square_avg): the next update needs it.")
def returns_param_only(param, grad, square_avg, lr, alpha, eps):
    v = alpha * square_avg + (1 - alpha) * grad**2
    return param - lr * grad / (np.sqrt(v) + eps)


EXERCISE = Exercise(
    name="rmsprop",
    reference=reference,
    visible=(
        # first update, torch defaults: v = 0.01 grad**2, the step is 10 * lr = 0.1 per coordinate
        Case(
            (np.array([1.0, -1.0, 0.5]), np.array([0.5, -2.0, 0.0]), np.zeros(3), 0.01, 0.99, 1e-8)
        ),
        Case(
            (
                np.array([0.2, -0.3, 1.5, 0.0]),
                np.array([0.1, 0.3, -0.2, 1.0]),
                np.array([0.04, 0.09, 1.0, 0.25]),
                0.001,
                0.9,
                1e-8,
            )
        ),
        Case(
            (np.array([1.0, 2.0]), np.array([1e-4, -3e-5]), np.array([0.0, 1e-9]), 0.001, 0.9, 1e-7)
        ),
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
