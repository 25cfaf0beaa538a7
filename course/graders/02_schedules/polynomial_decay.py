"""02_schedules, exercise 5 (2 points): polynomial decay."""

import numpy as np
from autograder.draws import as_steps, log_uniform, sorted_steps
from autograder.exercise import Case, Exercise, Mistakes

from lrcourse import schedules


def reference(step, lr0, decay_steps, end_lr, power):
    """``(lr0 - end_lr) * (1 - min(step, T) / T) ** power + end_lr`` with T = decay_steps."""
    return schedules.PolynomialDecay(lr0, decay_steps, end_lr=end_lr, power=power)(step)


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for power in (0.5, 2.0, 3.0, float(rng.uniform(0.3, 4)), float(rng.uniform(1.2, 4))):
        decay_steps = int(rng.integers(5, 10**4))
        must = (0, decay_steps // 3, decay_steps, 2 * decay_steps)
        steps = sorted_steps(rng, 2 * decay_steps, must=must)
        lr0 = log_uniform(rng, -3, 0)
        end_lr = float(rng.choice([0.0, lr0 * rng.uniform(0.001, 0.5)]))
        cases.append(Case((steps, lr0, decay_steps, end_lr, power)))
    cases.append(Case((int(rng.integers(1, 50)), 0.1, 50, 0.01, float(rng.uniform(1.5, 3)))))
    return cases


def _fraction(step, decay_steps):
    return np.minimum(as_steps(step), decay_steps) / decay_steps


mistakes = Mistakes()


@mistakes.add(
    "after decay_steps the lr must stay at end_lr: clamp the step first, "
    "np.minimum(step, decay_steps) (past the end, 1 - step / decay_steps is negative)."
)
def unclamped(step, lr0, decay_steps, end_lr, power):
    return (lr0 - end_lr) * (1 - as_steps(step) / decay_steps) ** power + end_lr


@mistakes.add(
    "the curve must start at lr0: the factor multiplies (lr0 - end_lr), and end_lr is added "
    "back, (lr0 - end_lr) * (...) ** power + end_lr."
)
def starts_above_lr0(step, lr0, decay_steps, end_lr, power):
    return lr0 * (1 - _fraction(step, decay_steps)) ** power + end_lr


@mistakes.add(
    "end_lr is missing: the lr decays to end_lr, (lr0 - end_lr) * (...) ** power + end_lr."
)
def forgets_end_lr(step, lr0, decay_steps, end_lr, power):
    return lr0 * (1 - _fraction(step, decay_steps)) ** power


@mistakes.add("the power applies to (1 - step / decay_steps), not to step / decay_steps alone.")
def power_on_fraction(step, lr0, decay_steps, end_lr, power):
    return (lr0 - end_lr) * (1 - _fraction(step, decay_steps) ** power) + end_lr


@mistakes.add("this is the linear schedule: raise (1 - step / decay_steps) to `power`.")
def linear(step, lr0, decay_steps, end_lr, power):
    return (lr0 - end_lr) * (1 - _fraction(step, decay_steps)) + end_lr


EXERCISE = Exercise(
    name="polynomial_decay",
    reference=reference,
    visible=(
        Case((np.array([0, 10, 50, 100, 200]), 0.1, 100, 0.0, 2.0)),  # 0.1 0.081 0.025 0 0
        Case((np.array([0, 25, 50, 75, 100, 150]), 0.1, 100, 0.001, 1.0)),  # linear to 0.001
        Case((np.array([0, 30, 60, 90, 120]), 0.05, 90, 0.005, 0.5)),
        Case((40, 0.1, 100, 0.01, 3.0)),
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
