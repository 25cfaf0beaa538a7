"""05_lr_finder, exercise 4 (3 points): torch-lr-finder's steepest-gradient suggestion."""

import numpy as np
from autograder.exercise import Case, Exercise, Mistakes

from lrcourse.lr_finder import LRFinderResult


def reference(lrs, losses, skip_start, skip_end):
    """``lrs[skip_start + argmin(np.gradient(window))]`` with ``window =
    losses[skip_start : len(losses) - skip_end]`` (torch-lr-finder's ``plot(suggest_lr=True)``)."""
    lrs, losses = np.asarray(lrs, dtype=float), np.asarray(losses, dtype=float)
    result = LRFinderResult(lrs, losses, losses, "torch-lr-finder", len(lrs))
    return result.suggest("steepest", skip_start=skip_start, skip_end=skip_end)


def draw_case(rng: np.random.Generator) -> tuple:
    n = int(rng.integers(20, 150))
    lrs = np.geomspace(10 ** rng.uniform(-8, -5), float(rng.choice([1.0, 10.0])), n)
    x = np.linspace(-3, 3, n) + rng.uniform(-1, 1)
    curve = 2.0 - 1.5 / (1 + np.exp(-2 * x)) + 0.3 * np.maximum(x - 1, 0) ** 2
    losses = curve * np.exp(rng.normal(scale=float(rng.uniform(0.0, 0.05)), size=n))
    losses[: int(rng.integers(1, 4))] += rng.uniform(0, 1)  # a noisy start the skip leaves out
    skip_start = int(rng.integers(1, n // 4))
    skip_end = int(rng.choice([0, 5, int(rng.integers(1, n // 4))]))
    return (lrs, losses, skip_start, skip_end)


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    return [Case(draw_case(rng)) for _ in range(6)]


def window(losses, skip_start, skip_end):
    return losses[skip_start : len(losses) - skip_end]


mistakes = Mistakes()


@mistakes.add(
    "torch-lr-finder uses np.gradient (central differences, one per point, "
    "(losses[i + 1] - losses[i - 1]) / 2); np.diff's forward differences pick the start of "
    "the steepest segment instead."
)
def forward_differences(lrs, losses, skip_start, skip_end):
    return float(lrs[skip_start + np.argmin(np.diff(window(losses, skip_start, skip_end)))])


@mistakes.add(
    "the steepest DESCENT is the most negative gradient: argmin, not argmax (argmax finds "
    "where the loss climbs fastest, as it blows up)."
)
def steepest_ascent(lrs, losses, skip_start, skip_end):
    return float(lrs[skip_start + np.argmax(np.gradient(window(losses, skip_start, skip_end)))])


@mistakes.add(
    "the index you found counts from the window's first point: add skip_start before you "
    "index lrs (or index the lrs of the same window)."
)
def forgets_the_offset(lrs, losses, skip_start, skip_end):
    return float(lrs[np.argmin(np.gradient(window(losses, skip_start, skip_end)))])


@mistakes.add(
    "leave out the first skip_start and the last skip_end points before you look for the "
    "steepest point: the first batches are noise, the last ones the blow-up."
)
def ignores_the_skips(lrs, losses, skip_start, skip_end):
    return float(lrs[np.argmin(np.gradient(losses))])


@mistakes.add("return the learning rate, lrs[i], not the index i.")
def returns_the_index(lrs, losses, skip_start, skip_end):
    return int(skip_start + np.argmin(np.gradient(window(losses, skip_start, skip_end))))


LRS_12 = np.geomspace(1e-6, 10.0, 15)[:12]  # the test stopped after 12 of 15 batches

EXERCISE = Exercise(
    name="steepest_suggestion",
    reference=reference,
    visible=(
        # a noisy first batch, then the fall: skip 2 at the start, 2 at the end
        Case(
            (
                LRS_12,
                np.array([2.6, 2.31, 2.3, 2.28, 2.2, 1.9, 1.3, 0.9, 0.8, 0.85, 1.4, 2.9]),
                2,
                2,
            )
        ),
        # skip_end = 0 keeps the end: the window runs to the last point
        Case(
            (
                np.geomspace(1e-4, 1.0, 9),
                np.array([1.0, 0.98, 0.9, 0.7, 0.6, 0.4, 0.1, 0.05, 0.04]),
                1,
                0,
            )
        ),
        Case(
            (
                np.geomspace(1e-7, 10.0, 17),
                np.array(
                    [
                        3.5,
                        2.3,
                        2.3,
                        2.29,
                        2.27,
                        2.2,
                        2.0,
                        1.6,
                        1.3,
                        1.2,
                        1.0,
                        0.8,
                        0.75,
                        0.9,
                        1.6,
                        3.0,
                        6.0,
                    ]
                ),
                3,
                3,
            )
        ),
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
