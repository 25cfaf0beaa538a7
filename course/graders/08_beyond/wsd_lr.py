"""08_beyond, exercise 1 (2 points): the Warmup-Stable-Decay schedule (Hugging Face's)."""

import numpy as np
from autograder.draws import as_steps, log_uniform, sorted_steps
from autograder.exercise import Case, Exercise, Mistakes

from lrcourse.schedules import WarmupStableDecay


def reference(step, peak_lr, warmup_steps, stable_steps, decay_steps, decay_type, min_lr_ratio):
    """``get_wsd_schedule`` with a linear warm-up: factor p, then 1, then the decay's
    1 - p, (1 + cos(pi p)) / 2 or 1 - sqrt(p); every factor f mapped to f (1 - m) + m, and
    m after the decay (m = min_lr_ratio)."""
    schedule = WarmupStableDecay(
        peak_lr,
        warmup_steps,
        stable_steps,
        decay_steps,
        decay_type=decay_type,
        min_lr_ratio=min_lr_ratio,
    )
    return schedule(as_steps(step))


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for decay_type in ("linear", "cosine", "1-sqrt", str(rng.choice(["cosine", "1-sqrt"]))):
        w, s, d = (int(rng.integers(2, 30)), int(rng.integers(5, 200)), int(rng.integers(4, 60)))
        total = w + s + d
        steps = sorted_steps(rng, total + 20, must=(0, 1, w - 1, w, w + s + 1, total, total + 5))
        m = float(rng.choice([0.0, rng.uniform(0.05, 0.5)]))
        cases.append(Case((steps, log_uniform(rng, -5, -1), w, s, d, decay_type, m)))
    cases[1] = Case((*cases[1].args[:6], float(rng.uniform(0.05, 0.5))))  # m > 0 once at least
    return cases


def factors(step, w, s, d, rise, fall, after):
    """The schedule's factor from the three phases' formulas (``rise(p)``, ``fall(p)``)."""
    t = as_steps(step)
    warm = rise(t / w)
    down = fall(np.clip((t - w - s) / d, 0.0, 1.0))
    return np.where(t < w, warm, np.where(t < w + s, 1.0, np.where(t < w + s + d, down, after)))


def falls(decay_type):
    return {
        "linear": lambda p: 1 - p,
        "cosine": lambda p: (1 + np.cos(np.pi * p)) / 2,
        "1-sqrt": lambda p: 1 - np.sqrt(p),
    }[decay_type]


def mapped(f, m):
    return lambda p: f(p) * (1 - m) + m


mistakes = Mistakes()


@mistakes.add(
    "min_lr_ratio is not a floor: HF maps every factor f to f * (1 - m) + m, so the decay "
    "ends exactly at m * peak_lr (and the warm-up starts there), not max(f, m)."
)
def ratio_as_floor(
    step, peak_lr, warmup_steps, stable_steps, decay_steps, decay_type, min_lr_ratio
):
    m = min_lr_ratio
    f = factors(
        step,
        warmup_steps,
        stable_steps,
        decay_steps,
        lambda p: np.maximum(p, m),
        lambda p: np.maximum(falls(decay_type)(p), m),
        m,
    )
    return peak_lr * f


@mistakes.add(
    "the warm-up factor p is mapped too: it rises from min_lr_ratio * peak_lr at step 0 "
    "(f * (1 - m) + m), not from 0."
)
def warmup_from_zero(
    step, peak_lr, warmup_steps, stable_steps, decay_steps, decay_type, min_lr_ratio
):
    m = min_lr_ratio
    f = factors(
        step, warmup_steps, stable_steps, decay_steps, lambda p: p, mapped(falls(decay_type), m), m
    )
    return peak_lr * f


@mistakes.add(
    "after the decay the lr stays at its end, min_lr_ratio * peak_lr; it does not drop to 0."
)
def zero_after_decay(
    step, peak_lr, warmup_steps, stable_steps, decay_steps, decay_type, min_lr_ratio
):
    m = min_lr_ratio
    f = factors(
        step,
        warmup_steps,
        stable_steps,
        decay_steps,
        mapped(lambda p: p, m),
        mapped(falls(decay_type), m),
        0.0,
    )
    return peak_lr * f


@mistakes.add(
    "the '1-sqrt' decay is 1 - sqrt(p), p the fraction of the decay done: it falls fast at "
    "first and ends at 0 (sqrt(1 - p) is the other way round)."
)
def sqrt_of_one_minus(
    step, peak_lr, warmup_steps, stable_steps, decay_steps, decay_type, min_lr_ratio
):
    fall = (lambda p: np.sqrt(1 - p)) if decay_type == "1-sqrt" else falls(decay_type)
    m = min_lr_ratio
    f = factors(
        step, warmup_steps, stable_steps, decay_steps, mapped(lambda p: p, m), mapped(fall, m), m
    )
    return peak_lr * f


@mistakes.add(
    "the decay starts after the warm-up AND the stable phase: its progress is "
    "p = (step - warmup_steps - stable_steps) / decay_steps."
)
def decay_from_stable_start(
    step, peak_lr, warmup_steps, stable_steps, decay_steps, decay_type, min_lr_ratio
):
    t, w, s, d, m = as_steps(step), warmup_steps, stable_steps, decay_steps, min_lr_ratio
    down = mapped(falls(decay_type), m)(np.clip((t - s) / d, 0.0, 1.0))
    f = np.where(
        t < w, t / w * (1 - m) + m, np.where(t < w + s, 1.0, np.where(t < w + s + d, down, m))
    )
    return peak_lr * f


@mistakes.add(
    "the warm-up factor is step / warmup_steps with step counted from 0 (HF's step 0 has "
    "the lowest lr), not (step + 1) / warmup_steps."
)
def warmup_from_one(
    step, peak_lr, warmup_steps, stable_steps, decay_steps, decay_type, min_lr_ratio
):
    m = min_lr_ratio
    f = factors(
        step,
        warmup_steps,
        stable_steps,
        decay_steps,
        mapped(lambda p: p + 1 / warmup_steps, m),
        mapped(falls(decay_type), m),
        m,
    )
    return peak_lr * f


EXERCISE = Exercise(
    name="wsd_lr",
    reference=reference,
    visible=(
        # the docstring's example: 10 warm-up, 70 stable, 20 cosine decay steps
        Case(
            (
                np.array([0, 5, 10, 50, 79, 80, 85, 90, 95, 100, 110]),
                1e-3,
                10,
                70,
                20,
                "cosine",
                0.0,
            )
        ),
        # a linear decay to a tenth of the peak
        Case((np.array([0, 5, 10, 79, 80, 90, 99, 100, 120]), 1e-3, 10, 70, 20, "linear", 0.1)),
        # Hägele et al.'s 1-sqrt decay
        Case((np.array([0, 2, 4, 13, 14, 18, 22, 26, 29, 30, 40]), 0.02, 4, 10, 16, "1-sqrt", 0.1)),
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
