"""06_recipes_and_practice, exercise 2 (2 points): Goyal et al.'s scaled lr with its warm-up."""

import numpy as np
from autograder.draws import as_steps, log_uniform, sorted_steps
from autograder.exercise import Case, Exercise, Mistakes

from lrcourse import schedules


def reference(step, base_lr, batch_size, warmup_steps):
    """Goyal et al. (2017): the target lr is ``base_lr * batch_size / 256``; over the first
    ``warmup_steps`` updates the lr rises linearly from ``base_lr`` to it,
    ``base_lr + (target - base_lr) * step / warmup_steps``, then stays at the target."""
    target = base_lr * batch_size / 256
    return schedules.LinearWarmup(target, warmup_steps, start_lr=base_lr)(step)


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for _ in range(5):
        warmup = int(rng.integers(2, 200))
        steps = sorted_steps(rng, 3 * warmup, must=(0, 1, warmup - 1, warmup))
        batch = int(2 ** rng.integers(9, 14))  # 512 ... 8192: always above 256
        cases.append(Case((steps, log_uniform(rng, -3, -0.5), batch, warmup)))
    return cases


def target_lr(base_lr, batch_size):
    return base_lr * batch_size / 256


mistakes = Mistakes()


@mistakes.add(
    "Goyal's warm-up starts at the base lr (the lr of batch 256), not at 0: "
    "lr = base_lr + (target - base_lr) * step / warmup_steps."
)
def warms_up_from_zero(step, base_lr, batch_size, warmup_steps):
    t = as_steps(step)
    target = target_lr(base_lr, batch_size)
    return np.where(t < warmup_steps, target * t / warmup_steps, target)


@mistakes.add(
    "the first update (step 0) uses the base lr itself: the ramp is step / warmup_steps with "
    "step counted from 0, not (step + 1) / warmup_steps."
)
def counts_from_one(step, base_lr, batch_size, warmup_steps):
    t = as_steps(step)
    target = target_lr(base_lr, batch_size)
    ramp = base_lr + (target - base_lr) * (t + 1) / warmup_steps
    return np.where(t < warmup_steps, ramp, target)


@mistakes.add(
    "that is the square-root rule (base_lr * sqrt(batch_size / 256)); Goyal et al. scale "
    "linearly: target = base_lr * batch_size / 256."
)
def square_root_rule(step, base_lr, batch_size, warmup_steps):
    t = as_steps(step)
    target = base_lr * np.sqrt(batch_size / 256)
    ramp = base_lr + (target - base_lr) * t / warmup_steps
    return np.where(t < warmup_steps, ramp, target)


@mistakes.add(
    "the scaled lr is right but the warm-up is missing: for step < warmup_steps the lr rises "
    "linearly from base_lr to the target."
)
def no_warmup(step, base_lr, batch_size, warmup_steps):
    return np.full(as_steps(step).shape, target_lr(base_lr, batch_size))


EXERCISE = Exercise(
    name="goyal_lr",
    reference=reference,
    visible=(
        # Goyal's ImageNet setting: batch 8192 = 32 x 256, so 0.1 -> 3.2 over 5 updates here
        Case((np.array([0, 1, 2, 3, 5, 10]), 0.1, 8192, 5)),
        Case((np.array([0, 50, 100, 250]), 0.1, 1024, 100)),  # 0.1 -> 0.4
        Case((np.array([0, 3, 7, 8, 20]), 0.05, 2048, 8)),
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
