"""02_schedules, exercise 9 (3 points): linear warm-up, then cosine decay."""

import numpy as np
from autograder.draws import as_steps, half_cosine, log_uniform, sorted_steps
from autograder.exercise import Case, Exercise, Mistakes

from lrcourse import schedules


def reference(step, peak_lr, warmup_steps, total_steps, min_lr):
    """``peak_lr * step / W`` for step < W, then a cosine from peak_lr to min_lr over the
    remaining ``total_steps - W`` steps, held at min_lr after ``total_steps``."""
    decay = schedules.CosineDecay(peak_lr, total_steps - warmup_steps, alpha=min_lr / peak_lr)
    return schedules.LinearWarmup(decay, warmup_steps)(step)


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for i in range(5):
        w = int(rng.integers(2, 2000))
        total = w + int(rng.integers(5, 20000))
        must = (0, 1, w - 1, w, w + 1, total, total + 7)
        steps = sorted_steps(rng, total + total // 3, must=must)
        peak = log_uniform(rng, -5, -1)
        min_lr = 0.0 if i == 0 else peak * float(rng.uniform(0.001, 0.3))
        cases.append(Case((steps, peak, w, total, min_lr)))
    return cases


def cosine(since, length, peak_lr, min_lr):
    return min_lr + (peak_lr - min_lr) * half_cosine(since / length)


mistakes = Mistakes()


@mistakes.add(
    "the warm-up ends one step late: step W is already the first step of the cosine (cosine "
    "at step - W = 0 gives peak_lr), so use step < W for the ramp."
)
def warmup_one_late(step, peak_lr, warmup_steps, total_steps, min_lr):
    t, w = as_steps(step), warmup_steps
    length = total_steps - w
    falling = cosine(np.minimum(t - w - 1, length), length, peak_lr, min_lr)
    return np.where(t < w + 1, peak_lr * np.minimum(t, w) / w, falling)


@mistakes.add(
    "steps count from 0: the ramp is peak_lr * step / W, so step 0 uses lr 0 (the first "
    "update is wasted; that is the price of starting at 0)."
)
def ramp_from_one(step, peak_lr, warmup_steps, total_steps, min_lr):
    t, w = as_steps(step), warmup_steps
    length = total_steps - w
    falling = cosine(np.minimum(t - w, length), length, peak_lr, min_lr)
    return np.where(t < w, peak_lr * np.minimum(t + 1, w) / w, falling)


@mistakes.add(
    "the cosine lasts total_steps - warmup_steps steps (the warm-up is part of the run): "
    "divide step - W by total_steps - W."
)
def cosine_over_total(step, peak_lr, warmup_steps, total_steps, min_lr):
    t, w = as_steps(step), warmup_steps
    falling = cosine(np.minimum(t - w, total_steps), total_steps, peak_lr, min_lr)
    return np.where(t < w, peak_lr * t / w, falling)


@mistakes.add(
    "the cosine is not clamped after total_steps: it rises again. Hold min_lr: "
    "np.minimum(step - W, total_steps - W)."
)
def unclamped(step, peak_lr, warmup_steps, total_steps, min_lr):
    t, w = as_steps(step), warmup_steps
    falling = cosine(t - w, total_steps - w, peak_lr, min_lr)
    return np.where(t < w, peak_lr * t / w, falling)


@mistakes.add("the cosine starts after the warm-up: its clock is step - W, not step.")
def cosine_clock_from_zero(step, peak_lr, warmup_steps, total_steps, min_lr):
    t, w = as_steps(step), warmup_steps
    length = total_steps - w
    falling = cosine(np.minimum(t, length), length, peak_lr, min_lr)
    return np.where(t < w, peak_lr * t / w, falling)


@mistakes.add(
    "min_lr is missing: the cosine ends at min_lr, "
    "min_lr + (peak_lr - min_lr) * (1 + cos(pi * x)) / 2."
)
def forgets_min_lr(step, peak_lr, warmup_steps, total_steps, min_lr):
    t, w = as_steps(step), warmup_steps
    length = total_steps - w
    falling = cosine(np.minimum(t - w, length), length, peak_lr, 0.0)
    return np.where(t < w, peak_lr * t / w, falling)


EXERCISE = Exercise(
    name="warmup_cosine",
    reference=reference,
    visible=(
        Case((np.array([0, 1, 2, 5, 9]), 0.01, 5, 105, 0.0)),  # 0, 0.002, 0.004, 0.01, ...
        Case((np.array([0, 5, 10, 11, 60, 110, 130]), 0.1, 10, 110, 0.0)),
        Case((np.array([0, 4, 8, 9, 20, 40, 50]), 0.2, 8, 40, 0.02)),
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
