"""02_schedules, exercise 2 (2 points): step decay, specified in epochs, applied per update."""

import numpy as np
from autograder.draws import as_steps, log_uniform, sorted_steps
from autograder.exercise import Case, Exercise, Mistakes

from lrcourse import schedules


def reference(step, lr0, drop, epochs_drop, steps_per_epoch):
    """``lr0 * drop ** floor(epoch / epochs_drop)``, ``epoch = floor(step / steps_per_epoch)``."""
    return schedules.StepDecay(lr0, step_size=epochs_drop * steps_per_epoch, gamma=drop)(step)


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for steps_per_epoch in (1, 1, int(rng.integers(2, 400)), int(rng.integers(2, 400))):
        epochs_drop = int(rng.integers(2, 40))
        period = epochs_drop * steps_per_epoch
        boundaries = [k * period + d for k in (1, 2) for d in (-1, 0)]
        must = (0, *boundaries, steps_per_epoch * (epochs_drop - 1))
        steps = sorted_steps(rng, 4 * period, must=must)
        drop = float(rng.choice([0.1, 0.2, 0.5, 0.8, float(rng.uniform(0.05, 0.95))]))
        cases.append(Case((steps, log_uniform(rng, -4, 0), drop, epochs_drop, steps_per_epoch)))
    period = int(rng.integers(2, 30))
    cases.append(Case((int(rng.integers(0, 5 * period)), 0.1, 0.5, period, 1)))
    return cases


def _epoch(step, steps_per_epoch):
    return np.floor(as_steps(step) / steps_per_epoch)


mistakes = Mistakes()


@mistakes.add(
    "step vs epoch: `step` counts updates, the decay is given in epochs. Find the epoch first, "
    "epoch = floor(step / steps_per_epoch), then count its drops."
)
def counts_updates_as_epochs(step, lr0, drop, epochs_drop, steps_per_epoch):
    return lr0 * drop ** np.floor(as_steps(step) / epochs_drop)


@mistakes.add(
    "without np.floor the lr decays smoothly (exponential decay); step decay keeps it constant "
    "for epochs_drop epochs: drop ** floor(epoch / epochs_drop)."
)
def smooth(step, lr0, drop, epochs_drop, steps_per_epoch):
    return lr0 * drop ** (_epoch(step, steps_per_epoch) / epochs_drop)


@mistakes.add(
    "epochs count from 0: the first drop happens AT epoch epochs_drop (epoch 10 for 'halve "
    "every 10'), not one epoch earlier. Don't add 1 to the epoch."
)
def epochs_from_one(step, lr0, drop, epochs_drop, steps_per_epoch):
    return lr0 * drop ** np.floor((_epoch(step, steps_per_epoch) + 1) / epochs_drop)


@mistakes.add(
    "`drop` is the factor the lr is multiplied by (0.5 halves it, 0.1 divides by 10), not the "
    "fraction taken away: lr0 * drop ** n, not lr0 * (1 - drop) ** n."
)
def drop_as_loss(step, lr0, drop, epochs_drop, steps_per_epoch):
    return lr0 * (1 - drop) ** np.floor(_epoch(step, steps_per_epoch) / epochs_drop)


@mistakes.add("this drops at every epoch: divide the epoch by epochs_drop before np.floor.")
def drops_every_epoch(step, lr0, drop, epochs_drop, steps_per_epoch):
    return lr0 * drop ** _epoch(step, steps_per_epoch)


@mistakes.add(
    "np.round switches half a period early; the lr changes only when a whole period is "
    "complete: use np.floor."
)
def rounds(step, lr0, drop, epochs_drop, steps_per_epoch):
    return lr0 * drop ** np.round(_epoch(step, steps_per_epoch) / epochs_drop)


EXERCISE = Exercise(
    name="step_decay",
    reference=reference,
    visible=(
        Case((10, 0.1, 0.5, 10, 1)),  # halve every 10 epochs: 0.05 at epoch 10
        Case((np.array([0, 6, 9, 10, 19, 20]), 0.1, 0.5, 10, 1)),
        Case((np.array([0, 29, 30, 59, 60]), 0.1, 0.1, 30, 1)),  # divide by 10 every 30 epochs
        Case((np.array([0, 499, 500, 999, 1000]), 0.1, 0.5, 10, 50)),  # 50 updates per epoch
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
