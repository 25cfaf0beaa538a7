"""02_schedules, exercise 6 (3 points): cosine annealing with warm restarts (SGDR)."""

import numpy as np
from autograder.draws import half_cosine, log_uniform, sorted_steps
from autograder.exercise import Case, Exercise, Mistakes

from lrcourse import schedules


def reference(step, lr_max, lr_min, first_period, t_mul):
    """SGDR: period i lasts ``first_period * t_mul**i`` steps, a half cosine from lr_max to
    lr_min in each; the restart happens AT the first step of a period."""
    alpha = lr_min / lr_max
    return schedules.CosineRestarts(lr_max, first_period, t_mul=t_mul, alpha=alpha)(step)


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for i, t_mul in enumerate((1.0, 2.0, 3.0, float(rng.choice([1.0, 2.0, 3.0])))):
        first = int(rng.integers(2, 30))
        starts = np.cumsum([first * t_mul**i for i in range(4)]).astype(int)
        steps = sorted_steps(rng, int(starts[-1]), must=(0, first // 2, *starts, *(starts - 1)))
        lr_max = log_uniform(rng, -3, 0)
        lr_min = 0.0 if i == 3 else lr_max * float(rng.uniform(0.01, 0.5))
        cases.append(Case((steps, lr_max, lr_min, first, t_mul)))
    first = int(rng.integers(2, 20))
    cases.append(Case((first, 0.1, 0.001, first, 2.0)))  # exactly at the first restart
    return cases


def _per_step(one):
    """Apply ``one(t)`` (a Python loop over periods) to every step of an array."""
    return lambda step: np.vectorize(one, otypes=[float])(step)


mistakes = Mistakes()


@mistakes.add(
    "the restart period is not multiplied by t_mul: period i lasts first_period * t_mul ** i "
    "steps (10, 20, 40, ... for t_mul = 2)."
)
def periods_never_grow(step, lr_max, lr_min, first_period, t_mul):
    x = (np.asarray(step) % first_period) / first_period
    return lr_min + (lr_max - lr_min) * half_cosine(x)


@mistakes.add(
    "the restart comes one step late: a period of length T covers steps 0 ... T - 1 of its own "
    "clock, and step T already starts the next one at lr_max (use >=, not >)."
)
def restarts_late(step, lr_max, lr_min, first_period, t_mul):
    def one(t):
        period = first_period
        while t > period:
            t, period = t - period, period * t_mul
        return lr_min + (lr_max - lr_min) * half_cosine(t / period)

    return _per_step(one)(step)


@mistakes.add(
    "there are no restarts: at the start of every period the lr jumps back to lr_max "
    "(subtract the finished periods from the step)."
)
def never_restarts(step, lr_max, lr_min, first_period, t_mul):
    return lr_min + (lr_max - lr_min) * half_cosine(np.asarray(step) / first_period)


@mistakes.add(
    "lr_min is missing: each period decays to lr_min, "
    "lr_min + (lr_max - lr_min) * (1 + cos(pi * x)) / 2."
)
def forgets_lr_min(step, lr_max, lr_min, first_period, t_mul):
    return reference(step, lr_max, 0.0, first_period, t_mul)


@mistakes.add(
    "within a period the lr falls along HALF a cosine wave, cos(pi * x) with x from 0 to 1; "
    "cos(2 * pi * x) rises again before the restart."
)
def full_wave(step, lr_max, lr_min, first_period, t_mul):
    def one(t):
        period = first_period
        while t >= period:
            t, period = t - period, period * t_mul
        return lr_min + (lr_max - lr_min) * (1 + np.cos(2 * np.pi * t / period)) / 2

    return _per_step(one)(step)


EXERCISE = Exercise(
    name="cosine_restarts",
    reference=reference,
    visible=(
        Case((np.array([0, 5, 9, 10, 20, 29, 30, 50]), 0.1, 0.0, 10, 2.0)),  # periods 10, 20, 40
        Case((np.array([0, 4, 8, 12, 16, 24]), 0.05, 0.005, 8, 1.0)),  # t_mul = 1: same periods
        Case((np.array([0, 3, 5, 6, 15, 20]), 0.1, 0.01, 5, 3.0)),  # periods 5, 15, 45
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
