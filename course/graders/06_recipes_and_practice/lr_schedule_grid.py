"""06_recipes_and_practice, exercise 3 (2 points): a grid of lr x schedule parameter."""

import itertools

import numpy as np
from autograder.draws import log_uniform
from autograder.exercise import Case, Exercise, Mistakes


def reference(low_lr, high_lr, n_lr, params):
    """Rows ``(lr, param)``: ``n_lr`` log-spaced lrs from low_lr to high_lr (both included)
    times every value of ``params``, the lr in the outer loop (all params of the first lr,
    then of the second, ...), as ``itertools.product(lrs, params)`` orders them."""
    lrs = np.geomspace(low_lr, high_lr, n_lr)
    return np.array(list(itertools.product(lrs, np.asarray(params, dtype=float))))


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for _ in range(4):
        low = log_uniform(rng, -5, -2)
        params = np.sort(rng.uniform(0, 1, size=int(rng.integers(2, 5)))).round(3)
        cases.append(Case((low, low * log_uniform(rng, 1, 4), int(rng.integers(3, 7)), params)))
    return cases


mistakes = Mistakes()


@mistakes.add(
    "the lrs are evenly spaced (np.linspace): almost all of them sit in the top decade. Space "
    "them evenly in log lr: np.geomspace(low_lr, high_lr, n_lr)."
)
def linear_lrs(low_lr, high_lr, n_lr, params):
    lrs = np.linspace(low_lr, high_lr, n_lr)
    return np.array(list(itertools.product(lrs, np.asarray(params, dtype=float))))


@mistakes.add(
    "np.logspace takes exponents: np.logspace(low_lr, high_lr) runs from 10**low_lr. Use "
    "np.geomspace(low_lr, high_lr, n_lr) or np.logspace(np.log10(low_lr), np.log10(high_lr), n_lr)."
)
def logspace_of_values(low_lr, high_lr, n_lr, params):
    lrs = np.logspace(low_lr, high_lr, n_lr)
    return np.array(list(itertools.product(lrs, np.asarray(params, dtype=float))))


@mistakes.add(
    "the rows are in the wrong order: the lr is the outer loop (every param of the first lr, "
    "then of the second). np.meshgrid's default indexing='xy' puts the param outside; use "
    "itertools.product(lrs, params) or indexing='ij'."
)
def param_outer_loop(low_lr, high_lr, n_lr, params):
    lrs = np.geomspace(low_lr, high_lr, n_lr)
    grid_lr, grid_p = np.meshgrid(lrs, np.asarray(params, dtype=float))
    return np.column_stack([grid_lr.ravel(), grid_p.ravel()])


EXERCISE = Exercise(
    name="lr_schedule_grid",
    reference=reference,
    visible=(
        Case((1e-3, 1.0, 4, np.array([0.0, 0.1]))),  # lr 0.001, 0.01, 0.1, 1 x warm-up 0, 0.1
        Case((1e-4, 1e-2, 3, np.array([0.9, 0.94, 0.98]))),  # x decay rates
        Case((0.01, 0.3, 5, np.array([0.05]))),
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
