"""06_recipes_and_practice, exercise 1 (2 points): "x rate every k epochs", per update."""

import numpy as np
from autograder.draws import as_steps, sorted_steps
from autograder.exercise import Case, Exercise, Mistakes

from lrcourse import schedules


def reference(step, initial_lr, rate, every_epochs, steps_per_epoch):
    """Inception-v3's "x0.94 every 2 epochs", written per update:
    ``initial_lr * rate ** floor(step / (every_epochs * steps_per_epoch))``."""
    decay_steps = every_epochs * steps_per_epoch
    return schedules.ExponentialDecay(initial_lr, decay_steps, rate, staircase=True)(step)


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for _ in range(5):
        every, spe = int(rng.integers(1, 4)), int(rng.integers(3, 400))
        period = every * spe
        steps = sorted_steps(rng, 6 * period, must=(0, period - 1, period, spe, 2 * period + 1))
        rate = float(rng.choice([0.94, 0.98, 0.5, float(rng.uniform(0.3, 0.99))]))
        cases.append(Case((steps, float(rng.uniform(0.001, 0.1)), rate, every, spe)))
    return cases


mistakes = Mistakes()


@mistakes.add(
    "the recipe counts epochs, the schedule counts updates: divide the step by "
    "every_epochs * steps_per_epoch, not by every_epochs alone."
)
def epochs_taken_for_steps(step, initial_lr, rate, every_epochs, steps_per_epoch):
    return initial_lr * rate ** np.floor(as_steps(step) / every_epochs)


@mistakes.add(
    "the lr changes only every every_epochs epochs: floor the number of whole PERIODS, "
    "floor(step / (every_epochs * steps_per_epoch)), not the epoch before dividing by "
    "every_epochs (that decays a little every epoch)."
)
def floors_the_epoch(step, initial_lr, rate, every_epochs, steps_per_epoch):
    epoch = np.floor(as_steps(step) / steps_per_epoch)
    return initial_lr * rate ** (epoch / every_epochs)


@mistakes.add(
    "the recipe is a staircase: the lr stays constant within a period. Floor the exponent "
    "(np.floor); without it the decay is smooth."
)
def smooth_decay(step, initial_lr, rate, every_epochs, steps_per_epoch):
    return initial_lr * rate ** (as_steps(step) / (every_epochs * steps_per_epoch))


@mistakes.add(
    "the first period runs at initial_lr itself: the exponent is 0 for step < "
    "every_epochs * steps_per_epoch (periods counted from 0, not 1)."
)
def counts_periods_from_one(step, initial_lr, rate, every_epochs, steps_per_epoch):
    periods = np.floor(as_steps(step) / (every_epochs * steps_per_epoch)) + 1
    return initial_lr * rate**periods


EXERCISE = Exercise(
    name="staircase_recipe_lr",
    reference=reference,
    visible=(
        # Inception-v3: x0.94 every 2 epochs of 391 updates (CIFAR-10 at batch 128)
        Case((np.array([0, 391, 781, 782, 1564, 3910]), 0.045, 0.94, 2, 391)),
        Case((np.array([0, 9, 10, 25, 40]), 0.045, 0.98, 1, 10)),  # MobileNet, 10 updates/epoch
        Case((np.array([0, 5, 11, 12, 30]), 0.1, 0.5, 3, 4)),
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
