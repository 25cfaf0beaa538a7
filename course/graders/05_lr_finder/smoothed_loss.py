"""05_lr_finder, exercise 2 (2 points): the bias-corrected smoothed loss (fastai's)."""

import numpy as np
from autograder.exercise import Case, Exercise, Mistakes

from lrcourse.lr_finder import LossSmoother


def reference(losses, beta):
    """fastai's ``AvgSmoothLoss``: ``avg = beta * avg + (1 - beta) * loss`` from ``avg = 0``,
    reported as ``avg / (1 - beta**(i + 1))`` after batch ``i`` (from 0)."""
    smoother = LossSmoother(beta, bias_correction=True)
    return np.array([smoother.update(float(loss)) for loss in losses])


def draw_curve(rng: np.random.Generator, n: int) -> np.ndarray:
    """A range test's raw losses: a plateau, a fall, a rise, with batch noise."""
    x = np.linspace(-3, 3, n)
    level = float(rng.uniform(0.5, 3.0))
    curve = level * (1.0 - 0.6 / (1 + np.exp(-2 * x))) + 0.2 * np.maximum(x - 1.5, 0) ** 3
    return curve * np.exp(rng.normal(scale=float(rng.uniform(0.01, 0.2)), size=n))


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for _ in range(5):
        beta = float(rng.choice([0.98, 0.95, 0.9, float(rng.uniform(0.3, 0.99))]))
        cases.append(Case((draw_curve(rng, int(rng.integers(3, 150))), beta)))
    return cases


def batches(losses):
    return np.arange(1, len(losses) + 1, dtype=float)


def running_average(losses, old_weight, new_weight, first=0.0):
    averages, avg = [], first
    for loss in losses:
        avg = old_weight * avg + new_weight * loss
        averages.append(avg)
    return np.array(averages)


mistakes = Mistakes()


@mistakes.add(
    "the bias correction is missing: the average starts at 0, so its first values are dragged "
    "towards 0 (with beta = 0.98 the first is 2% of the loss). Divide the average after batch "
    "i (from 0) by 1 - beta**(i + 1)."
)
def no_bias_correction(losses, beta):
    return running_average(losses, beta, 1 - beta)


@mistakes.add(
    "count the batches from 1 in the correction: after the first loss it is 1 - beta**1; "
    "1 - beta**0 = 0 divides by zero."
)
def correction_from_zero(losses, beta):
    return running_average(losses, beta, 1 - beta) / (1 - beta ** (batches(losses) - 1))


@mistakes.add(
    "beta weighs the PAST: avg = beta * avg + (1 - beta) * loss (beta = 0.98 keeps 98% of the "
    "old average and adds 2% of the new loss)."
)
def weights_swapped(losses, beta):
    return running_average(losses, 1 - beta, beta) / (1 - beta ** batches(losses))


@mistakes.add(
    "this is torch-lr-finder's smoothing (the first loss as it is, then a plain moving "
    "average); the exercise asks for fastai's: start the average at 0 and divide it by "
    "1 - beta**(i + 1)."
)
def starts_at_first_loss(losses, beta):
    rest = running_average(losses[1:], beta, 1 - beta, first=losses[0])
    return np.array([losses[0], *rest])


@mistakes.add(
    "the correction belongs to the value you report, not to the running average: keep avg "
    "uncorrected for the next batch and report avg / (1 - beta**(i + 1))."
)
def corrects_the_running_average(losses, beta):
    reported, avg = [], 0.0
    for t, loss in enumerate(losses, start=1):
        avg = (beta * avg + (1 - beta) * loss) / (1 - beta**t)
        reported.append(avg)
    return np.array(reported)


@mistakes.add(
    "return one smoothed loss per batch (an array as long as losses), not only the last one."
)
def returns_last_only(losses, beta):
    return float(running_average(losses, beta, 1 - beta)[-1] / (1 - beta ** len(losses)))


EXERCISE = Exercise(
    name="smoothed_loss",
    reference=reference,
    visible=(
        Case((np.array([4.0, 2.0]), 0.5)),  # 2 / (1 - 0.5) = 4, then 2 / (1 - 0.25) = 2.667
        Case((np.array([2.3, 2.25, 2.31, 2.1, 1.9, 2.02, 1.6, 1.2]), 0.9)),
        # fastai's default beta on a longer fall: without correction the curve starts near 0
        Case((np.linspace(2.5, 1.0, 12), 0.98)),
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
