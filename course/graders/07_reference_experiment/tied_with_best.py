"""07_reference_experiment, exercise 4 (3 points): the runs you cannot tell from the best."""

import numpy as np
from autograder.exercise import Case, Exercise, Mistakes

from lrcourse.experiments import seeds


def reference(means, stds, n_seeds, k):
    """The indices (ascending) of the runs whose mean is at most ``k`` standard errors of the
    difference below the best (highest) mean, ``sqrt(std_best**2 / n + std_i**2 / n)``; the
    best run is one of them."""
    return seeds.tied_with_best(means, stds, n_seeds, k)


def draw_case(rng: np.random.Generator) -> tuple:
    n_runs, n = int(rng.integers(5, 10)), int(rng.integers(3, 11))
    k = float(rng.choice([1.0, 2.0, 3.0, rng.uniform(1, 3)]))
    stds = rng.uniform(0.005, 0.05, size=n_runs)
    best = int(rng.integers(n_runs))
    means = np.full(n_runs, 0.8)
    means[np.arange(n_runs) != best] -= rng.uniform(0.001, 0.2, size=n_runs - 1)
    others = [i for i in range(n_runs) if i != best]
    j, m = rng.choice(others, size=2, replace=False)
    sb, sj, sm = stds[best], stds[j], stds[m]
    quad_j = np.sqrt((sb**2 + sj**2) / n)
    means[j] = 0.8 - k * (quad_j + (sb + sj) / np.sqrt(n)) / 2  # beyond quadrature, within the sum
    quad_m = np.sqrt((sb**2 + sm**2) / n)
    means[m] = 0.8 - k * (quad_m + sm / np.sqrt(n)) / 2  # within quadrature, beyond its own se
    return (means, stds, n, k)


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    return [Case(draw_case(rng)) for _ in range(5)]


def within(means, threshold):
    means = np.asarray(means)
    return np.flatnonzero(means.max() - means <= threshold)


def best_std(means, stds):
    return np.asarray(stds)[int(np.argmax(means))]


mistakes = Mistakes()


@mistakes.add(
    "standard errors add in QUADRATURE: the difference's is sqrt(se_best**2 + se_i**2), "
    "not se_best + se_i (that overstates it and ties too many runs)."
)
def adds_standard_errors(means, stds, n_seeds, k):
    return within(means, k * (best_std(means, stds) + np.asarray(stds)) / np.sqrt(n_seeds))


@mistakes.add(
    "a mean of n seeds varies by std / sqrt(n), its standard error: divide the variances "
    "by n_seeds before you compare (you used the seeds' standard deviations)."
)
def std_not_standard_error(means, stds, n_seeds, k):
    return within(means, k * np.sqrt(best_std(means, stds) ** 2 + np.asarray(stds) ** 2))


@mistakes.add(
    "the best mean is uncertain too: the difference's standard error has both runs' "
    "variances, sqrt(std_best**2 / n + std_i**2 / n), not only run i's."
)
def only_the_runs_own_error(means, stds, n_seeds, k):
    return within(means, k * np.asarray(stds) / np.sqrt(n_seeds))


@mistakes.add("the best run is tied with itself: include its index in the result.")
def leaves_out_the_best(means, stds, n_seeds, k):
    tied = seeds.tied_with_best(means, stds, n_seeds, k)
    return tied[tied != int(np.argmax(means))]


EXERCISE = Exercise(
    name="tied_with_best",
    reference=reference,
    visible=(
        Case((np.array([0.80, 0.75, 0.60]), np.array([0.03, 0.04, 0.01]), 3, 2.0)),
        Case((np.array([0.66, 0.72, 0.70, 0.62]), np.array([0.03, 0.03, 0.02, 0.01]), 3, 2.0)),
        Case((np.array([0.90, 0.85, 0.88]), np.array([0.02, 0.03, 0.05]), 10, 2.0)),
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
