"""Grading for assignment ``02_schedules``: references, test inputs and known mistakes.

Every exercise is a learning-rate schedule written as a plain NumPy function
``f(step, hyperparameters...) -> lr``, where ``step`` is a number or an array of steps
(0-based: update ``k`` uses ``f(k)``), as in ``source_notebooks/02_schedules``::

    from lrcourse.grading import a02_schedules as grader
    grader.STEP_DECAY.check(step_decay)          # check cell: visible cases, prints a hint
    grader.STEP_DECAY.test_visible(step_decay)   # locked test cell (visible part)
    grader.STEP_DECAY.test_hidden(step_decay)    # locked test cell (hidden part)

The references call ``lrcourse.schedules`` (whose torch and Keras twins are tested against
the frameworks). Each mistake is the right formula with one knob turned the classic wrong
way (``_..._variant(..., knob=...)``), so a hint names exactly one error.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from .. import schedules
from .task import Case, Mistake, Task

# -- helpers shared by the mistaken variants and the hidden-case draws ------------------------


def _t(step) -> np.ndarray:
    """Steps as float64 (a 0-d array for a number), so every variant divides safely."""
    return np.asarray(step, dtype=float)


def _half_cosine(x):
    """1 at x = 0 down to 0 at x = 1: the shape of every cosine schedule."""
    return (1.0 + np.cos(np.pi * x)) / 2.0


def _log_uniform(rng: np.random.Generator, low_exp: float, high_exp: float) -> float:
    return float(10 ** rng.uniform(low_exp, high_exp))


def _steps(rng: np.random.Generator, high: int, must: tuple = (), size: int = 8) -> np.ndarray:
    """Sorted distinct integer steps in [0, high], with the ``must`` steps among them."""
    drawn = rng.integers(0, high + 1, size=size)
    return np.unique(np.concatenate([np.asarray(must, dtype=int), drawn]).clip(0, high))


# -- Exercise 1: time-based (inverse time) decay ----------------------------------------------


def reference_time_based_decay(step, lr0, decay):
    """``lr0 / (1 + decay * step)``: Keras 2's ``decay`` argument, applied per update."""
    return schedules.InverseTimeDecay.from_keras2_decay(lr0, decay)(step)


def _compounded_time_decay(step, lr0, decay):
    """lr_t = lr_(t-1) / (1 + decay * t): dividing the current lr again at every step."""

    def one(t):
        return lr0 / np.prod(1.0 + decay * np.arange(1, int(t) + 1))

    return np.vectorize(one, otypes=[float])(step)


def _draw_time_based_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for _ in range(4):
        decay = _log_uniform(rng, -4, -0.5)
        horizon = int(min(5 / decay, 10**6))
        steps = _steps(rng, horizon, must=(0, 1, 2, 3))
        cases.append(Case((steps, _log_uniform(rng, -4, 0), decay)))
    decay = _log_uniform(rng, -3, -1)
    cases.append(Case((int(rng.integers(1, 1000)), _log_uniform(rng, -4, 0), decay)))
    return cases


TIME_BASED_DECAY = Task(
    name="time_based_decay",
    reference=reference_time_based_decay,
    visible=(
        Case((0, 0.1, 0.001)),  # the first update uses lr0
        Case((1000, 0.1, 0.001)),  # decay = lr0 / epochs = 0.1 / 100: halved after 1000 updates
        Case((np.array([0, 1, 2, 10]), 0.5, 0.1)),
        Case((np.array([0, 3000]), 0.1, 0.001)),
    ),
    draw_hidden=_draw_time_based_cases,
    mistakes=(
        Mistake(
            "the first update (step 0) must use lr0 itself: lr0 / (1 + decay * step) with step "
            "counted from 0, not from 1.",
            lambda step, lr0, decay: lr0 / (1 + decay * (_t(step) + 1)),
        ),
        Mistake(
            "this divides the current lr again at every step (what a LearningRateScheduler "
            "callback does when it uses its `lr` argument); divide lr0, the initial lr.",
            _compounded_time_decay,
        ),
        Mistake(
            "lr0 / (1 + decay) ** step shrinks by the same factor at every step: that is "
            "exponential decay. Time-based decay divides lr0 by 1 + decay * step.",
            lambda step, lr0, decay: lr0 / (1 + decay) ** _t(step),
        ),
        Mistake(
            "the learning rate must shrink: divide lr0 by (1 + decay * step), don't multiply.",
            lambda step, lr0, decay: lr0 * (1 + decay * _t(step)),
        ),
        Mistake(
            "the `1 +` is missing from the denominator: lr0 / (1 + decay * step), which is lr0 "
            "at step 0 (yours divides by zero there).",
            lambda step, lr0, decay: lr0 / (decay * _t(step)),
        ),
        Mistake(
            "lr0 * exp(-decay * step) is continuous exponential decay; time-based decay is "
            "lr0 / (1 + decay * step).",
            lambda step, lr0, decay: lr0 * np.exp(-decay * _t(step)),
        ),
    ),
)

# -- Exercise 2: step decay, specified in epochs, applied per update ---------------------------


def reference_step_decay(step, lr0, drop, epochs_drop, steps_per_epoch):
    """``lr0 * drop ** floor(epoch / epochs_drop)``, ``epoch = floor(step / steps_per_epoch)``."""
    return schedules.StepDecay(lr0, step_size=epochs_drop * steps_per_epoch, gamma=drop)(step)


def _step_decay_variant(
    step,
    lr0,
    drop,
    epochs_drop,
    steps_per_epoch,
    *,
    per_update=False,
    every_epoch=False,
    rounding=np.floor,
    epoch_offset=0,
    factor_is_loss=False,
):
    steps_per_epoch = 1 if per_update else steps_per_epoch
    epoch = np.floor(_t(step) / steps_per_epoch) + epoch_offset
    drops = rounding(epoch / (1 if every_epoch else epochs_drop))
    return lr0 * ((1 - drop) if factor_is_loss else drop) ** drops


def _draw_step_decay_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for steps_per_epoch in (1, 1, int(rng.integers(2, 400)), int(rng.integers(2, 400))):
        epochs_drop = int(rng.integers(2, 40))
        period = epochs_drop * steps_per_epoch
        boundaries = [k * period + d for k in (1, 2) for d in (-1, 0)]
        steps = _steps(rng, 4 * period, must=(0, *boundaries, steps_per_epoch * (epochs_drop - 1)))
        drop = float(rng.choice([0.1, 0.2, 0.5, 0.8, float(rng.uniform(0.05, 0.95))]))
        cases.append(Case((steps, _log_uniform(rng, -4, 0), drop, epochs_drop, steps_per_epoch)))
    period = int(rng.integers(2, 30))
    cases.append(Case((int(rng.integers(0, 5 * period)), 0.1, 0.5, period, 1)))
    return cases


STEP_DECAY = Task(
    name="step_decay",
    reference=reference_step_decay,
    visible=(
        Case((10, 0.1, 0.5, 10, 1)),  # halve every 10 epochs: 0.05 at epoch 10
        Case((np.array([0, 6, 9, 10, 19, 20]), 0.1, 0.5, 10, 1)),
        Case((np.array([0, 29, 30, 59, 60]), 0.1, 0.1, 30, 1)),  # divide by 10 every 30 epochs
        Case((np.array([0, 499, 500, 999, 1000]), 0.1, 0.5, 10, 50)),  # 50 updates per epoch
    ),
    draw_hidden=_draw_step_decay_cases,
    mistakes=(
        Mistake(
            "step vs epoch: `step` counts updates, the decay is given in epochs. Find the epoch "
            "first, epoch = floor(step / steps_per_epoch), then count its drops.",
            partial(_step_decay_variant, per_update=True),
        ),
        Mistake(
            "without np.floor the lr decays smoothly (exponential decay); step decay keeps it "
            "constant for epochs_drop epochs: drop ** floor(epoch / epochs_drop).",
            partial(_step_decay_variant, rounding=lambda x: x),
        ),
        Mistake(
            "epochs count from 0: the first drop happens AT epoch epochs_drop (epoch 10 for "
            "'halve every 10'), not one epoch earlier. Don't add 1 to the epoch.",
            partial(_step_decay_variant, epoch_offset=1),
        ),
        Mistake(
            "`drop` is the factor the lr is multiplied by (0.5 halves it, 0.1 divides by 10), "
            "not the fraction taken away: lr0 * drop ** n, not lr0 * (1 - drop) ** n.",
            partial(_step_decay_variant, factor_is_loss=True),
        ),
        Mistake(
            "this drops at every epoch: divide the epoch by epochs_drop before np.floor.",
            partial(_step_decay_variant, every_epoch=True),
        ),
        Mistake(
            "np.round switches half a period early; the lr changes only when a whole period "
            "is complete: use np.floor.",
            partial(_step_decay_variant, rounding=np.round),
        ),
    ),
)

# -- Exercise 3: exponential decay (discrete, optional staircase) ------------------------------


def reference_exponential_decay(step, lr0, decay_steps, decay_rate, staircase):
    """``lr0 * decay_rate ** (step / decay_steps)``, the exponent floored when ``staircase``."""
    return schedules.ExponentialDecay(lr0, decay_steps, decay_rate, staircase=staircase)(step)


def _exponential_variant(
    step,
    lr0,
    decay_steps,
    decay_rate,
    staircase,
    *,
    floor_when=None,
    rounding=np.floor,
    ignore_decay_steps=False,
    step_offset=0,
):
    p = (_t(step) + step_offset) / (1 if ignore_decay_steps else decay_steps)
    if staircase if floor_when is None else floor_when:
        p = rounding(p)
    return lr0 * decay_rate**p


def _draw_exponential_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    short, long = int(rng.integers(2, 50)), int(rng.integers(50, 10**5))
    for staircase, decay_steps in ((False, short), (True, short), (False, long), (True, long)):
        must = (0, 1, decay_steps // 2, decay_steps - 1, decay_steps, int(1.75 * decay_steps))
        steps = _steps(rng, 6 * decay_steps, must=must)
        rate = float(rng.uniform(0.5, 0.99))
        cases.append(Case((steps, _log_uniform(rng, -4, 0), decay_steps, rate, staircase)))
    steps = _steps(rng, 50, must=(0, 1))  # torch's ExponentialLR: decay_steps 1
    cases.append(Case((steps, _log_uniform(rng, -4, 0), 1, float(rng.uniform(0.8, 0.99)), False)))
    cases.append(Case((int(rng.integers(0, 100)), 0.1, int(rng.integers(2, 20)), 0.9, True)))
    return cases


EXPONENTIAL_DECAY = Task(
    name="exponential_decay",
    reference=reference_exponential_decay,
    visible=(
        Case((np.array([0, 1, 2]), 0.1, 1, 0.96, False)),  # 0.1, 0.096, 0.09216 (per epoch)
        Case((100_000, 0.1, 100_000, 0.96, False)),  # Keras' example: 0.096 after 100k steps
        Case((50_000, 0.1, 100_000, 0.96, False)),  # smooth in between
        Case((np.array([0, 5, 9, 10, 15, 20]), 0.1, 10, 0.5, True)),  # staircase
        Case((np.array([0, 5, 10, 15]), 0.1, 10, 0.5, False)),  # the same without staircase
        Case((np.array([0, 1, 2, 3]), 0.01, 1, 0.9, False)),  # torch's ExponentialLR(gamma=0.9)
    ),
    draw_hidden=_draw_exponential_cases,
    mistakes=(
        Mistake(
            "with staircase=True the exponent is floored, np.floor(step / decay_steps), so the "
            "lr only changes every decay_steps steps; yours decays smoothly.",
            partial(_exponential_variant, floor_when=False),
        ),
        Mistake(
            "the exponent is floored only when staircase is True; with staircase=False the lr "
            "decays smoothly, decay_rate ** (step / decay_steps).",
            partial(_exponential_variant, floor_when=True),
        ),
        Mistake(
            "decay_steps is missing: the exponent is step / decay_steps (decay_rate is reached "
            "after decay_steps steps, e.g. 0.96 after 100,000 in Keras' example).",
            partial(_exponential_variant, ignore_decay_steps=True),
        ),
        Mistake(
            "steps count from 0: the first update (step 0) uses lr0 itself; don't add 1.",
            partial(_exponential_variant, step_offset=1),
        ),
        Mistake(
            "np.round switches half a period early; staircase floors the exponent: np.floor.",
            partial(_exponential_variant, rounding=np.round),
        ),
    ),
)

# -- Exercise 4: continuous exponential decay -------------------------------------------------


def reference_continuous_exponential_decay(step, lr0, k):
    """``lr0 * exp(-k * step)``."""
    return schedules.ContinuousExponentialDecay(lr0, k)(step)


def _draw_continuous_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for _ in range(4):
        k = _log_uniform(rng, -3, -0.3)
        steps = _steps(rng, int(5 / k), must=(0, 1))
        cases.append(Case((steps, _log_uniform(rng, -4, 0), k)))
    cases.append(
        Case((int(rng.integers(1, 50)), _log_uniform(rng, -4, 0), _log_uniform(rng, -2, -1)))
    )
    return cases


CONTINUOUS_EXPONENTIAL_DECAY = Task(
    name="continuous_exponential_decay",
    reference=reference_continuous_exponential_decay,
    visible=(
        Case((np.array([0, 10, 20]), 0.1, 0.1)),  # 0.1, 0.1/e, 0.1/e^2
        Case((5, 0.01, 0.2)),  # k * t = 1: 0.01 / e
        Case((np.array([0, 1, 100]), 1e-3, 0.01)),
    ),
    draw_hidden=_draw_continuous_cases,
    mistakes=(
        Mistake(
            "the exponent must be negative, exp(-k * step): yours grows.",
            lambda step, lr0, k: lr0 * np.exp(k * _t(step)),
        ),
        Mistake(
            "lr0 * (1 - k) ** step is the discrete approximation; the continuous schedule is "
            "lr0 * np.exp(-k * step) (the two differ more and more as k grows).",
            lambda step, lr0, k: lr0 * (1 - k) ** _t(step),
        ),
        Mistake(
            "k is a rate (per step), not a time constant: multiply, exp(-k * step), don't "
            "divide the step by k.",
            lambda step, lr0, k: lr0 * np.exp(-_t(step) / k),
        ),
        Mistake(
            "lr0 is missing: the schedule starts at lr0, lr0 * exp(-k * step).",
            lambda step, lr0, k: np.exp(-k * _t(step)),
        ),
    ),
)

# -- Exercise 5: polynomial decay --------------------------------------------------------------


def reference_polynomial_decay(step, lr0, decay_steps, end_lr, power):
    """``(lr0 - end_lr) * (1 - min(step, T) / T) ** power + end_lr`` with T = decay_steps."""
    return schedules.PolynomialDecay(lr0, decay_steps, end_lr=end_lr, power=power)(step)


def _polynomial_variant(
    step,
    lr0,
    decay_steps,
    end_lr,
    power,
    *,
    clamp=True,
    subtract_end=True,
    add_end=True,
    power_on_fraction=False,
    linear=False,
):
    t = np.minimum(_t(step), decay_steps) if clamp else _t(step)
    fraction = t / decay_steps
    power = 1.0 if linear else power
    shape = 1 - fraction**power if power_on_fraction else (1 - fraction) ** power
    return (lr0 - (end_lr if subtract_end else 0)) * shape + (end_lr if add_end else 0)


def _draw_polynomial_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for power in (0.5, 2.0, 3.0, float(rng.uniform(0.3, 4)), float(rng.uniform(1.2, 4))):
        decay_steps = int(rng.integers(5, 10**4))
        steps = _steps(
            rng, 2 * decay_steps, must=(0, decay_steps // 3, decay_steps, 2 * decay_steps)
        )
        lr0 = _log_uniform(rng, -3, 0)
        end_lr = float(rng.choice([0.0, lr0 * rng.uniform(0.001, 0.5)]))
        cases.append(Case((steps, lr0, decay_steps, end_lr, power)))
    cases.append(Case((int(rng.integers(1, 50)), 0.1, 50, 0.01, float(rng.uniform(1.5, 3)))))
    return cases


POLYNOMIAL_DECAY = Task(
    name="polynomial_decay",
    reference=reference_polynomial_decay,
    visible=(
        Case((np.array([0, 10, 50, 100, 200]), 0.1, 100, 0.0, 2.0)),  # 0.1 0.081 0.025 0 0
        Case((np.array([0, 25, 50, 75, 100, 150]), 0.1, 100, 0.001, 1.0)),  # linear to 0.001
        Case((np.array([0, 30, 60, 90, 120]), 0.05, 90, 0.005, 0.5)),
        Case((40, 0.1, 100, 0.01, 3.0)),
    ),
    draw_hidden=_draw_polynomial_cases,
    mistakes=(
        Mistake(
            "after decay_steps the lr must stay at end_lr: clamp the step first, "
            "np.minimum(step, decay_steps) (past the end, 1 - step / decay_steps is negative).",
            partial(_polynomial_variant, clamp=False),
        ),
        Mistake(
            "the curve must start at lr0: the factor multiplies (lr0 - end_lr), and end_lr is "
            "added back, (lr0 - end_lr) * (...) ** power + end_lr.",
            partial(_polynomial_variant, subtract_end=False),
        ),
        Mistake(
            "end_lr is missing: the lr decays to end_lr, (lr0 - end_lr) * (...) ** power + end_lr.",
            partial(_polynomial_variant, subtract_end=False, add_end=False),
        ),
        Mistake(
            "the power applies to (1 - step / decay_steps), not to step / decay_steps alone.",
            partial(_polynomial_variant, power_on_fraction=True),
        ),
        Mistake(
            "this is the linear schedule: raise (1 - step / decay_steps) to `power`.",
            partial(_polynomial_variant, linear=True),
        ),
    ),
)

# -- Exercise 6: cosine annealing with warm restarts (SGDR) ------------------------------------


def reference_cosine_restarts(step, lr_max, lr_min, first_period, t_mul):
    """SGDR: period i lasts ``first_period * t_mul**i`` steps, a half cosine from lr_max to
    lr_min in each; the restart happens AT the first step of a period."""
    alpha = lr_min / lr_max
    return schedules.CosineRestarts(lr_max, first_period, t_mul=t_mul, alpha=alpha)(step)


def _restarts_variant(
    step,
    lr_max,
    lr_min,
    first_period,
    t_mul,
    *,
    grow=True,
    restart_late=False,
    restart=True,
    floor=True,
    full_wave=False,
):
    def one(t):
        period = first_period
        while restart and (t > period if restart_late else t >= period):
            t -= period
            period *= t_mul if grow else 1
        x = t / period
        shape = (1 + np.cos(2 * np.pi * x)) / 2 if full_wave else _half_cosine(x)
        low = lr_min if floor else 0.0
        return low + (lr_max - low) * shape

    return np.vectorize(one, otypes=[float])(step)


def _draw_restarts_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for i, t_mul in enumerate((1.0, 2.0, 3.0, float(rng.choice([1.0, 2.0, 3.0])))):
        first = int(rng.integers(2, 30))
        starts = np.cumsum([first * t_mul**i for i in range(4)])
        must = (0, first // 2, *starts.astype(int), *(starts.astype(int) - 1))
        steps = _steps(rng, int(starts[-1]), must=must)
        lr_max = _log_uniform(rng, -3, 0)
        lr_min = 0.0 if i == 3 else lr_max * float(rng.uniform(0.01, 0.5))
        cases.append(Case((steps, lr_max, lr_min, first, t_mul)))
    first = int(rng.integers(2, 20))
    cases.append(Case((first, 0.1, 0.001, first, 2.0)))  # exactly at the first restart
    return cases


COSINE_RESTARTS = Task(
    name="cosine_restarts",
    reference=reference_cosine_restarts,
    visible=(
        Case((np.array([0, 5, 9, 10, 20, 29, 30, 50]), 0.1, 0.0, 10, 2.0)),  # periods 10, 20, 40
        Case((np.array([0, 4, 8, 12, 16, 24]), 0.05, 0.005, 8, 1.0)),  # t_mul = 1: same periods
        Case((np.array([0, 3, 5, 6, 15, 20]), 0.1, 0.01, 5, 3.0)),  # periods 5, 15, 45
    ),
    draw_hidden=_draw_restarts_cases,
    mistakes=(
        Mistake(
            "the restart period is not multiplied by t_mul: period i lasts "
            "first_period * t_mul ** i steps (10, 20, 40, ... for t_mul = 2).",
            partial(_restarts_variant, grow=False),
        ),
        Mistake(
            "the restart comes one step late: a period of length T covers steps 0 ... T - 1 of "
            "its own clock, and step T already starts the next one at lr_max (use >=, not >).",
            partial(_restarts_variant, restart_late=True),
        ),
        Mistake(
            "there are no restarts: at the start of every period the lr jumps back to lr_max "
            "(subtract the finished periods from the step).",
            partial(_restarts_variant, restart=False),
        ),
        Mistake(
            "lr_min is missing: each period decays to lr_min, "
            "lr_min + (lr_max - lr_min) * (1 + cos(pi * x)) / 2.",
            partial(_restarts_variant, floor=False),
        ),
        Mistake(
            "within a period the lr falls along HALF a cosine wave, cos(pi * x) with x from 0 "
            "to 1; cos(2 * pi * x) rises again before the restart.",
            partial(_restarts_variant, full_wave=True),
        ),
    ),
)

# -- Exercise 7: cyclical learning rates ------------------------------------------------------


def reference_cyclical_lr(step, base_lr, max_lr, step_size, mode, gamma):
    """Smith's triangle wave (torch's ``CyclicLR``): up for ``step_size`` steps, down for as
    many; the height scaled by 1 ("triangular"), 1 / 2**(cycle - 1) ("triangular2") or
    gamma**step ("exp_range")."""
    return schedules.CyclicLR(base_lr, max_lr, step_size, mode=mode, gamma=gamma)(step)


def _cyclical_variant(
    step,
    base_lr,
    max_lr,
    step_size,
    mode,
    gamma,
    *,
    halve="cycle",
    cycle_offset=1,
    exp_by_cycle=False,
    plain=(),
    start_at_max=False,
):
    t = _t(step)
    cycle = np.floor(1 + t / (2 * step_size))
    x = np.abs(t / step_size - 2 * cycle + 1)
    height = x if start_at_max else np.maximum(0.0, 1 - x)
    if mode in plain:
        scale = 1.0
    elif mode == "triangular2":
        halvings = cycle - cycle_offset if halve == "cycle" else np.floor(t / step_size)
        scale = 1 / 2.0**halvings
    elif mode == "exp_range":
        scale = gamma ** (cycle if exp_by_cycle else t)
    else:
        scale = 1.0
    return base_lr + (max_lr - base_lr) * height * scale


def _draw_cyclical_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for mode in ("triangular", "triangular2", "exp_range", "triangular2", "exp_range"):
        step_size = int(rng.integers(2, 3000))
        peaks = [step_size * k for k in range(1, 7)]
        steps = _steps(rng, 6 * step_size, must=(0, step_size // 2, *peaks))
        base = _log_uniform(rng, -5, -2)
        # exp_range: the amplitude shrinks by exp(-r) per step_size steps
        gamma = float(np.exp(-rng.uniform(0.05, 1.0) / step_size)) if mode == "exp_range" else 1.0
        cases.append(Case((steps, base, base * rng.uniform(2, 20), step_size, mode, gamma)))
    return cases


CYCLICAL_LR = Task(
    name="cyclical_lr",
    reference=reference_cyclical_lr,
    visible=(
        Case((np.array([0, 1000, 2000, 3000, 4000]), 0.001, 0.006, 2000, "triangular", 1.0)),
        Case(
            (np.array([0, 2000, 4000, 6000, 8000, 10000]), 0.001, 0.006, 2000, "triangular2", 1.0)
        ),
        Case((np.array([0, 5, 10, 15, 20, 30]), 0.01, 0.1, 10, "exp_range", 0.99)),
    ),
    draw_hidden=_draw_cyclical_cases,
    mistakes=(
        Mistake(
            "with mode 'triangular2' the amplitude halves after every cycle: multiply the "
            "height by 1 / 2 ** (cycle - 1), cycle counted from 1.",
            partial(_cyclical_variant, plain=("triangular2",)),
        ),
        Mistake(
            "'triangular2' halves the amplitude once per CYCLE (2 * step_size steps: up and "
            "down), not every step_size steps.",
            partial(_cyclical_variant, halve="half-cycle"),
        ),
        Mistake(
            "cycles count from 1: the first cycle has the full amplitude, 1 / 2 ** (cycle - 1).",
            partial(_cyclical_variant, cycle_offset=0),
        ),
        Mistake(
            "'exp_range' scales the amplitude by gamma ** step (every step), not gamma ** cycle.",
            partial(_cyclical_variant, exp_by_cycle=True),
        ),
        Mistake(
            "with mode 'exp_range' the amplitude shrinks: multiply the height by gamma ** step.",
            partial(_cyclical_variant, plain=("exp_range",)),
        ),
        Mistake(
            "the cycle starts at base_lr and reaches max_lr after step_size steps: the height "
            "is max(0, 1 - x), not x.",
            partial(_cyclical_variant, start_at_max=True),
        ),
    ),
)

# -- Exercise 8: the 1-cycle policy -----------------------------------------------------------


def reference_one_cycle(step, max_lr, total_steps, pct_start, div_factor, final_div_factor):
    """torch's ``OneCycleLR`` (cosine annealing, two phases), for steps 0 ... total_steps - 1."""
    return schedules.OneCycle(
        max_lr,
        total_steps,
        pct_start=pct_start,
        div_factor=div_factor,
        final_div_factor=final_div_factor,
    )(step)


def _cos_anneal(start, end, pct):
    return end + (start - end) * _half_cosine(pct)


def _linear_anneal(start, end, pct):
    return start + (end - start) * pct


def _one_cycle_variant(
    step,
    max_lr,
    total_steps,
    pct_start,
    div_factor,
    final_div_factor,
    *,
    anneal=_cos_anneal,
    peak_offset=-1,
    last_offset=-1,
    final_from_max=False,
    back_to_start=False,
    start_at_zero=False,
):
    t = _t(step)
    start = max_lr / div_factor
    initial = 0.0 if start_at_zero else start
    final = start if back_to_start else (max_lr if final_from_max else start) / final_div_factor
    peak = pct_start * total_steps + peak_offset
    last = total_steps + last_offset
    rising = anneal(initial, max_lr, t / peak)
    falling = anneal(max_lr, final, (t - peak) / (last - peak))
    return np.where(t <= peak, rising, falling)


def _draw_one_cycle_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for _ in range(5):
        total = int(rng.integers(20, 5000))
        pct = float(rng.uniform(0.1, 0.6))
        peak = int(pct * total)
        steps = _steps(rng, total - 1, must=(0, 1, peak - 1, peak, total - 2, total - 1))
        div = float(rng.choice([10.0, 25.0, float(rng.uniform(5, 50))]))
        final_div = float(rng.choice([1e4, 100.0, float(10 ** rng.uniform(1, 4))]))
        cases.append(Case((steps, _log_uniform(rng, -3, 0), total, pct, div, final_div)))
    return cases


ONE_CYCLE = Task(
    name="one_cycle",
    reference=reference_one_cycle,
    visible=(
        Case((np.array([0, 29, 99]), 0.1, 100, 0.3, 25.0, 1e4)),  # 0.004 -> 0.1 -> 4e-7
        Case((np.array([0, 10, 20, 29, 50, 64, 90, 99]), 0.1, 100, 0.3, 25.0, 1e4)),
        Case((np.array([0, 5, 9, 10, 15, 19]), 1.0, 20, 0.5, 10.0, 100.0)),
    ),
    draw_hidden=_draw_one_cycle_cases,
    mistakes=(
        Mistake(
            "the final lr is initial_lr / final_div_factor, where initial_lr = max_lr / "
            "div_factor: far below the start, not max_lr / final_div_factor.",
            partial(_one_cycle_variant, final_from_max=True),
        ),
        Mistake(
            "the peak comes one step late: the rise ends at step pct_start * total_steps - 1 "
            "(torch's choice; the run's steps are 0 ... total_steps - 1).",
            partial(_one_cycle_variant, peak_offset=0),
        ),
        Mistake(
            "the fall must reach the final lr at the LAST step, total_steps - 1, not at "
            "total_steps.",
            partial(_one_cycle_variant, last_offset=0),
        ),
        Mistake(
            "this anneals linearly; use the cosine: end + (start - end) * (1 + cos(pi * pct)) / 2.",
            partial(_one_cycle_variant, anneal=_linear_anneal),
        ),
        Mistake(
            "1-cycle ends far BELOW its start: the second phase falls to initial_lr / "
            "final_div_factor, not back to initial_lr.",
            partial(_one_cycle_variant, back_to_start=True),
        ),
        Mistake(
            "1-cycle starts at max_lr / div_factor, not at 0.",
            partial(_one_cycle_variant, start_at_zero=True),
        ),
    ),
)

# -- Exercise 9: linear warm-up, then cosine decay ----------------------------------------------


def reference_warmup_cosine(step, peak_lr, warmup_steps, total_steps, min_lr):
    """``peak_lr * step / W`` for step < W, then a cosine from peak_lr to min_lr over the
    remaining ``total_steps - W`` steps, held at min_lr after ``total_steps``."""
    decay = schedules.CosineDecay(peak_lr, total_steps - warmup_steps, alpha=min_lr / peak_lr)
    return schedules.LinearWarmup(decay, warmup_steps)(step)


def _warmup_cosine_variant(
    step,
    peak_lr,
    warmup_steps,
    total_steps,
    min_lr,
    *,
    late=0,
    ramp_offset=0,
    decay_over_total=False,
    clamp=True,
    cosine_from_zero=False,
    floor=True,
):
    t = _t(step)
    w = warmup_steps
    length = total_steps if decay_over_total else total_steps - w
    since = t if cosine_from_zero else t - w - late
    since = np.minimum(since, length) if clamp else since
    low = min_lr if floor else 0.0
    cosine = low + (peak_lr - low) * _half_cosine(since / length)
    ramp = peak_lr * np.minimum(t + ramp_offset, w) / w
    return np.where(t < w + late, ramp, cosine)


def _draw_warmup_cosine_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for i in range(5):
        w = int(rng.integers(2, 2000))
        total = w + int(rng.integers(5, 20000))
        steps = _steps(rng, total + total // 3, must=(0, 1, w - 1, w, w + 1, total, total + 7))
        peak = _log_uniform(rng, -5, -1)
        min_lr = 0.0 if i == 0 else peak * float(rng.uniform(0.001, 0.3))
        cases.append(Case((steps, peak, w, total, min_lr)))
    return cases


WARMUP_COSINE = Task(
    name="warmup_cosine",
    reference=reference_warmup_cosine,
    visible=(
        Case((np.array([0, 1, 2, 5, 9]), 0.01, 5, 105, 0.0)),  # 0, 0.002, 0.004, 0.01, ...
        Case((np.array([0, 5, 10, 11, 60, 110, 130]), 0.1, 10, 110, 0.0)),
        Case((np.array([0, 4, 8, 9, 20, 40, 50]), 0.2, 8, 40, 0.02)),
    ),
    draw_hidden=_draw_warmup_cosine_cases,
    mistakes=(
        Mistake(
            "the warm-up ends one step late: step W is already the first step of the cosine "
            "(cosine at step - W = 0 gives peak_lr), so use step < W for the ramp.",
            partial(_warmup_cosine_variant, late=1),
        ),
        Mistake(
            "steps count from 0: the ramp is peak_lr * step / W, so step 0 uses lr 0 (the "
            "first update is wasted; that is the price of starting at 0).",
            partial(_warmup_cosine_variant, ramp_offset=1),
        ),
        Mistake(
            "the cosine lasts total_steps - warmup_steps steps (the warm-up is part of the run): "
            "divide step - W by total_steps - W.",
            partial(_warmup_cosine_variant, decay_over_total=True),
        ),
        Mistake(
            "the cosine is not clamped after total_steps: it rises again. Hold min_lr: "
            "np.minimum(step - W, total_steps - W).",
            partial(_warmup_cosine_variant, clamp=False),
        ),
        Mistake(
            "the cosine starts after the warm-up: its clock is step - W, not step.",
            partial(_warmup_cosine_variant, cosine_from_zero=True),
        ),
        Mistake(
            "min_lr is missing: the cosine ends at min_lr, "
            "min_lr + (peak_lr - min_lr) * (1 + cos(pi * x)) / 2.",
            partial(_warmup_cosine_variant, floor=False),
        ),
    ),
)

TASKS = (
    TIME_BASED_DECAY,
    STEP_DECAY,
    EXPONENTIAL_DECAY,
    CONTINUOUS_EXPONENTIAL_DECAY,
    POLYNOMIAL_DECAY,
    COSINE_RESTARTS,
    CYCLICAL_LR,
    ONE_CYCLE,
    WARMUP_COSINE,
)
