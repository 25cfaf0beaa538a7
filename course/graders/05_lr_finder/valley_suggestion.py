"""05_lr_finder, exercise 5 (3 points): fastai's valley rule."""

import numpy as np
from autograder.exercise import Case, Exercise, Mistakes

from lrcourse.lr_finder import METHODS


def reference(lrs, losses):
    """fastai's ``valley``: the longest strictly decreasing subsequence of ``losses`` ends at
    ``e`` with ``lds[e]`` points; with ``s = e - lds[e]`` the suggestion is
    ``lrs[s + int((e - s) / 3) + int((e - s) / 6)]`` (index clamped to 0)."""
    rule, _ = METHODS["valley"]
    return float(np.asarray(lrs, dtype=float)[rule(lrs, np.asarray(losses, dtype=float))])


def draw_case(rng: np.random.Generator) -> tuple:
    n = int(rng.integers(8, 80))
    lrs = np.geomspace(10 ** rng.uniform(-7, -5), float(rng.choice([1.0, 10.0])), n)
    x = np.linspace(-3, 3, n) + rng.uniform(-1, 1)
    curve = 2.0 - 1.5 / (1 + np.exp(-2 * x)) + 0.3 * np.maximum(x - 1, 0) ** 2
    noisy = curve * np.exp(rng.normal(scale=float(rng.uniform(0.0, 0.08)), size=n))
    return (lrs, np.round(noisy, int(rng.choice([1, 2, 3]))))  # rounding makes plateaus


def draw_too_late(rng: np.random.Generator) -> tuple:
    """A test that started too late: one fall, then the loss only rises."""
    n = int(rng.integers(5, 30))
    first = float(rng.uniform(1.0, 3.0))
    rise = first + np.cumsum(rng.uniform(0.05, 1.0, size=n - 2))
    losses = np.array([first, first * float(rng.uniform(0.5, 0.95)), *rise])
    return (np.geomspace(10 ** rng.uniform(-3, -1), 10.0, n), losses)


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    return [Case(draw_too_late(rng)), *(Case(draw_case(rng)) for _ in range(7))]


def longest_decreasing(losses, lower=lambda a, b: a < b, longer=lambda a, b: a > b):
    """(lds, end): longest decreasing subsequence ending at each point; where the longest ends."""
    lds = [1] * len(losses)
    for i in range(1, len(losses)):
        for j in range(i):
            if lower(losses[i], losses[j]):
                lds[i] = max(lds[i], lds[j] + 1)
    end = 0
    for i in range(1, len(losses)):
        if longer(lds[i], lds[end]):
            end = i
    return lds, end


def pick(lrs, start, end):
    sections = (end - start) / 3
    return float(lrs[max(0, start + int(sections) + int(sections / 2))])


mistakes = Mistakes()


@mistakes.add(
    "the valley is the longest decreasing SUBSEQUENCE, not the longest run of neighbours "
    "that each fall: a noisy curve has small bumps inside its valley. lds[i] = 1 + the "
    "largest lds[j] over the j < i with losses[j] > losses[i]."
)
def adjacent_run(lrs, losses):
    run = [1] * len(losses)
    for i in range(1, len(losses)):
        if losses[i] < losses[i - 1]:
            run[i] = run[i - 1] + 1
    end = int(np.argmax(run))
    return pick(lrs, end - run[end], end)


@mistakes.add(
    "the suggestion is not the bottom of the valley (the lowest loss: that lr is already "
    "about to blow up) but part of the way down: s + int((e - s) / 3) + int((e - s) / 6)."
)
def bottom_of_the_valley(lrs, losses):
    _, end = longest_decreasing(losses)
    return float(lrs[end])


@mistakes.add(
    "fastai does not take the middle of the valley: with sections = (e - s) / 3 it picks "
    "s + int(sections) + int(sections / 2), each part rounded down on its own."
)
def middle_of_the_valley(lrs, losses):
    lds, end = longest_decreasing(losses)
    start = end - lds[end]
    return float(lrs[max(0, start + (end - start) // 2)])


@mistakes.add(
    "fastai's start is s = e - lds[e], one before the valley's first point (lds counts "
    "points); with s = e - lds[e] + 1 every suggestion moves."
)
def start_at_first_point(lrs, losses):
    lds, end = longest_decreasing(losses)
    return pick(lrs, end - lds[end] + 1, end)


@mistakes.add(
    "decreasing means strictly lower, losses[i] < losses[j]: equal losses (a plateau) do "
    "not lengthen the valley."
)
def plateaus_count(lrs, losses):
    lds, end = longest_decreasing(losses, lower=lambda a, b: a <= b)
    return pick(lrs, end - lds[end], end)


@mistakes.add(
    "when two decreasing subsequences are equally long, fastai keeps the first one found "
    "(it moves e only to a strictly longer one)."
)
def last_of_the_longest(lrs, losses):
    lds, end = longest_decreasing(losses, longer=lambda a, b: a >= b)
    return pick(lrs, end - lds[end], end)


@mistakes.add(
    "when the valley starts at the very first point, s + ... can be -1, and lrs[-1] is the "
    "LARGEST lr of the test: clamp the index to 0 (lrcourse does; fastai itself does not)."
)
def no_clamp(lrs, losses):
    lds, end = longest_decreasing(losses)
    start = end - lds[end]
    sections = (end - start) / 3
    return float(lrs[start + int(sections) + int(sections / 2)])


EXERCISE = Exercise(
    name="valley_suggestion",
    reference=reference,
    visible=(
        # one clean valley: it starts after batch 1 (s = 1) and ends at batch 13 (e = 13):
        # the pick is 1 + int(12 / 3) + int(12 / 6) = 7
        Case(
            (
                np.geomspace(1e-6, 1.0, 16),
                np.array(
                    [
                        2.0,
                        2.31,
                        2.3,
                        2.28,
                        2.25,
                        2.2,
                        2.1,
                        1.9,
                        1.6,
                        1.3,
                        1.0,
                        0.8,
                        0.7,
                        0.65,
                        1.2,
                        3.0,
                    ]
                ),
            )
        ),
        # bumps inside the valley: it is a subsequence, not a run of neighbours
        Case(
            (
                np.geomspace(1e-5, 1.0, 14),
                np.array([2.0, 2.1, 1.9, 1.95, 1.7, 1.5, 1.55, 1.2, 1.0, 1.05, 0.7, 0.6, 0.9, 2.5]),
            )
        ),
        # a plateau inside the valley
        Case(
            (
                np.geomspace(1e-4, 1.0, 10),
                np.array([1.0, 0.9, 0.9, 0.9, 0.8, 1.5, 1.4, 1.3, 1.2, 2.0]),
            )
        ),
        # two valleys of 5 points each: the first one found counts
        Case(
            (
                np.geomspace(1e-5, 0.1, 12),
                np.array([0.5, 2.0, 1.8, 1.6, 1.4, 1.2, 3.0, 2.8, 2.6, 2.4, 2.2, 5.0]),
            )
        ),
        # a test started too late: the loss only rises after the first batch
        Case((np.geomspace(1e-2, 10.0, 6), np.array([2.0, 1.5, 3.0, 4.0, 6.0, 9.0]))),
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
