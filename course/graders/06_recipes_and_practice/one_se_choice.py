"""06_recipes_and_practice, exercise 5 (3 points): a noise-aware choice among trials."""

import numpy as np
from autograder.draws import log_uniform
from autograder.exercise import Case, Exercise, Mistakes


def reference(lrs, losses):
    """The one-standard-error rule. ``losses[i, s]``: the validation loss of trial ``i``
    (learning rate ``lrs[i]``) with seed ``s``. The best trial has the lowest mean loss; its
    standard error is ``std(ddof=1) / sqrt(n_seeds)``. Return the *smallest* lr whose mean
    loss is at most the best mean + that standard error (ties to the best count)."""
    lrs, losses = np.asarray(lrs, dtype=float), np.asarray(losses, dtype=float)
    means = losses.mean(axis=1)
    best = int(np.argmin(means))
    error = losses[best].std(ddof=1) / np.sqrt(losses.shape[1])
    return float(lrs[means <= means[best] + error].min())


def near_the_best(rng: np.random.Generator, n: int, seeds: int):
    """Trials far above the best one but two: one between the best mean + its standard error
    computed with ddof=0 and with ddof=1, one between the standard error and the standard
    deviation (they tell the right error bar from the wrong ones)."""
    best = int(rng.integers(2, n))
    losses = 1.0 + rng.normal(scale=0.05, size=(n, seeds))
    row = 0.3 + rng.normal(scale=float(rng.uniform(0.02, 0.1)), size=seeds)
    losses[best] = row
    mean, sd = row.mean(), row.std(ddof=1)
    se, se_pop = sd / np.sqrt(seeds), row.std() / np.sqrt(seeds)
    for i, target in ((best - 1, mean + (se + se_pop) / 2), (best - 2, mean + (se + sd) / 2)):
        losses[i] += target - losses[i].mean()
    return losses


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for i in range(6):
        n, seeds = int(rng.integers(4, 9)), int(rng.integers(2, 6))
        lrs = np.geomspace(log_uniform(rng, -4, -2), 1.0, n)
        if i < 2:
            losses = near_the_best(rng, n, seeds)
        else:
            curve = 0.3 + 0.2 * (np.log10(lrs) - float(rng.uniform(-2.5, -0.5))) ** 2
            noise = rng.normal(scale=float(rng.uniform(0.02, 0.2)), size=(n, seeds))
            losses = curve[:, None] + noise
        order = rng.permutation(n)  # trials come in the order a sampler ran them
        cases.append(Case((lrs[order], losses[order])))
    return cases


mistakes = Mistakes()


@mistakes.add(
    "this is the lr of the lowest mean loss: with a few seeds that minimum is partly luck. Take "
    "the smallest lr whose mean is within one standard error of the best mean."
)
def lowest_mean(lrs, losses):
    return float(np.asarray(lrs)[np.argmin(np.mean(losses, axis=1))])


@mistakes.add(
    "the seeds of one trial are a sample: their standard deviation uses ddof=1 "
    "(np.std(x, ddof=1)); np.std's default ddof=0 makes the error bar too small."
)
def population_std(lrs, losses):
    means = np.mean(losses, axis=1)
    best = int(np.argmin(means))
    error = np.std(losses[best]) / np.sqrt(losses.shape[1])
    return float(np.asarray(lrs)[means <= means[best] + error].min())


@mistakes.add(
    "the error of a mean over n seeds is the standard error, std(ddof=1) / sqrt(n), not the "
    "standard deviation itself: divide by sqrt(n_seeds)."
)
def standard_deviation(lrs, losses):
    means = np.mean(losses, axis=1)
    best = int(np.argmin(means))
    error = np.std(losses[best], ddof=1)
    return float(np.asarray(lrs)[means <= means[best] + error].min())


@mistakes.add(
    "the trials are not sorted by lr (a sampler runs them in any order): return the smallest "
    "lr among the trials within one standard error, not the first such trial."
)
def first_trial_within(lrs, losses):
    means = np.mean(losses, axis=1)
    best = int(np.argmin(means))
    error = np.std(losses[best], ddof=1) / np.sqrt(losses.shape[1])
    return float(np.asarray(lrs)[np.flatnonzero(means <= means[best] + error)[0]])


@mistakes.add("average over the seeds (losses.mean(axis=1)): this uses one seed's losses only.")
def one_seed_only(lrs, losses):
    return float(np.asarray(lrs)[np.argmin(np.asarray(losses)[:, 0])])


EXERCISE = Exercise(
    name="one_se_choice",
    reference=reference,
    visible=(
        # best: lr 0.1, mean 0.30, standard error 0.05 / sqrt(3) = 0.029; lr 0.03 (mean
        # 0.325) is within it, lr 0.01 (0.34) only within the standard deviation 0.05
        Case(
            (
                np.array([0.01, 0.03, 0.1, 0.3]),
                np.array(
                    [
                        [0.30, 0.34, 0.38],
                        [0.31, 0.33, 0.335],
                        [0.25, 0.30, 0.35],
                        [0.20, 0.60, 0.70],
                    ]
                ),
            )
        ),
        # in the order a sampler ran them: best lr 0.3 (0.23 +- 0.03); 1.0 and 0.05 within
        Case(
            (
                np.array([1.0, 0.3, 0.05, 0.002, 0.01]),
                np.array([[0.27, 0.22], [0.20, 0.26], [0.31, 0.20], [0.60, 0.62], [0.29, 0.45]]),
            )
        ),
        Case(
            (
                np.array([0.001, 0.01, 0.1]),
                np.array(
                    [[1.00, 1.02, 0.98, 1.00], [0.40, 0.42, 0.40, 0.42], [0.35, 0.39, 0.41, 0.45]]
                ),
            )
        ),
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
