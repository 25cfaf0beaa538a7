"""03_optimizers, exercise 1 (2 points): one update of SGD with momentum (PyTorch's form)."""

import numpy as np
from autograder.draws import log_uniform
from autograder.exercise import Case, Exercise, Mistakes
from autograder.optimizer_steps import draw_vector, one_step

from lrcourse import optim


def reference(param, grad, buf, lr, momentum):
    """``buf <- momentum * buf + grad``, then ``param <- param - lr * buf``; returns both."""
    # step 2: torch copies the gradient into the buffer on step 1, which equals this with buf 0
    return one_step(optim.SGD(lr=lr, momentum=momentum), param, grad, 2, momentum_buffer=buf)


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
    "this is Keras' velocity, with lr inside the buffer (v = momentum * v - lr * grad, "
    "param + v). Here buf is PyTorch's: buf = momentum * buf + grad, and lr multiplies it "
    "when the parameter moves: param - lr * buf."
)
def keras_velocity(param, grad, buf, lr, momentum):
    velocity = momentum * buf - lr * grad
    return param + velocity, velocity


@mistakes.add(
    "lr is applied twice: the buffer adds the plain gradient (buf = momentum * buf + grad); "
    "only the step multiplies by lr."
)
def lr_twice(param, grad, buf, lr, momentum):
    new_buf = momentum * buf + lr * grad
    return param - lr * new_buf, new_buf


@mistakes.add(
    "this averages (momentum * buf + (1 - momentum) * grad, PyTorch's dampening = momentum); "
    "the momentum buffer adds the whole gradient: buf = momentum * buf + grad."
)
def dampened_average(param, grad, buf, lr, momentum):
    new_buf = momentum * buf + (1 - momentum) * grad
    return param - lr * new_buf, new_buf


@mistakes.add(
    "the parameter moved with the OLD buffer: update the buffer first, then step with the new "
    "one (on the first update the old buffer is 0 and nothing moves)."
)
def steps_with_old_buffer(param, grad, buf, lr, momentum):
    return param - lr * buf, momentum * buf + grad


@mistakes.add("the old buffer must be multiplied by momentum: buf = momentum * buf + grad.")
def buffer_not_decayed(param, grad, buf, lr, momentum):
    new_buf = buf + grad
    return param - lr * new_buf, new_buf


@mistakes.add("sign error: descend, param - lr * buf (the buffer points uphill, like grad).")
def moves_uphill(param, grad, buf, lr, momentum):
    new_buf = momentum * buf + grad
    return param + lr * new_buf, new_buf


@mistakes.add("return the whole new state, (new_param, new_buf): the next update needs the buffer.")
def returns_param_only(param, grad, buf, lr, momentum):
    return param - lr * (momentum * buf + grad)


@mistakes.add("the state comes back in the order of the arguments: (new_param, new_buf).")
def swapped_order(param, grad, buf, lr, momentum):
    new_buf = momentum * buf + grad
    return new_buf, param - lr * new_buf


EXERCISE = Exercise(
    name="sgd_momentum",
    reference=reference,
    visible=(
        # first update (buf 0): the buffer becomes grad, param - 0.1 * grad = [0.95, -1.9]
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
