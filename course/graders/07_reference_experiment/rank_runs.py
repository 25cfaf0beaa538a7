"""07_reference_experiment, exercise 3 (2 points): rank runs, best first."""

import numpy as np
from autograder.exercise import Case, Exercise, Mistakes

from lrcourse.experiments.seeds import rank


def reference(means, higher_is_better):
    """The indices of the runs, best first (the largest mean first if ``higher_is_better``,
    else the smallest); runs with equal means keep their order."""
    return rank(means, higher_is_better)


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for i in range(6):
        n = int(rng.integers(6, 13))
        means = np.round(rng.uniform(0.3, 0.9, size=n), 2)
        a, b = rng.choice(n, size=2, replace=False)
        means[max(a, b)] = means[min(a, b)]  # a tie
        higher = bool(i % 2 == 0) if i < 2 else bool(rng.integers(0, 2))
        cases.append(Case((means if higher else means * 3, higher)))
    return cases


mistakes = Mistakes()


@mistakes.add(
    "for an accuracy (higher_is_better True) the best run has the LARGEST mean: sort "
    "descending, e.g. np.argsort(-means, kind='stable')."
)
def always_ascending(means, higher_is_better):
    return np.argsort(means, kind="stable")


@mistakes.add(
    "for a loss (higher_is_better False) the best run has the SMALLEST mean: sort ascending then."
)
def always_descending(means, higher_is_better):
    return np.argsort(-np.asarray(means), kind="stable")


@mistakes.add(
    "reversing an ascending sort ([::-1]) also reverses the order of equal means: sort "
    "-means with kind='stable' instead, so ties keep their order."
)
def reverses_an_ascending_sort(means, higher_is_better):
    order = np.argsort(means, kind="stable")
    return order[::-1] if higher_is_better else order


@mistakes.add(
    "you returned each run's rank (its place in the ranking); return the ORDER: the index "
    "of the best run first, then the second best... (np.argsort gives it directly)."
)
def ranks_not_order(means, higher_is_better):
    key = -np.asarray(means) if higher_is_better else np.asarray(means)
    return np.argsort(np.argsort(key, kind="stable"), kind="stable")


EXERCISE = Exercise(
    name="rank_runs",
    reference=reference,
    visible=(
        Case((np.array([0.70, 0.82, 0.70, 0.91, 0.65]), True)),  # accuracies, a tie
        Case((np.array([1.2, 0.9, 1.5, 0.9]), False)),  # losses, a tie
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
