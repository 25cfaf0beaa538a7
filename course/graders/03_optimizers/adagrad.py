"""03_optimizers, exercise 3 (2 points): one update of AdaGrad (PyTorch's form)."""

import numpy as np
from autograder.draws import log_uniform
from autograder.exercise import Case, Exercise, Mistakes
from autograder.optimizer_steps import draw_vector, one_step

from lrcourse import optim


def reference(param, grad, sum_sq, lr, eps):
    """``sum_sq <- sum_sq + grad**2``, ``param <- param - lr * grad / (sqrt(sum_sq) + eps)``."""
    return one_step(optim.Adagrad(lr=lr, eps=eps), param, grad, 1, sum=sum_sq)


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for i, scale in enumerate((1.0, 1.0, 0.1, 1e-4, 1e-5)):
        n = int(rng.integers(2, 7))
        grad = draw_vector(rng, n, scale)
        sum_sq = np.zeros(n) if i == 0 else rng.uniform(0, 20, size=n) * scale**2
        if i > 0:
            sum_sq[int(rng.integers(n))] = 0.0
        eps = float(rng.choice([1e-10, 1e-7, 1e-8]))
        cases.append(Case((rng.normal(size=n), grad, sum_sq, log_uniform(rng, -3, 0), eps)))
    return cases


mistakes = Mistakes()


@mistakes.add(
    "eps is inside the square root (Keras' sqrt(sum_sq + eps)); PyTorch, and this exercise, "
    "add it outside: sqrt(sum_sq) + eps. It matters when the gradients are tiny."
)
def eps_inside_sqrt(param, grad, sum_sq, lr, eps):
    new_sum = sum_sq + grad**2
    return param - lr * grad / np.sqrt(new_sum + eps), new_sum


@mistakes.add(
    "eps is missing: a coordinate that never had a gradient has sum_sq = 0, and 0 / 0 is NaN. "
    "Divide by sqrt(sum_sq) + eps."
)
def no_eps(param, grad, sum_sq, lr, eps):
    new_sum = sum_sq + grad**2
    return param - lr * grad / np.sqrt(new_sum), new_sum


@mistakes.add(
    "the step used the OLD sum: add grad**2 to sum_sq first, then divide by its root (on the "
    "first update the old sum is 0 and the step explodes to lr * grad / eps)."
)
def divides_by_old_sum(param, grad, sum_sq, lr, eps):
    return param - lr * grad / (np.sqrt(sum_sq) + eps), sum_sq + grad**2


@mistakes.add("divide by the square ROOT of the sum: sqrt(sum_sq) + eps.")
def no_sqrt(param, grad, sum_sq, lr, eps):
    new_sum = sum_sq + grad**2
    return param - lr * grad / (new_sum + eps), new_sum


@mistakes.add("AdaGrad sums the squared gradients: sum_sq + grad**2, not sum_sq + grad.")
def sums_gradients(param, grad, sum_sq, lr, eps):
    new_sum = sum_sq + grad
    return param - lr * grad / (np.sqrt(new_sum) + eps), new_sum


@mistakes.add("return the whole new state, (new_param, new_sum_sq): the next update needs the sum.")
def returns_param_only(param, grad, sum_sq, lr, eps):
    return param - lr * grad / (np.sqrt(sum_sq + grad**2) + eps)


EXERCISE = Exercise(
    name="adagrad",
    reference=reference,
    visible=(
        # first update: every coordinate moves by lr (sign of grad), the silent one stays
        Case((np.array([1.0, -1.0, 0.5]), np.array([0.5, -2.0, 0.0]), np.zeros(3), 0.01, 1e-10)),
        Case(
            (
                np.array([0.2, -0.3, 1.5, 0.0]),
                np.array([0.1, 0.3, -0.2, 1.0]),
                np.array([4.0, 0.09, 1.0, 0.0]),
                0.1,
                1e-10,
            )
        ),
        # tiny gradients (a rare feature): where eps sits decides the step
        Case((np.array([1.0, 2.0]), np.array([1e-4, -3e-5]), np.array([0.0, 1e-9]), 0.01, 1e-7)),
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
