"""02_schedules, exercise 8 (3 points): the 1-cycle policy."""

import numpy as np
from autograder.draws import as_steps, half_cosine, log_uniform, sorted_steps
from autograder.exercise import Case, Exercise, Mistakes

from lrcourse import schedules


def reference(step, max_lr, total_steps, pct_start, div_factor, final_div_factor):
    """torch's ``OneCycleLR`` (cosine annealing, two phases), for steps 0 ... total_steps - 1."""
    return schedules.OneCycle(
        max_lr,
        total_steps,
        pct_start=pct_start,
        div_factor=div_factor,
        final_div_factor=final_div_factor,
    )(step)


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for _ in range(5):
        total = int(rng.integers(20, 5000))
        pct = float(rng.uniform(0.1, 0.6))
        peak = int(pct * total)
        steps = sorted_steps(rng, total - 1, must=(0, 1, peak - 1, peak, total - 2, total - 1))
        div = float(rng.choice([10.0, 25.0, float(rng.uniform(5, 50))]))
        final_div = float(rng.choice([1e4, 100.0, float(10 ** rng.uniform(1, 4))]))
        cases.append(Case((steps, log_uniform(rng, -3, 0), total, pct, div, final_div)))
    return cases


def cos_anneal(start, end, pct):
    return end + (start - end) * half_cosine(pct)


def two_phases(step, initial, peak_lr, final, peak, last, anneal=cos_anneal):
    """Rise from ``initial`` to ``peak_lr`` at step ``peak``, fall to ``final`` at ``last``."""
    t = as_steps(step)
    rising = anneal(initial, peak_lr, t / peak)
    falling = anneal(peak_lr, final, (t - peak) / (last - peak))
    return np.where(t <= peak, rising, falling)


mistakes = Mistakes()


@mistakes.add(
    "the final lr is initial_lr / final_div_factor, where initial_lr = max_lr / div_factor: far "
    "below the start, not max_lr / final_div_factor."
)
def final_from_max(step, max_lr, total_steps, pct_start, div_factor, final_div_factor):
    initial, final = max_lr / div_factor, max_lr / final_div_factor
    return two_phases(step, initial, max_lr, final, pct_start * total_steps - 1, total_steps - 1)


@mistakes.add(
    "the peak comes one step late: the rise ends at step pct_start * total_steps - 1 (torch's "
    "choice; the run's steps are 0 ... total_steps - 1)."
)
def peak_one_late(step, max_lr, total_steps, pct_start, div_factor, final_div_factor):
    initial = max_lr / div_factor
    final = initial / final_div_factor
    return two_phases(step, initial, max_lr, final, pct_start * total_steps, total_steps - 1)


@mistakes.add(
    "the fall must reach the final lr at the LAST step, total_steps - 1, not at total_steps."
)
def ends_one_late(step, max_lr, total_steps, pct_start, div_factor, final_div_factor):
    initial = max_lr / div_factor
    final = initial / final_div_factor
    return two_phases(step, initial, max_lr, final, pct_start * total_steps - 1, total_steps)


@mistakes.add(
    "this anneals linearly; use the cosine: end + (start - end) * (1 + cos(pi * pct)) / 2."
)
def linear(step, max_lr, total_steps, pct_start, div_factor, final_div_factor):
    initial = max_lr / div_factor
    final = initial / final_div_factor

    def linear_anneal(start, end, pct):
        return start + (end - start) * pct

    peak, last = pct_start * total_steps - 1, total_steps - 1
    return two_phases(step, initial, max_lr, final, peak, last, anneal=linear_anneal)


@mistakes.add(
    "1-cycle ends far BELOW its start: the second phase falls to initial_lr / "
    "final_div_factor, not back to initial_lr."
)
def back_to_start(step, max_lr, total_steps, pct_start, div_factor, final_div_factor):
    initial = max_lr / div_factor
    return two_phases(step, initial, max_lr, initial, pct_start * total_steps - 1, total_steps - 1)


@mistakes.add("1-cycle starts at max_lr / div_factor, not at 0.")
def starts_at_zero(step, max_lr, total_steps, pct_start, div_factor, final_div_factor):
    final = max_lr / div_factor / final_div_factor
    return two_phases(step, 0.0, max_lr, final, pct_start * total_steps - 1, total_steps - 1)


EXERCISE = Exercise(
    name="one_cycle",
    reference=reference,
    visible=(
        Case((np.array([0, 29, 99]), 0.1, 100, 0.3, 25.0, 1e4)),  # 0.004 -> 0.1 -> 4e-7
        Case((np.array([0, 10, 20, 29, 50, 64, 90, 99]), 0.1, 100, 0.3, 25.0, 1e4)),
        Case((np.array([0, 5, 9, 10, 15, 19]), 1.0, 20, 0.5, 10.0, 100.0)),
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
