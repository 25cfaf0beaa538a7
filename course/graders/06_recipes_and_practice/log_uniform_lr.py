"""06_recipes_and_practice, exercise 4 (2 points): a log-uniform lr sampler."""

import numpy as np
from autograder.draws import log_uniform
from autograder.exercise import Case, Exercise, Mistakes


def reference(u, low, high):
    """Uniform draws ``u`` in [0, 1) mapped to learning rates uniform in their exponent:
    ``10 ** (log10(low) + u * (log10(high) - log10(low)))`` (= ``low * (high / low) ** u``)."""
    u = np.asarray(u, dtype=float)
    return 10 ** (np.log10(low) + u * (np.log10(high) - np.log10(low)))


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for _ in range(5):
        low = log_uniform(rng, -6, -2)
        high = low * log_uniform(rng, 1, 4)
        cases.append(Case((rng.uniform(size=int(rng.integers(3, 20))), low, high)))
    return cases


mistakes = Mistakes()


@mistakes.add(
    "this draws uniformly in the lr itself: between 1e-4 and 1 nine draws in ten land above "
    "0.1. Draw the exponent uniformly: 10 ** (log10(low) + u * (log10(high) - log10(low)))."
)
def uniform_in_lr(u, low, high):
    return low + np.asarray(u) * (high - low)


@mistakes.add(
    "the exponent is in base 10 (np.log10), so raise 10 to it: np.exp undoes a natural log "
    "(np.log), not np.log10."
)
def exp_of_log10(u, low, high):
    return np.exp(np.log10(low) + np.asarray(u) * (np.log10(high) - np.log10(low)))


@mistakes.add(
    "low and high are learning rates, not exponents: take np.log10(low) and np.log10(high) "
    "before mixing them with u (as np.logspace wants exponents)."
)
def bounds_as_exponents(u, low, high):
    return 10 ** (low + np.asarray(u) * (high - low))


EXERCISE = Exercise(
    name="log_uniform_lr",
    reference=reference,
    visible=(
        Case((np.array([0.0, 0.25, 0.5, 0.75]), 1e-4, 1.0)),  # one draw per decade
        Case((np.array([0.1, 0.9, 0.5]), 1e-3, 3.0)),  # this notebook's search range
        Case((np.array([0.3]), 2e-5, 5e-4)),
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
