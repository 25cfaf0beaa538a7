"""01_learning_rate, exercise 4 (1 point): the linear scaling rule for the batch size."""

import numpy as np
from autograder.exercise import Case, Exercise, Mistakes


def reference(lr, batch_size, new_batch_size):
    """Linear scaling: the learning rate grows in proportion to the batch size."""
    return lr * new_batch_size / batch_size


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for _ in range(6):
        old, new = (int(2 ** rng.integers(3, 12)) for _ in range(2))
        cases.append(Case((float(10 ** rng.uniform(-4, 0)), old, new)))
    return cases


mistakes = Mistakes()


@mistakes.add(
    "the ratio is upside down: a larger batch gets a larger learning rate, "
    "lr * new_batch_size / batch_size."
)
def ratio_upside_down(lr, batch_size, new_batch_size):
    return lr * batch_size / new_batch_size


@mistakes.add(
    "that is the square-root scaling rule; this exercise asks for the linear rule, "
    "lr * new_batch_size / batch_size."
)
def square_root_rule(lr, batch_size, new_batch_size):
    return lr * (new_batch_size / batch_size) ** 0.5


@mistakes.add("this returns the ratio of the batch sizes only: multiply it by lr.")
def ratio_only(lr, batch_size, new_batch_size):
    return new_batch_size / batch_size


@mistakes.add(
    "doubling is the syllabus example, not the rule: scale by new_batch_size / batch_size."
)
def always_doubles(lr, batch_size, new_batch_size):
    return 2 * lr


EXERCISE = Exercise(
    name="scale_lr",
    reference=reference,
    visible=(
        Case((0.1, 32, 64)),  # doubling the batch size doubles the learning rate
        Case((1e-3, 256, 64)),  # a quarter of the batch, a quarter of the learning rate
        Case((0.01, 128, 384)),
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
