"""02_schedules, exercise 1 (1 point): time-based (inverse time) decay."""

import numpy as np
from autograder.draws import as_steps, log_uniform, sorted_steps
from autograder.exercise import Case, Exercise, Mistakes

from lrcourse import schedules


def reference(step, lr0, decay):
    """``lr0 / (1 + decay * step)``: Keras 2's ``decay`` argument, applied per update."""
    return schedules.InverseTimeDecay.from_keras2_decay(lr0, decay)(step)


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for _ in range(4):
        decay = log_uniform(rng, -4, -0.5)
        horizon = int(min(5 / decay, 10**6))
        steps = sorted_steps(rng, horizon, must=(0, 1, 2, 3))
        cases.append(Case((steps, log_uniform(rng, -4, 0), decay)))
    decay = log_uniform(rng, -3, -1)
    cases.append(Case((int(rng.integers(1, 1000)), log_uniform(rng, -4, 0), decay)))
    return cases


mistakes = Mistakes()


@mistakes.add(
    "the first update (step 0) must use lr0 itself: lr0 / (1 + decay * step) with step counted "
    "from 0, not from 1."
)
def counts_from_one(step, lr0, decay):
    return lr0 / (1 + decay * (as_steps(step) + 1))


@mistakes.add(
    "this divides the current lr again at every step (what a LearningRateScheduler callback "
    "does when it uses its `lr` argument); divide lr0, the initial lr."
)
def compounds(step, lr0, decay):
    def one(t):
        return lr0 / np.prod(1.0 + decay * np.arange(1, int(t) + 1))

    return np.vectorize(one, otypes=[float])(step)


@mistakes.add(
    "lr0 / (1 + decay) ** step shrinks by the same factor at every step: that is exponential "
    "decay. Time-based decay divides lr0 by 1 + decay * step."
)
def exponential(step, lr0, decay):
    return lr0 / (1 + decay) ** as_steps(step)


@mistakes.add("the learning rate must shrink: divide lr0 by (1 + decay * step), don't multiply.")
def multiplies(step, lr0, decay):
    return lr0 * (1 + decay * as_steps(step))


@mistakes.add(
    "the `1 +` is missing from the denominator: lr0 / (1 + decay * step), which is lr0 at step "
    "0 (yours divides by zero there)."
)
def without_one_plus(step, lr0, decay):
    return lr0 / (decay * as_steps(step))


@mistakes.add(
    "lr0 * exp(-decay * step) is continuous exponential decay; time-based decay is "
    "lr0 / (1 + decay * step)."
)
def continuous_exponential(step, lr0, decay):
    return lr0 * np.exp(-decay * as_steps(step))


EXERCISE = Exercise(
    name="time_based_decay",
    reference=reference,
    visible=(
        Case((0, 0.1, 0.001)),  # the first update uses lr0
        Case((1000, 0.1, 0.001)),  # decay = lr0 / epochs = 0.1 / 100: halved after 1000 updates
        Case((np.array([0, 1, 2, 10]), 0.5, 0.1)),
        Case((np.array([0, 3000]), 0.1, 0.001)),
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
