"""Grading for assignment ``01_learning_rate``: references, test inputs and known mistakes.

The notebook ``source_notebooks/01_learning_rate/01_learning_rate.ipynb`` uses one ``Task``
per exercise::

    from lrcourse.grading import a01_learning_rate as grader
    grader.GD_STEP.check(gd_step)        # check cell: visible cases, prints a hint
    grader.GD_STEP.test_visible(gd_step)  # locked test cell (visible part)
    grader.GD_STEP.test_hidden(gd_step)   # locked test cell (hidden part, random inputs)

Each visible case list is chosen so that every listed mistake gives a different set of
outputs from the reference and from the other mistakes (``tests/test_grading.py`` checks
this), which is what lets ``check`` name the mistake.
"""

from __future__ import annotations

import numpy as np

from .task import Case, Mistake, Task

# -- Exercise 1: one gradient-descent step ---------------------------------------------------


def reference_gd_step(w, grad, lr):
    """``w_new = w_old - lr * dL/dw`` for a number or an array of weights."""
    return w - lr * grad


def _draw_gd_step_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for shape in [(), (), (3,), (2, 4), (5,), ()]:
        w, grad = 3 * rng.standard_normal((2, *shape))
        lr = float(10 ** rng.uniform(-4, 0))
        if shape == ():
            w, grad = float(w), float(grad)
        cases.append(Case((w, grad, lr)))
    return cases


GD_STEP = Task(
    name="gd_step",
    reference=reference_gd_step,
    visible=(
        Case((1.0, 4.0, 0.1)),  # L = 2 w^2 at w = 1: dL/dw = 4, so w_new = 1 - 0.1 * 4 = 0.6
        Case((np.array([1.0, -2.0, 3.0]), np.array([0.2, -1.0, 4.0]), 0.5)),
        Case((0.5, -3.0, 0.01)),  # a negative gradient moves w up
    ),
    draw_hidden=_draw_gd_step_cases,
    mistakes=(
        Mistake(
            "sign error: this moves uphill. The gradient points towards larger loss, so the "
            "step is subtracted: w_new = w_old - lr * grad.",
            lambda w, grad, lr: w + lr * grad,
        ),
        Mistake(
            "the learning rate is missing: the step is lr times the gradient, not the "
            "gradient alone.",
            lambda w, grad, lr: w - grad,
        ),
        Mistake(
            "the step uses w instead of the gradient: multiply lr by grad (dL/dw), not by w.",
            lambda w, grad, lr: w - lr * w,
        ),
        Mistake(
            "the gradient is divided by lr; the update multiplies them: w - lr * grad.",
            lambda w, grad, lr: w - grad / lr,
        ),
        Mistake(
            "this returns the step (-lr * grad) instead of the new weights w - lr * grad.",
            lambda w, grad, lr: -lr * grad,
        ),
        Mistake("this returns w unchanged: apply the step.", lambda w, grad, lr: w),
    ),
)

# -- Exercise 2: has the run diverged? ----------------------------------------------------------


def reference_has_diverged(losses, factor=10.0):
    """True when a loss is not finite or exceeds ``factor`` times the first loss."""
    losses = np.asarray(losses, dtype=float)
    if losses.size == 0:
        return False
    if not np.all(np.isfinite(losses)):
        return True
    return bool(np.any(losses > factor * losses[0]))


def _diverged_nan_by_equality(losses, factor=10.0):
    return any(x == np.nan for x in losses) or any(x > factor * losses[0] for x in losses)


def _diverged_nan_only(losses, factor=10.0):
    return bool(np.any(np.isnan(np.asarray(losses, dtype=float))))


def _diverged_any_increase(losses, factor=10.0):
    return any(not b <= a for a, b in zip(losses, losses[1:], strict=False))


def _diverged_fixed_factor(losses, factor=10.0):
    return reference_has_diverged(losses, 10.0)


def _diverged_last_only(losses, factor=10.0):
    if len(losses) == 0:
        return False
    return not np.isfinite(losses[-1]) or losses[-1] > factor * losses[0]


def _diverged_at_equality(losses, factor=10.0):
    losses = np.asarray(losses, dtype=float)
    if losses.size == 0:
        return False
    return bool(not np.all(np.isfinite(losses)) or np.any(losses >= factor * losses[0]))


def _diverged_vs_previous(losses, factor=10.0):
    losses = np.asarray(losses, dtype=float)
    if not np.all(np.isfinite(losses)):
        return True
    return bool(np.any(losses[1:] > factor * losses[:-1]))


def _gd_losses(rng: np.random.Generator, lr_times_a: float, noise: float) -> np.ndarray:
    """Losses of gradient descent on a random 1-D bowl, times random noise."""
    a = float(10 ** rng.uniform(-1, 1))
    steps = int(rng.integers(4, 30))
    w = float(rng.uniform(0.5, 3.0)) * (1 - lr_times_a) ** np.arange(steps + 1)
    return 0.5 * a * w**2 * np.exp(noise * rng.standard_normal(steps + 1))


def _draw_has_diverged_cases(rng: np.random.Generator) -> list[Case]:
    factors = (2.0, 4.0, 8.0, 16.0, 100.0)
    cases = []
    for _ in range(5):  # runs around the stability bound lr = 2 / a, some with a NaN tail
        losses = _gd_losses(rng, float(rng.uniform(0.1, 2.6)), noise=0.3)
        if rng.random() < 0.3:
            losses[rng.integers(1, len(losses)) :] = np.nan
        cases.append(Case((losses.tolist(), float(rng.choice(factors)))))
    for _ in range(2):  # a converging run with one spike past the limit
        losses, factor = (
            _gd_losses(rng, float(rng.uniform(0.1, 0.9)), 0.0),
            float(rng.choice(factors)),
        )
        losses[rng.integers(1, len(losses) - 1)] = losses[0] * factor * rng.uniform(1.5, 50)
        cases.append(Case((losses.tolist(), factor)))
    # a converging run that touches the limit exactly (powers of two: no rounding)
    losses, factor = (
        _gd_losses(rng, float(rng.uniform(0.1, 0.9)), 0.0),
        float(rng.choice(factors[:4])),
    )
    losses = losses * (2.0 ** rng.integers(-3, 4) / losses[0])
    losses[0] = 2.0 ** np.round(np.log2(losses[0]))
    losses[rng.integers(1, len(losses))] = losses[0] * factor
    cases.append(Case((losses.tolist(), factor)))
    return cases


HAS_DIVERGED = Task(
    name="has_diverged",
    reference=reference_has_diverged,
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
    draw_hidden=_draw_has_diverged_cases,
    mistakes=(
        Mistake(
            "NaN is not equal to anything, itself included, so `x == np.nan` is always False: "
            "test with np.isnan(x), or np.isfinite(x) to catch infinity too.",
            _diverged_nan_by_equality,
        ),
        Mistake(
            "a loss that keeps growing (1, 4, 16, 64, ...) has diverged before it reaches NaN: "
            "also compare every loss with factor * (the first loss).",
            _diverged_nan_only,
        ),
        Mistake(
            "a loss that goes up a little and comes back (noise, a gentle oscillation) is not "
            "divergence: only a loss above factor * (the first loss), or a NaN/inf, counts.",
            _diverged_any_increase,
        ),
        Mistake(
            "use the `factor` argument instead of a fixed 10.",
            _diverged_fixed_factor,
        ),
        Mistake(
            "look at every loss, not only the last one: a run that went above "
            "factor * (the first loss) at any step has diverged.",
            _diverged_last_only,
        ),
        Mistake(
            "a loss of exactly factor * (the first loss) is the limit, not past it: use `>`, "
            "not `>=`.",
            _diverged_at_equality,
        ),
        Mistake(
            "compare with the first loss (where the run started), not with the previous one: "
            "a steady x4 per step never jumps x10 at once, yet it explodes.",
            _diverged_vs_previous,
        ),
    ),
)

# -- Exercise 3: the largest stable learning rate of a quadratic --------------------------------


def reference_largest_stable_lr(hessian):
    """``2 / largest curvature`` for ``L(w) = 1/2 w^T H w`` (a number ``a`` means H = [[a]])."""
    curvatures = np.linalg.eigvalsh(np.atleast_2d(np.asarray(hessian, dtype=float)))
    return float(2.0 / curvatures.max())


def _eigenvalues(hessian):
    return np.linalg.eigvalsh(np.atleast_2d(np.asarray(hessian, dtype=float)))


def _draw_hessian_cases(rng: np.random.Generator) -> list[Case]:
    cases = [Case((float(10 ** rng.uniform(-1, 2)),))]
    for n in (1, 2, 2, 3, 4, 5):
        curvatures = 10 ** rng.uniform(-1, 2, size=n)
        q, _ = np.linalg.qr(rng.standard_normal((n, n)))
        hessian = q @ np.diag(curvatures) @ q.T
        cases.append(Case(((hessian + hessian.T) / 2,)))
    return cases


LARGEST_STABLE_LR = Task(
    name="largest_stable_lr",
    reference=reference_largest_stable_lr,
    visible=(
        Case((4.0,)),  # L = 2 w^2: a = 4, the bound is 2 / 4 = 0.5
        Case((np.diag([1.0, 10.0]),)),  # curvatures 1 and 10: 2 / 10 = 0.2
        Case((np.array([[5.5, 4.5], [4.5, 5.5]]),)),  # the same bowl rotated by 45 degrees
    ),
    draw_hidden=_draw_hessian_cases,
    mistakes=(
        Mistake(
            "1 / a is the learning rate that jumps to the minimum in one step; the run only "
            "blows up beyond twice that: 2 / a.",
            lambda hessian: 1.0 / _eigenvalues(hessian).max(),
        ),
        Mistake(
            "the bound is set by the steepest direction, the largest curvature (eigenvalue); "
            "the smallest one sets how slow the flat direction is.",
            lambda hessian: 2.0 / _eigenvalues(hessian).min(),
        ),
        Mistake(
            "for a rotated bowl the curvatures are the eigenvalues of the matrix, not its "
            "diagonal entries: use np.linalg.eigvalsh.",
            lambda hessian: 2.0 / np.diag(np.atleast_2d(hessian)).max(),
        ),
        Mistake(
            "the trace is the sum of all curvatures; the bound uses the largest one alone.",
            lambda hessian: 2.0 / np.trace(np.atleast_2d(hessian)),
        ),
        Mistake(
            "the Frobenius norm is larger than the largest eigenvalue; use the eigenvalues "
            "(np.linalg.eigvalsh).",
            lambda hessian: 2.0 / np.linalg.norm(np.atleast_2d(hessian)),
        ),
        Mistake(
            "this is a / 2, upside down: the bound is 2 divided by the curvature.",
            lambda hessian: _eigenvalues(hessian).max() / 2.0,
        ),
    ),
)

# -- Exercise 4: the linear scaling rule for the batch size ------------------------------------


def reference_scale_lr(lr, batch_size, new_batch_size):
    """Linear scaling: the learning rate grows in proportion to the batch size."""
    return lr * new_batch_size / batch_size


def _draw_scale_lr_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for _ in range(6):
        old, new = (int(2 ** rng.integers(3, 12)) for _ in range(2))
        cases.append(Case((float(10 ** rng.uniform(-4, 0)), old, new)))
    return cases


SCALE_LR = Task(
    name="scale_lr",
    reference=reference_scale_lr,
    visible=(
        Case((0.1, 32, 64)),  # doubling the batch size doubles the learning rate
        Case((1e-3, 256, 64)),  # a quarter of the batch, a quarter of the learning rate
        Case((0.01, 128, 384)),
    ),
    draw_hidden=_draw_scale_lr_cases,
    mistakes=(
        Mistake(
            "the ratio is upside down: a larger batch gets a larger learning rate, "
            "lr * new_batch_size / batch_size.",
            lambda lr, batch_size, new_batch_size: lr * batch_size / new_batch_size,
        ),
        Mistake(
            "that is the square-root scaling rule; this exercise asks for the linear rule, "
            "lr * new_batch_size / batch_size.",
            lambda lr, batch_size, new_batch_size: lr * (new_batch_size / batch_size) ** 0.5,
        ),
        Mistake(
            "this returns the ratio of the batch sizes only: multiply it by lr.",
            lambda lr, batch_size, new_batch_size: new_batch_size / batch_size,
        ),
        Mistake(
            "doubling is the syllabus example, not the rule: scale by new_batch_size / batch_size.",
            lambda lr, batch_size, new_batch_size: 2 * lr,
        ),
    ),
)

TASKS = (GD_STEP, HAS_DIVERGED, LARGEST_STABLE_LR, SCALE_LR)
