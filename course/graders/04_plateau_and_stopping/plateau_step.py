"""04_plateau_and_stopping, exercise 1 (3 points): one epoch of ReduceLROnPlateau (PyTorch's)."""

import numpy as np
from autograder.draws import log_uniform
from autograder.exercise import Case, Exercise, Mistakes

from lrcourse.callbacks import ReduceLROnPlateau

EPS = 1e-8  # torch's eps: a cut that changes the lr by no more than this is not applied


def reference(
    metric, lr, best, num_bad_epochs, cooldown_counter,
    factor, patience, threshold, threshold_mode, cooldown, min_lr,
):  # fmt: skip
    """torch's ``scheduler.step(metric)`` in min mode; returns ``(new_lr, best,
    num_bad_epochs, cooldown_counter)``."""
    rule = ReduceLROnPlateau(
        mode="min", factor=factor, patience=patience, threshold=threshold,
        threshold_mode=threshold_mode, cooldown=cooldown, min_lr=min_lr, eps=EPS,
    )  # fmt: skip
    rule.best, rule.num_bad_epochs, rule.cooldown_counter = best, num_bad_epochs, cooldown_counter
    new_lr = rule.update(metric, lr)
    return new_lr, rule.best, rule.num_bad_epochs, rule.cooldown_counter


def draw_case(rng: np.random.Generator, kind: int) -> tuple:
    """One epoch's state: an improvement, a value within the threshold, the (patience + 1)-th
    bad epoch, a cooldown, a cut onto the floor, a cut smaller than eps, an equal value."""
    patience = int(rng.integers(1, 8))
    cooldown = int(rng.integers(1, 4))
    factor = float(rng.choice([0.1, 0.5, 0.8, float(rng.uniform(0.2, 0.9))]))
    mode = "rel" if kind in (1, 7) else str(rng.choice(["rel", "abs"]))
    threshold = float(rng.choice([1e-3, 0.01, 0.05]))
    best = float(rng.uniform(0.5, 3.0)) * float(rng.choice([1.0, 10.0]))
    if kind == 1:
        best *= 10.0  # a relative margin larger than the absolute one
    lr = log_uniform(rng, -4, -1)
    margin = best * threshold if mode == "rel" else threshold
    metric = best + float(rng.uniform(0.01, 0.1))  # worse
    min_lr, bad, counter = 0.0, int(rng.integers(0, patience)), 0
    if kind == 0:  # a clear improvement
        metric = best - margin - float(rng.uniform(0.01, 0.2)) * best
    elif kind == 1:  # better than best, but not by the relative margin
        metric = best - min(threshold, margin) * float(rng.uniform(1.5, 3.0))
        metric = max(metric, best - 0.9 * margin)
    elif kind == 2:  # the patience-th bad epoch: Keras would cut, torch waits
        bad = patience - 1
    elif kind == 3:  # the (patience + 1)-th: torch cuts and starts the cooldown
        bad = patience
    elif kind == 4:  # in cooldown
        counter, bad = int(rng.integers(1, 4)), int(rng.integers(0, patience + 1))
    elif kind == 5:  # a cut onto the floor
        bad, min_lr = patience, lr * (factor + (1 - factor) * float(rng.uniform(0.2, 0.8)))
    elif kind == 6:  # a cut smaller than eps
        bad, lr = patience, EPS / (1 - factor) * float(rng.uniform(0.5, 0.95))
    elif kind == 7:  # the same value again
        metric, threshold, mode = best, 0.0, "abs"
    return (metric, lr, best, bad, counter, factor, patience, threshold, mode, cooldown, min_lr)


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    return [Case(draw_case(rng, kind)) for kind in (0, 1, 2, 3, 4, 5, 6, 7, 3)]


def is_better(metric, best, threshold, threshold_mode):
    if threshold_mode == "rel":
        return metric < best * (1 - threshold)
    return metric < best - threshold


def cut(lr, factor, min_lr):
    new_lr = max(lr * factor, min_lr)
    return new_lr if lr - new_lr > EPS else lr


def counted(metric, best, bad, counter, threshold, mode):
    """Steps 1 and 2 of torch's rule: best and the bad-epoch count, then the cooldown."""
    if is_better(metric, best, threshold, mode):
        best, bad = metric, 0
    else:
        bad += 1
    if counter > 0:
        counter, bad = counter - 1, 0
    return best, bad, counter


mistakes = Mistakes()


@mistakes.add(
    "this is Keras' counting (cut as soon as the count reaches patience). PyTorch cuts when "
    "num_bad_epochs > patience: patience 5 means the 6th epoch in a row without improvement."
)
def keras_counting(metric, lr, best, bad, counter, *rules):
    factor, patience, threshold, mode, cooldown, min_lr = rules
    best, bad, counter = counted(metric, best, bad, counter, threshold, mode)
    if bad >= patience:
        return cut(lr, factor, min_lr), best, 0, cooldown
    return lr, best, bad, counter


@mistakes.add(
    "threshold_mode='rel' is a relative margin: an improvement needs "
    "metric < best * (1 - threshold); only 'abs' means metric < best - threshold."
)
def rel_as_abs(metric, lr, best, bad, counter, *rules):
    factor, patience, threshold, mode, cooldown, min_lr = rules
    return reference(
        metric, lr, best, bad, counter, factor, patience, threshold, "abs", cooldown, min_lr
    )


@mistakes.add(
    "best moves only on an improvement (beyond the threshold); a value that is lower but "
    "within the threshold leaves best where it was."
)
def best_is_running_min(metric, lr, best, bad, counter, *rules):
    new_lr, _, bad, counter = reference(metric, lr, best, bad, counter, *rules)
    return new_lr, min(best, metric), bad, counter


@mistakes.add(
    "an equal value is no improvement: the comparison is strict (metric < best * (1 - "
    "threshold)), so with threshold 0 the same loss again counts as a bad epoch."
)
def equal_counts(metric, lr, best, bad, counter, *rules):
    if metric == best:
        return lr, best, 0, max(counter - 1, 0)
    return reference(metric, lr, best, bad, counter, *rules)


@mistakes.add("the lr has a floor: the new lr is max(lr * factor, min_lr).")
def no_floor(metric, lr, best, bad, counter, *rules):
    return reference(metric, lr, best, bad, counter, *rules[:-1], 0.0)


@mistakes.add(
    "a cut that changes the lr by no more than eps = 1e-8 is not applied (PyTorch's eps): "
    "when lr - new_lr <= 1e-8 the lr stays as it is (the counters are reset all the same)."
)
def ignores_eps(metric, lr, best, bad, counter, *rules):
    factor, patience, threshold, mode, cooldown, min_lr = rules
    best, bad, counter = counted(metric, best, bad, counter, threshold, mode)
    if bad > patience:
        return max(lr * factor, min_lr), best, 0, cooldown
    return lr, best, bad, counter


@mistakes.add(
    "during the cooldown (cooldown_counter > 0) count it down by one and set num_bad_epochs "
    "to 0: bad epochs in the cooldown do not count."
)
def cooldown_ignored(metric, lr, best, bad, counter, *rules):
    factor, patience, threshold, mode, cooldown, min_lr = rules
    if is_better(metric, best, threshold, mode):
        best, bad = metric, 0
    else:
        bad += 1
    if bad > patience:
        return cut(lr, factor, min_lr), best, 0, cooldown
    return lr, best, bad, counter


@mistakes.add(
    "after a cut, start the cooldown: cooldown_counter = cooldown (and num_bad_epochs = 0)."
)
def no_cooldown_after_cut(metric, lr, best, bad, counter, *rules):
    factor, patience, threshold, mode, cooldown, min_lr = rules
    best, bad, counter = counted(metric, best, bad, counter, threshold, mode)
    if bad > patience:
        return cut(lr, factor, min_lr), best, 0, counter
    return lr, best, bad, counter


@mistakes.add(
    "after a cut, num_bad_epochs goes back to 0: the next cut needs patience + 1 new bad epochs."
)
def count_kept_after_cut(metric, lr, best, bad, counter, *rules):
    factor, patience, threshold, mode, cooldown, min_lr = rules
    best, bad, counter = counted(metric, best, bad, counter, threshold, mode)
    if bad > patience:
        return cut(lr, factor, min_lr), best, bad, cooldown
    return lr, best, bad, counter


@mistakes.add(
    "return the whole new state, (new_lr, best, num_bad_epochs, cooldown_counter): the next "
    "epoch needs it."
)
def returns_lr_only(metric, lr, best, bad, counter, *rules):
    return reference(metric, lr, best, bad, counter, *rules)[0]


EXERCISE = Exercise(
    name="plateau_step",
    reference=reference,
    visible=(
        # the worked example: the 6th epoch without improvement, patience 5, factor 0.8
        Case((0.5, 0.01, 0.5, 5, 0, 0.8, 5, 1e-4, "rel", 0, 0.0)),
        # the 5th: Keras would cut now, PyTorch waits one more epoch
        Case((0.5, 0.01, 0.5, 4, 0, 0.8, 5, 1e-4, "rel", 0, 0.0)),
        # a clear improvement
        Case((0.8, 0.1, 1.0, 3, 0, 0.1, 5, 1e-4, "rel", 0, 0.0)),
        # lower than best, but not by 1 % of it
        Case((9.95, 0.1, 10.0, 2, 0, 0.5, 3, 0.01, "rel", 0, 0.0)),
        # in cooldown: the bad epoch does not count
        Case((1.2, 0.05, 1.0, 0, 2, 0.5, 1, 1e-4, "rel", 2, 0.0)),
        # a cut onto the floor, then a cooldown of 2
        Case((2.0, 0.001, 1.5, 3, 0, 0.1, 3, 0.01, "abs", 2, 5e-4)),
        # a cut too small to apply: lr - new_lr <= eps
        Case((0.31, 1.5e-8, 0.3, 2, 0, 0.5, 2, 1e-4, "rel", 1, 0.0)),
        # the same loss again, with threshold 0
        Case((0.3, 0.02, 0.3, 0, 0, 0.5, 2, 0.0, "abs", 0, 0.0)),
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
