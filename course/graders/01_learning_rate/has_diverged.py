"""01_learning_rate, exercise 2 (2 points): has the run diverged?"""

import numpy as np
from autograder.exercise import Case, Exercise, Mistakes


def reference(losses, factor=10.0):
    """True when a loss is not finite or exceeds ``factor`` times the first loss."""
    losses = np.asarray(losses, dtype=float)
    if losses.size == 0:
        return False
    if not np.all(np.isfinite(losses)):
        return True
    return bool(np.any(losses > factor * losses[0]))


def _gd_losses(rng: np.random.Generator, lr_times_a: float, noise: float) -> np.ndarray:
    """Losses of gradient descent on a random 1-D bowl, times random noise."""
    a = float(10 ** rng.uniform(-1, 1))
    steps = int(rng.integers(4, 30))
    w = float(rng.uniform(0.5, 3.0)) * (1 - lr_times_a) ** np.arange(steps + 1)
    return 0.5 * a * w**2 * np.exp(noise * rng.standard_normal(steps + 1))


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    factors = (2.0, 4.0, 8.0, 16.0, 100.0)
    cases = []
    for _ in range(5):  # runs around the stability bound lr = 2 / a, some with a NaN tail
        losses = _gd_losses(rng, float(rng.uniform(0.1, 2.6)), noise=0.3)
        if rng.random() < 0.3:
            losses[rng.integers(1, len(losses)) :] = np.nan
        cases.append(Case((losses.tolist(), float(rng.choice(factors)))))
    for _ in range(2):  # a converging run with one spike past the limit
        losses = _gd_losses(rng, float(rng.uniform(0.1, 0.9)), 0.0)
        factor = float(rng.choice(factors))
        losses[rng.integers(1, len(losses) - 1)] = losses[0] * factor * rng.uniform(1.5, 50)
        cases.append(Case((losses.tolist(), factor)))
    # a converging run that touches the limit exactly (powers of two: no rounding)
    losses = _gd_losses(rng, float(rng.uniform(0.1, 0.9)), 0.0)
    factor = float(rng.choice(factors[:4]))
    losses = losses * (2.0 ** rng.integers(-3, 4) / losses[0])
    losses[0] = 2.0 ** np.round(np.log2(losses[0]))
    losses[rng.integers(1, len(losses))] = losses[0] * factor
    cases.append(Case((losses.tolist(), factor)))
    return cases


mistakes = Mistakes()


@mistakes.add(
    "NaN is not equal to anything, itself included, so `x == np.nan` is always False: test "
    "with np.isnan(x), or np.isfinite(x) to catch infinity too."
)
def nan_by_equality(losses, factor=10.0):
    return any(x == np.nan for x in losses) or any(x > factor * losses[0] for x in losses)


@mistakes.add(
    "a loss that keeps growing (1, 4, 16, 64, ...) has diverged before it reaches NaN: also "
    "compare every loss with factor * (the first loss)."
)
def nan_only(losses, factor=10.0):
    return bool(np.any(np.isnan(np.asarray(losses, dtype=float))))


@mistakes.add(
    "a loss that goes up a little and comes back (noise, a gentle oscillation) is not "
    "divergence: only a loss above factor * (the first loss), or a NaN/inf, counts."
)
def any_increase(losses, factor=10.0):
    return any(not b <= a for a, b in zip(losses, losses[1:], strict=False))


@mistakes.add("use the `factor` argument instead of a fixed 10.")
def fixed_factor(losses, factor=10.0):
    return reference(losses, 10.0)


@mistakes.add(
    "look at every loss, not only the last one: a run that went above factor * (the first "
    "loss) at any step has diverged."
)
def last_only(losses, factor=10.0):
    if len(losses) == 0:
        return False
    return not np.isfinite(losses[-1]) or losses[-1] > factor * losses[0]


@mistakes.add(
    "a loss of exactly factor * (the first loss) is the limit, not past it: use `>`, not `>=`."
)
def at_equality(losses, factor=10.0):
    losses = np.asarray(losses, dtype=float)
    if losses.size == 0:
        return False
    return bool(not np.all(np.isfinite(losses)) or np.any(losses >= factor * losses[0]))


@mistakes.add(
    "compare with the first loss (where the run started), not with the previous one: a steady "
    "x4 per step never jumps x10 at once, yet it explodes."
)
def versus_previous(losses, factor=10.0):
    losses = np.asarray(losses, dtype=float)
    if not np.all(np.isfinite(losses)):
        return True
    return bool(np.any(losses[1:] > factor * losses[:-1]))


EXERCISE = Exercise(
    name="has_diverged",
    reference=reference,
    visible=(
        Case(([4.0, 2.0, 1.0, 0.5], 10.0)),  # converging
        Case(([1.0, 4.0, 16.0, 64.0], 10.0)),  # exploding, still finite
        Case(([1.0, 3.0, float("nan")], 10.0)),  # NaN
        Case(([2.0, 2.5, 1.8, 2.2, 1.5], 10.0)),  # noisy but not diverging
        Case(([1.0, 5.0, 30.0], 50.0)),  # a larger factor
        Case(([2.0, 20.0, 8.0], 10.0)),  # exactly 10 x the first loss is not "more than"
        Case(([1.0, 1e6, 3.0], 10.0)),  # blew up in the middle
        Case(([], 10.0)),  # no losses yet
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
