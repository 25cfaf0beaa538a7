"""05_lr_finder, exercise 3 (2 points): where the range test stops."""

import numpy as np
from autograder.exercise import Case, Exercise, Mistakes

from lrcourse import lr_finder


def reference(smoothed, threshold):
    """The number of batches the test runs: it stops after the first batch whose smoothed loss
    exceeds ``threshold`` times the lowest smoothed loss so far (that batch is recorded, as
    fastai and torch-lr-finder do); ``len(smoothed)`` if none does."""
    losses = iter(np.asarray(smoothed, dtype=float).tolist())
    result = lr_finder.range_test(
        lambda lr: next(losses), num_iter=len(smoothed), smooth=0.0, diverge_th=threshold
    )
    return len(result)


def draw_smoothed(rng: np.random.Generator, n: int) -> np.ndarray:
    """A smoothed range-test curve: it falls, then rises faster and faster, with wiggles."""
    x = np.linspace(0.0, 1.0, n)
    bottom = float(rng.uniform(0.3, 0.8))
    fall = 1.0 - (1.0 - bottom) * np.minimum(x / bottom, 1.0)
    rise = float(rng.uniform(2, 30)) * np.maximum(x - bottom, 0) ** 2
    curve = float(rng.uniform(0.5, 3.0)) * (fall + rise)
    return curve * np.exp(rng.normal(scale=float(rng.uniform(0.0, 0.1)), size=n))


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for i in range(6):
        threshold = float(rng.choice([4.0, 5.0, float(rng.uniform(1.5, 6.0))]))
        smoothed = draw_smoothed(rng, int(rng.integers(5, 120)))
        if i == 0:  # a batch exactly at the threshold, that does not stop the test
            threshold = 4.0
            k = int(rng.integers(2, max(3, len(smoothed) // 3)))
            smoothed[k:] = np.minimum(smoothed[k:], 4.0 * np.min(smoothed[:k]))
            smoothed[k] = 4.0 * np.min(smoothed[:k])
        cases.append(Case((smoothed, threshold)))
    return cases


def stop_where(exceeds):
    """Batches run when the first True of ``exceeds`` stops the test (inclusive)."""
    hits = np.flatnonzero(exceeds)
    return int(hits[0]) + 1 if hits.size else len(exceeds)


mistakes = Mistakes()


@mistakes.add(
    "compare with the LOWEST smoothed loss so far, not with the first: the loss falls a long "
    "way before it blows up, and 4 x the first loss may never be reached."
)
def versus_first(smoothed, threshold):
    return stop_where(smoothed > threshold * smoothed[0])


@mistakes.add(
    "compare with the lowest loss so far, not with the previous batch's: a divergence builds "
    "up over several batches, each only a little worse than the one before."
)
def versus_previous(smoothed, threshold):
    previous = np.concatenate([smoothed[:1], smoothed[:-1]])
    return stop_where(smoothed > threshold * previous)


@mistakes.add(
    "the test cannot see the future: compare each batch with the lowest loss among the "
    "batches up to it (np.minimum.accumulate), not with the lowest of the whole curve."
)
def versus_global_minimum(smoothed, threshold):
    return stop_where(smoothed > threshold * np.min(smoothed))


@mistakes.add(
    "the test stops when the loss is strictly above threshold x best (>): a loss exactly at "
    "the threshold does not stop it."
)
def greater_or_equal(smoothed, threshold):
    return stop_where(smoothed >= threshold * np.minimum.accumulate(smoothed))


@mistakes.add(
    "the batch that diverged is recorded too (fastai and torch-lr-finder keep it): return "
    "the number of batches run, its index + 1."
)
def excludes_the_diverged_batch(smoothed, threshold):
    exceeds = smoothed > threshold * np.minimum.accumulate(smoothed)
    hits = np.flatnonzero(exceeds)
    return int(hits[0]) if hits.size else len(smoothed)


EXERCISE = Exercise(
    name="divergence_stop",
    reference=reference,
    visible=(
        # falls to 0.8, then rises: 3.5 > 4 x 0.8 = 3.2 stops the test at batch 6 (7 run)
        Case((np.array([2.0, 1.5, 1.0, 0.8, 1.2, 2.5, 3.5, 5.0]), 4.0)),
        # 2.0 is exactly 4 x 0.5: not above it, the test goes on to the end
        Case((np.array([1.0, 0.5, 2.0, 1.9, 1.7]), 4.0)),
        # torch-lr-finder's threshold 5; the lowest loss comes after the test has stopped
        Case((np.array([1.0, 2.0, 5.5, 0.1, 0.2]), 5.0)),
        Case((np.array([3.0, 2.0, 1.2, 1.0, 0.9, 1.5, 2.6, 4.2, 7.0]), 4.0)),
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
