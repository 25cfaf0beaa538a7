"""05_lr_finder, exercise 1 (2 points): the exponential lr grid of a range test."""

import numpy as np
from autograder.draws import log_uniform
from autograder.exercise import Case, Exercise, Mistakes

from lrcourse import lr_finder


def reference(start_lr, end_lr, num_iter):
    """torch-lr-finder's grid: ``start_lr * (end_lr / start_lr) ** (i / (num_iter - 1))`` for
    ``i = 0 ... num_iter - 1``: the first batch at start_lr, the last at end_lr."""
    return lr_finder.lr_grid(start_lr, end_lr, num_iter, style="torch-lr-finder")


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for _ in range(5):
        start = log_uniform(rng, -8, -4)
        end = float(rng.choice([1.0, 10.0, log_uniform(rng, -1, 1)]))
        cases.append(Case((start, end, int(rng.integers(5, 300)))))
    return cases


def batches(num_iter):
    return np.arange(num_iter, dtype=float)


mistakes = Mistakes()


@mistakes.add(
    "the last batch must try end_lr itself: the exponent is i / (num_iter - 1). With "
    "i / num_iter (the grid of fastai's lr_find) the ramp stops one step short of end_lr."
)
def fastai_denominator(start_lr, end_lr, num_iter):
    return start_lr * (end_lr / start_lr) ** (batches(num_iter) / num_iter)


@mistakes.add(
    "the first batch must use start_lr itself: count the batches from i = 0, so the exponent "
    "runs from 0 to 1."
)
def counts_from_one(start_lr, end_lr, num_iter):
    return start_lr * (end_lr / start_lr) ** ((batches(num_iter) + 1) / num_iter)


@mistakes.add(
    "this grid is linear (equal differences): after 1e-7 its second lr is already about "
    "end_lr / num_iter, so almost every batch tries a large lr. An exponential grid multiplies "
    "the lr by the same factor every batch."
)
def linear(start_lr, end_lr, num_iter):
    return np.linspace(start_lr, end_lr, num_iter)


@mistakes.add(
    "np.logspace takes exponents, not values: np.logspace(a, b, n) runs from 10**a to 10**b. "
    "Pass np.log10(start_lr) and np.log10(end_lr), or use np.geomspace(start_lr, end_lr, n)."
)
def logspace_of_values(start_lr, end_lr, num_iter):
    return np.logspace(start_lr, end_lr, num_iter)


EXERCISE = Exercise(
    name="exp_lr_grid",
    reference=reference,
    visible=(
        Case((1e-7, 10.0, 9)),  # one decade per batch: 1e-7, 1e-6, ..., 10
        Case((1e-3, 1.0, 4)),  # 0.001, 0.01, 0.1, 1
        Case((1e-7, 1.0, 15)),  # half a decade per batch
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
