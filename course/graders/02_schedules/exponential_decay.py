"""02_schedules, exercise 3 (2 points): exponential decay, optionally as a staircase."""

import numpy as np
from autograder.draws import as_steps, log_uniform, sorted_steps
from autograder.exercise import Case, Exercise, Mistakes

from lrcourse import schedules


def reference(step, lr0, decay_steps, decay_rate, staircase):
    """``lr0 * decay_rate ** (step / decay_steps)``, the exponent floored when ``staircase``."""
    return schedules.ExponentialDecay(lr0, decay_steps, decay_rate, staircase=staircase)(step)


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    short, long = int(rng.integers(2, 50)), int(rng.integers(50, 10**5))
    for staircase, decay_steps in ((False, short), (True, short), (False, long), (True, long)):
        must = (0, 1, decay_steps // 2, decay_steps - 1, decay_steps, int(1.75 * decay_steps))
        steps = sorted_steps(rng, 6 * decay_steps, must=must)
        rate = float(rng.uniform(0.5, 0.99))
        cases.append(Case((steps, log_uniform(rng, -4, 0), decay_steps, rate, staircase)))
    steps = sorted_steps(rng, 50, must=(0, 1))  # torch's ExponentialLR: decay_steps 1
    cases.append(Case((steps, log_uniform(rng, -4, 0), 1, float(rng.uniform(0.8, 0.99)), False)))
    cases.append(Case((int(rng.integers(0, 100)), 0.1, int(rng.integers(2, 20)), 0.9, True)))
    return cases


mistakes = Mistakes()


@mistakes.add(
    "with staircase=True the exponent is floored, np.floor(step / decay_steps), so the lr only "
    "changes every decay_steps steps; yours decays smoothly."
)
def never_floors(step, lr0, decay_steps, decay_rate, staircase):
    return lr0 * decay_rate ** (as_steps(step) / decay_steps)


@mistakes.add(
    "the exponent is floored only when staircase is True; with staircase=False the lr decays "
    "smoothly, decay_rate ** (step / decay_steps)."
)
def always_floors(step, lr0, decay_steps, decay_rate, staircase):
    return lr0 * decay_rate ** np.floor(as_steps(step) / decay_steps)


@mistakes.add(
    "decay_steps is missing: the exponent is step / decay_steps (decay_rate is reached after "
    "decay_steps steps, e.g. 0.96 after 100,000 in Keras' example)."
)
def ignores_decay_steps(step, lr0, decay_steps, decay_rate, staircase):
    exponent = as_steps(step)
    return lr0 * decay_rate ** (np.floor(exponent) if staircase else exponent)


@mistakes.add("steps count from 0: the first update (step 0) uses lr0 itself; don't add 1.")
def counts_from_one(step, lr0, decay_steps, decay_rate, staircase):
    exponent = (as_steps(step) + 1) / decay_steps
    return lr0 * decay_rate ** (np.floor(exponent) if staircase else exponent)


@mistakes.add("np.round switches half a period early; staircase floors the exponent: np.floor.")
def rounds(step, lr0, decay_steps, decay_rate, staircase):
    exponent = as_steps(step) / decay_steps
    return lr0 * decay_rate ** (np.round(exponent) if staircase else exponent)


EXERCISE = Exercise(
    name="exponential_decay",
    reference=reference,
    visible=(
        Case((np.array([0, 1, 2]), 0.1, 1, 0.96, False)),  # 0.1, 0.096, 0.09216 (per epoch)
        Case((100_000, 0.1, 100_000, 0.96, False)),  # Keras' example: 0.096 after 100k steps
        Case((50_000, 0.1, 100_000, 0.96, False)),  # smooth in between
        Case((np.array([0, 5, 9, 10, 15, 20]), 0.1, 10, 0.5, True)),  # staircase
        Case((np.array([0, 5, 10, 15]), 0.1, 10, 0.5, False)),  # the same without staircase
        Case((np.array([0, 1, 2, 3]), 0.01, 1, 0.9, False)),  # torch's ExponentialLR(gamma=0.9)
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
