"""07_reference_experiment, exercise 2 (3 points): mean, spread and t interval of seeds."""

import numpy as np
from autograder.exercise import Case, Exercise, Mistakes

from lrcourse.experiments.seeds import summarise_seeds


def reference(values, t_quantile):
    """``[mean, std, low, high]``: the mean, the sample std (ddof=1) and the interval
    ``mean ± t_quantile * std / sqrt(n)`` of the ``n`` seeds' values."""
    s = summarise_seeds(values)
    half = t_quantile * s.sem
    return np.array([s.mean, s.std, s.mean - half, s.mean + half])


T_95 = {2: 12.706205, 3: 4.302653, 4: 3.182446, 5: 2.776445, 6: 2.570582, 8: 2.364624, 10: 2.262157}


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for _ in range(6):
        n = int(rng.choice(list(T_95)))
        values = np.clip(rng.normal(rng.uniform(0.3, 0.9), rng.uniform(0.005, 0.08), size=n), 0, 1)
        cases.append(Case((values, T_95[n])))
    return cases


def interval(mean, std, half):
    return np.array([mean, std, mean - half, mean + half])


mistakes = Mistakes()


@mistakes.add(
    "the spread of a few seeds is the SAMPLE standard deviation, np.std(values, ddof=1) "
    "(divide by n - 1): np.std's default ddof=0 underestimates it, most with few seeds."
)
def population_std(values, t_quantile):
    m, s = np.mean(values), np.std(values)
    return interval(m, s, t_quantile * s / np.sqrt(len(values)))


@mistakes.add(
    "the interval is for the MEAN: its half-width is t * std / sqrt(n) (the standard error), "
    "not t * std."
)
def std_not_standard_error(values, t_quantile):
    m, s = np.mean(values), np.std(values, ddof=1)
    return interval(m, s, t_quantile * s)


@mistakes.add("the standard error of the mean is std / sqrt(n), not std / n.")
def divides_by_n(values, t_quantile):
    m, s = np.mean(values), np.std(values, ddof=1)
    return interval(m, s, t_quantile * s / len(values))


@mistakes.add(
    "use the t quantile you are given (4.30 for 3 seeds), not the normal's 1.96: with "
    "n - 1 = 2 degrees of freedom the interval is more than twice as wide."
)
def normal_quantile(values, t_quantile):
    m, s = np.mean(values), np.std(values, ddof=1)
    return interval(m, s, 1.96 * s / np.sqrt(len(values)))


EXERCISE = Exercise(
    name="seed_summary",
    reference=reference,
    visible=(
        Case((np.array([0.62, 0.65, 0.59]), T_95[3])),  # the worked example
        Case((np.array([0.71, 0.74, 0.69, 0.73, 0.70]), T_95[5])),
        Case((np.array([0.5, 0.7]), T_95[2])),  # two seeds: a very wide interval
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
