"""02_schedules, exercise 7 (3 points): cyclical learning rates (CLR)."""

import numpy as np
from autograder.draws import as_steps, log_uniform, sorted_steps
from autograder.exercise import Case, Exercise, Mistakes

from lrcourse import schedules


def reference(step, base_lr, max_lr, step_size, mode, gamma):
    """Smith's triangle wave (torch's ``CyclicLR``): up for ``step_size`` steps, down for as
    many; the height scaled by 1 ("triangular"), 1 / 2**(cycle - 1) ("triangular2") or
    gamma**step ("exp_range")."""
    return schedules.CyclicLR(base_lr, max_lr, step_size, mode=mode, gamma=gamma)(step)


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for mode in ("triangular", "triangular2", "exp_range", "triangular2", "exp_range"):
        step_size = int(rng.integers(2, 3000))
        peaks = [step_size * k for k in range(1, 7)]
        steps = sorted_steps(rng, 6 * step_size, must=(0, step_size // 2, *peaks))
        base = log_uniform(rng, -5, -2)
        # exp_range: the amplitude shrinks by exp(-r) per step_size steps
        gamma = float(np.exp(-rng.uniform(0.05, 1.0) / step_size)) if mode == "exp_range" else 1.0
        cases.append(Case((steps, base, base * rng.uniform(2, 20), step_size, mode, gamma)))
    return cases


def _triangle(step, step_size):
    """The step as float, its cycle (from 1) and x, the distance from the cycle's peak (0..1)."""
    t = as_steps(step)
    cycle = np.floor(1 + t / (2 * step_size))
    return t, cycle, np.abs(t / step_size - 2 * cycle + 1)


def _scale(mode, gamma, t, cycle):
    """The right amplitude factor of each mode."""
    if mode == "triangular2":
        return 1 / 2.0 ** (cycle - 1)
    if mode == "exp_range":
        return gamma**t
    return 1.0


def _clr(base_lr, max_lr, height, scale):
    return base_lr + (max_lr - base_lr) * height * scale


mistakes = Mistakes()


@mistakes.add(
    "with mode 'triangular2' the amplitude halves after every cycle: multiply the height by "
    "1 / 2 ** (cycle - 1), cycle counted from 1."
)
def triangular2_never_halves(step, base_lr, max_lr, step_size, mode, gamma):
    t, cycle, x = _triangle(step, step_size)
    scale = 1.0 if mode == "triangular2" else _scale(mode, gamma, t, cycle)
    return _clr(base_lr, max_lr, np.maximum(0.0, 1 - x), scale)


@mistakes.add(
    "'triangular2' halves the amplitude once per CYCLE (2 * step_size steps: up and down), not "
    "every step_size steps."
)
def halves_every_half_cycle(step, base_lr, max_lr, step_size, mode, gamma):
    t, cycle, x = _triangle(step, step_size)
    if mode == "triangular2":
        scale = 1 / 2.0 ** np.floor(t / step_size)
    else:
        scale = _scale(mode, gamma, t, cycle)
    return _clr(base_lr, max_lr, np.maximum(0.0, 1 - x), scale)


@mistakes.add("cycles count from 1: the first cycle has the full amplitude, 1 / 2 ** (cycle - 1).")
def cycles_from_zero(step, base_lr, max_lr, step_size, mode, gamma):
    t, cycle, x = _triangle(step, step_size)
    scale = 1 / 2.0**cycle if mode == "triangular2" else _scale(mode, gamma, t, cycle)
    return _clr(base_lr, max_lr, np.maximum(0.0, 1 - x), scale)


@mistakes.add("'exp_range' scales the amplitude by gamma ** step (every step), not gamma ** cycle.")
def exp_range_per_cycle(step, base_lr, max_lr, step_size, mode, gamma):
    t, cycle, x = _triangle(step, step_size)
    scale = gamma**cycle if mode == "exp_range" else _scale(mode, gamma, t, cycle)
    return _clr(base_lr, max_lr, np.maximum(0.0, 1 - x), scale)


@mistakes.add("with mode 'exp_range' the amplitude shrinks: multiply the height by gamma ** step.")
def exp_range_never_shrinks(step, base_lr, max_lr, step_size, mode, gamma):
    t, cycle, x = _triangle(step, step_size)
    scale = 1.0 if mode == "exp_range" else _scale(mode, gamma, t, cycle)
    return _clr(base_lr, max_lr, np.maximum(0.0, 1 - x), scale)


@mistakes.add(
    "the cycle starts at base_lr and reaches max_lr after step_size steps: the height is "
    "max(0, 1 - x), not x."
)
def starts_at_max(step, base_lr, max_lr, step_size, mode, gamma):
    t, cycle, x = _triangle(step, step_size)
    return _clr(base_lr, max_lr, x, _scale(mode, gamma, t, cycle))


EXERCISE = Exercise(
    name="cyclical_lr",
    reference=reference,
    visible=(
        Case((np.array([0, 1000, 2000, 3000, 4000]), 0.001, 0.006, 2000, "triangular", 1.0)),
        Case(
            (np.array([0, 2000, 4000, 6000, 8000, 10000]), 0.001, 0.006, 2000, "triangular2", 1.0)
        ),
        Case((np.array([0, 5, 10, 15, 20, 30]), 0.01, 0.1, 10, "exp_range", 0.99)),
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
