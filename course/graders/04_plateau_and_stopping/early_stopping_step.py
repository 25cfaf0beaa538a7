"""04_plateau_and_stopping, exercise 2 (3 points): one epoch of EarlyStopping (Keras')."""

import numpy as np
from autograder.exercise import Case, Exercise, Mistakes

from lrcourse.callbacks import EarlyStopping


def reference(metric, epoch, best, best_epoch, wait, patience, min_delta, baseline):
    """Keras' ``on_epoch_end`` in min mode (``best`` None before the first epoch, ``baseline``
    None for none); returns ``(stop, best, best_epoch, wait)``."""
    rule = EarlyStopping(mode="min", min_delta=min_delta, patience=patience, baseline=baseline)
    rule.best, rule.best_epoch, rule.wait, rule.epoch = best, best_epoch, wait, epoch - 1
    stop = rule.update(metric)
    return stop, rule.best, rule.best_epoch, rule.wait


def draw_case(rng: np.random.Generator, kind: int) -> tuple:
    """An epoch's state: the first epoch, a bad epoch below / at patience, an improvement
    smaller than min_delta, a worse value within min_delta, an improvement that misses the
    baseline, an equal value."""
    patience = int(rng.integers(1, 8))
    min_delta = float(rng.choice([0.0, 1e-3, 0.01, float(rng.uniform(0.001, 0.05))]))
    best = float(rng.uniform(0.2, 2.0))
    epoch = int(rng.integers(patience + 2, 60))
    best_epoch = epoch - int(rng.integers(1, patience + 1))
    wait = epoch - best_epoch - 1
    metric = best + float(rng.uniform(0.0, 0.2)) + 1e-3  # worse
    baseline = None
    if kind == 0:  # the first epoch
        epoch, best, best_epoch, wait = 0, None, None, 0
    elif kind == 1:  # the patience-th epoch without improvement: Keras stops
        wait = patience - 1
    elif kind == 2:  # one before
        wait = patience - 2
    elif kind == 3:  # better, but by less than min_delta
        min_delta = float(rng.uniform(0.01, 0.05))
        metric = best - min_delta * float(rng.uniform(0.1, 0.9))
    elif kind == 4:  # a little worse, within min_delta
        min_delta = float(rng.uniform(0.01, 0.05))
        metric = best + min_delta * float(rng.uniform(0.1, 0.9))
    elif kind == 5:  # an improvement that stays above the baseline
        baseline = best * float(rng.uniform(0.3, 0.7))
        metric = best * float(rng.uniform(0.75, 0.95))
        min_delta, wait = 0.0, int(rng.integers(0, patience + 2))
    elif kind == 6:  # an improvement that beats the baseline
        baseline = best * float(rng.uniform(0.8, 0.95))
        metric, wait = baseline * 0.9, int(rng.integers(0, patience))
    elif kind == 7:  # the same value again
        metric, min_delta = best, 0.0
    return (metric, epoch, best, best_epoch, wait, patience, min_delta, baseline)


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    return [Case(draw_case(rng, kind)) for kind in (0, 1, 2, 3, 4, 5, 6, 7, 1, 5)]


def improves(metric, best, min_delta):
    return best is None or metric < best - min_delta


mistakes = Mistakes()


@mistakes.add(
    "this is PyTorch's counting (stop when wait > patience). Keras' EarlyStopping stops at "
    "the patience-th epoch without improvement: wait += 1 first, stop when wait >= patience."
)
def torch_counting(metric, epoch, best, best_epoch, wait, patience, min_delta, baseline):
    return reference(metric, epoch, best, best_epoch, wait, patience + 1, min_delta, baseline)


@mistakes.add(
    "min_delta is the smallest change that counts: an improvement needs "
    "metric < best - min_delta; a smaller gain is not one."
)
def ignores_min_delta(metric, epoch, best, best_epoch, wait, patience, min_delta, baseline):
    return reference(metric, epoch, best, best_epoch, wait, patience, 0.0, baseline)


@mistakes.add(
    "min_delta goes the other way: in min mode an improvement is metric < best - min_delta "
    "(lower by more than min_delta), not metric < best + min_delta."
)
def min_delta_added(metric, epoch, best, best_epoch, wait, patience, min_delta, baseline):
    wait += 1
    if best is None or metric < best + min_delta:
        if baseline is None or metric < baseline + min_delta:
            wait = 0
        return False, metric, epoch, wait
    return wait >= patience and epoch > 0, best, best_epoch, wait


@mistakes.add(
    "an equal value is no improvement: the comparison is strict (metric < best - min_delta)."
)
def equal_improves(metric, epoch, best, best_epoch, wait, patience, min_delta, baseline):
    if best is not None and metric == best - min_delta:
        return False, metric, epoch, 0
    return reference(metric, epoch, best, best_epoch, wait, patience, min_delta, baseline)


@mistakes.add(
    "with a baseline, an improvement resets wait only if it also beats the baseline "
    "(metric < baseline - min_delta); best and best_epoch are updated either way."
)
def ignores_baseline(metric, epoch, best, best_epoch, wait, patience, min_delta, baseline):
    return reference(metric, epoch, best, best_epoch, wait, patience, min_delta, None)


@mistakes.add(
    "an improvement that misses the baseline still counts as a waiting epoch: Keras adds 1 "
    "to wait at every epoch first, and resets it only on an improvement beyond the baseline."
)
def wait_kept_below_baseline(metric, epoch, best, best_epoch, wait, patience, min_delta, baseline):
    if improves(metric, best, min_delta):
        beats = baseline is None or metric < baseline - min_delta
        return False, metric, epoch, 0 if beats else wait
    return reference(metric, epoch, best, best_epoch, wait, patience, min_delta, baseline)


@mistakes.add(
    "an improvement that misses the baseline is still the new best (and best_epoch): only "
    "the reset of wait depends on the baseline."
)
def baseline_blocks_best(metric, epoch, best, best_epoch, wait, patience, min_delta, baseline):
    if baseline is not None and improves(metric, best, min_delta):
        if not metric < baseline - min_delta:
            return reference(best, epoch, best, best_epoch, wait, patience, min_delta, None)
    return reference(metric, epoch, best, best_epoch, wait, patience, min_delta, baseline)


@mistakes.add(
    "an improving epoch never stops training, even if wait (kept by a missed baseline) has "
    "reached patience: decide 'improved?' first, and stop only on an epoch that did not improve."
)
def stops_on_improvement(metric, epoch, best, best_epoch, wait, patience, min_delta, baseline):
    stop, best, best_epoch, wait = reference(
        metric, epoch, best, best_epoch, wait, patience, min_delta, baseline
    )
    return stop or (wait >= patience and epoch > 0), best, best_epoch, wait


@mistakes.add("best_epoch is the epoch of the best value: it changes only when best does.")
def best_epoch_every_epoch(metric, epoch, best, best_epoch, wait, patience, min_delta, baseline):
    stop, best, _, wait = reference(
        metric, epoch, best, best_epoch, wait, patience, min_delta, baseline
    )
    return stop, best, epoch, wait


@mistakes.add(
    "return the whole new state, (stop, best, best_epoch, wait): the next epoch needs it."
)
def returns_stop_only(metric, epoch, best, best_epoch, wait, patience, min_delta, baseline):
    return reference(metric, epoch, best, best_epoch, wait, patience, min_delta, baseline)[0]


EXERCISE = Exercise(
    name="early_stopping_step",
    reference=reference,
    visible=(
        # the first epoch: always an improvement
        Case((1.0, 0, None, None, 0, 3, 0.0, None)),
        # the 3rd epoch in a row without improvement, patience 3: stop
        Case((0.9, 5, 0.8, 2, 2, 3, 0.0, None)),
        # the 2nd: go on
        Case((0.85, 4, 0.8, 2, 1, 3, 0.0, None)),
        # better by 0.005, less than min_delta 0.01: not an improvement
        Case((0.795, 6, 0.8, 2, 1, 5, 0.01, None)),
        # worse by 0.005
        Case((0.805, 7, 0.8, 2, 0, 5, 0.01, None)),
        # the same value again
        Case((0.8, 3, 0.8, 2, 0, 2, 0.0, None)),
        # a new best, still above the baseline 0.5: wait is not reset
        Case((0.7, 4, 0.75, 3, 2, 5, 0.0, 0.5)),
        # a new best above the baseline, and wait reaches patience: no stop on an improvement
        Case((0.6, 8, 0.7, 4, 4, 5, 0.0, 0.5)),
        # below the baseline: wait is reset
        Case((0.45, 9, 0.6, 8, 5, 5, 0.0, 0.5)),
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
