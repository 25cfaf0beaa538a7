"""01_learning_rate, exercise 1 (2 points): one gradient-descent step."""

import numpy as np
from autograder.exercise import Case, Exercise, Mistakes


def reference(w, grad, lr):
    """``w_new = w_old - lr * dL/dw`` for a number or an array of weights."""
    return w - lr * grad


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for shape in [(), (), (3,), (2, 4), (5,), ()]:
        w, grad = 3 * rng.standard_normal((2, *shape))
        lr = float(10 ** rng.uniform(-4, 0))
        if shape == ():
            w, grad = float(w), float(grad)
        cases.append(Case((w, grad, lr)))
    return cases


mistakes = Mistakes()


@mistakes.add(
    "sign error: this moves uphill. The gradient points towards larger loss, so the step is "
    "subtracted: w_new = w_old - lr * grad."
)
def moves_uphill(w, grad, lr):
    return w + lr * grad


@mistakes.add(
    "the learning rate is missing: the step is lr times the gradient, not the gradient alone."
)
def forgets_lr(w, grad, lr):
    return w - grad


@mistakes.add("the step uses w instead of the gradient: multiply lr by grad (dL/dw), not by w.")
def steps_along_w(w, grad, lr):
    return w - lr * w


@mistakes.add("the gradient is divided by lr; the update multiplies them: w - lr * grad.")
def divides_by_lr(w, grad, lr):
    return w - grad / lr


@mistakes.add("this returns the step (-lr * grad) instead of the new weights w - lr * grad.")
def returns_the_step(w, grad, lr):
    return -lr * grad


@mistakes.add("this returns w unchanged: apply the step.")
def returns_w(w, grad, lr):
    return w


EXERCISE = Exercise(
    name="gd_step",
    reference=reference,
    visible=(
        Case((1.0, 4.0, 0.1)),  # L = 2 w^2 at w = 1: dL/dw = 4, so w_new = 1 - 0.1 * 4 = 0.6
        Case((np.array([1.0, -2.0, 3.0]), np.array([0.2, -1.0, 4.0]), 0.5)),
        Case((0.5, -3.0, 0.01)),  # a negative gradient moves w up
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
