"""03_optimizers, exercise 2 (2 points): one update of SGD with Nesterov momentum (PyTorch)."""

import numpy as np
from autograder.draws import log_uniform
from autograder.exercise import Case, Exercise, Mistakes
from autograder.optimizer_steps import draw_vector, one_step

from lrcourse import optim


def reference(param, grad, buf, lr, momentum):
    """``buf <- momentum * buf + grad``, ``param <- param - lr * (grad + momentum * buf)``."""
    opt = optim.SGD(lr=lr, momentum=momentum, nesterov=True)
    return one_step(opt, param, grad, 2, momentum_buffer=buf)


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for i in range(5):
        n = int(rng.integers(2, 7))
        buf = np.zeros(n) if i == 0 else draw_vector(rng, n, float(rng.uniform(0.1, 3)))
        momentum = float(rng.choice([0.5, 0.9, float(rng.uniform(0.3, 0.99))]))
        cases.append(
            Case((rng.normal(size=n), draw_vector(rng, n), buf, log_uniform(rng, -3, 0), momentum))
        )
    return cases


mistakes = Mistakes()


@mistakes.add(
    "this is plain momentum (param - lr * buf, with the new buffer). Nesterov looks ahead: "
    "it steps with grad + momentum * buf, again with the new buffer."
)
def plain_momentum(param, grad, buf, lr, momentum):
    new_buf = momentum * buf + grad
    return param - lr * new_buf, new_buf


@mistakes.add(
    "the step needs the gradient too: param - lr * (grad + momentum * buf), not only "
    "momentum * buf."
)
def lookahead_without_gradient(param, grad, buf, lr, momentum):
    new_buf = momentum * buf + grad
    return param - lr * momentum * new_buf, new_buf


@mistakes.add(
    "this is Keras' form, with lr inside the velocity (v = momentum * v - lr * grad). Here "
    "buf is PyTorch's buffer without lr: buf = momentum * buf + grad, and lr multiplies the step."
)
def keras_velocity(param, grad, buf, lr, momentum):
    velocity = momentum * buf - lr * grad
    return param + momentum * velocity - lr * grad, velocity


@mistakes.add("return the whole new state, (new_param, new_buf): the next update needs the buffer.")
def returns_param_only(param, grad, buf, lr, momentum):
    new_buf = momentum * buf + grad
    return param - lr * (grad + momentum * new_buf)


EXERCISE = Exercise(
    name="nesterov",
    reference=reference,
    visible=(
        # first update: buf = grad, param - 0.1 * (1 + 0.9) * grad = [0.905, -1.81]
        Case((np.array([1.0, -2.0]), np.array([0.5, -1.0]), np.zeros(2), 0.1, 0.9)),
        Case(
            (
                np.array([0.5, 1.0, -1.5]),
                np.array([0.2, -0.4, 0.0]),
                np.array([1.0, -0.5, 2.0]),
                0.05,
                0.8,
            )
        ),
        Case((np.array([2.0, 0.0]), np.array([1.0, 1.0]), np.array([3.0, -1.0]), 0.01, 0.5)),
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
