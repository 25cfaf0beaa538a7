"""02_schedules, exercise 4 (1 point): continuous exponential decay."""

import numpy as np
from autograder.draws import as_steps, log_uniform, sorted_steps
from autograder.exercise import Case, Exercise, Mistakes

from lrcourse import schedules


def reference(step, lr0, k):
    """``lr0 * exp(-k * step)``."""
    return schedules.ContinuousExponentialDecay(lr0, k)(step)


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for _ in range(4):
        k = log_uniform(rng, -3, -0.3)
        steps = sorted_steps(rng, int(5 / k), must=(0, 1))
        cases.append(Case((steps, log_uniform(rng, -4, 0), k)))
    step, lr0 = int(rng.integers(1, 50)), log_uniform(rng, -4, 0)
    cases.append(Case((step, lr0, log_uniform(rng, -2, -1))))
    return cases


mistakes = Mistakes()


@mistakes.add("the exponent must be negative, exp(-k * step): yours grows.")
def grows(step, lr0, k):
    return lr0 * np.exp(k * as_steps(step))


@mistakes.add(
    "lr0 * (1 - k) ** step is the discrete approximation; the continuous schedule is "
    "lr0 * np.exp(-k * step) (the two differ more and more as k grows)."
)
def discrete(step, lr0, k):
    return lr0 * (1 - k) ** as_steps(step)


@mistakes.add(
    "k is a rate (per step), not a time constant: multiply, exp(-k * step), don't divide the "
    "step by k."
)
def time_constant(step, lr0, k):
    return lr0 * np.exp(-as_steps(step) / k)


@mistakes.add("lr0 is missing: the schedule starts at lr0, lr0 * exp(-k * step).")
def forgets_lr0(step, lr0, k):
    return np.exp(-k * as_steps(step))


EXERCISE = Exercise(
    name="continuous_exponential_decay",
    reference=reference,
    visible=(
        Case((np.array([0, 10, 20]), 0.1, 0.1)),  # 0.1, 0.1/e, 0.1/e^2
        Case((5, 0.01, 0.2)),  # k * t = 1: 0.01 / e
        Case((np.array([0, 1, 100]), 1e-3, 0.01)),
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
