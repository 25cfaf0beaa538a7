"""08_beyond, exercise 3 (3 points): Prodigy's estimate d on a recorded history."""

import numpy as np
from autograder.draws import log_uniform
from autograder.exercise import Case, Exercise, Mistakes

from lrcourse.optim import Prodigy
from lrcourse.optim.prodigy import prodigy_estimate, prodigy_moments


def reference(grads, iterates, d0, beta3):
    """``prodigyopt.Prodigy`` (lr 1, d_coef 1, growth_rate inf): the d after each step, from the
    gradient ``grads[k]`` taken at ``iterates[k]`` (``iterates[0]`` is x0). Each step adds
    (d / d0) * d * <g, x0 - x> to the numerator and (d / d0) * d * g to s, both after
    multiplying them by beta3; d_hat = numerator / |s|_1; d = max(d, d_hat)."""
    grads, iterates = np.asarray(grads, dtype=float), np.asarray(iterates, dtype=float)
    d, d_max, numerator = d0, d0, 0.0
    s = np.zeros_like(grads[0])
    history = []
    for g, x in zip(grads, iterates, strict=True):
        scratch = np.zeros_like(g)  # Adam's moments: they do not enter the estimate
        delta, s_l1 = prodigy_moments(
            x.copy(),
            g,
            iterates[0],
            scratch,
            scratch.copy(),
            s,
            d,
            d0,
            d,
            0.9,
            0.999,
            beta3,
            1,
            False,
        )
        d, d_max, numerator, _ = prodigy_estimate(
            d, d0, d_max, numerator, delta, s_l1, beta3, 1.0, np.inf
        )
        history.append(d)
    return np.array(history)


def recorded_run(w0, curvature, steps, d0):
    """(grads, iterates) of a real Prodigy run on sum(curvature * w^2) / 2 (one per step)."""
    w = np.array(w0, dtype=float)
    opt = Prodigy(d0=d0)
    grads, iterates = [], []
    for _ in range(steps):
        iterates.append(w.copy())
        grads.append(curvature * w)
        opt.step([w], [curvature * w])
    return np.array(grads), np.array(iterates)


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for i in range(5):
        n, steps = int(rng.integers(1, 5)), int(rng.integers(4, 30))
        d0 = log_uniform(rng, -3, -1)
        if i < 3:  # a real run
            grads, iterates = recorded_run(
                rng.normal(size=n) * 3, rng.uniform(0.2, 3, n), steps, d0
            )
        else:  # any history: a noisy walk towards 0
            iterates = np.cumsum(rng.normal(scale=0.3, size=(steps, n)), axis=0) + rng.normal(
                size=n
            )
            grads = iterates * rng.uniform(0.5, 2.0, n) + rng.normal(scale=0.5, size=(steps, n))
        beta3 = float(rng.choice([0.999**0.5, rng.uniform(0.5, 0.999)]))
        cases.append(Case((grads, iterates, d0, beta3)))
    return cases


def estimate(
    grads,
    iterates,
    d0,
    beta3,
    *,
    weight=lambda d, d0: d / d0 * d,
    inner=lambda g, dx: g @ dx,
    norm=lambda s: np.abs(s).sum(),
    s_decay=None,
    keep=lambda d, d_hat: max(d, d_hat),
):
    """The estimate written out; the hooks are where a step can go wrong."""
    d, numerator, s = d0, 0.0, np.zeros_like(grads[0], dtype=float)
    history = []
    for g, x in zip(grads, iterates, strict=True):
        w = weight(d, d0)
        numerator = beta3 * numerator + w * inner(g, iterates[0] - x)
        s = (beta3 if s_decay is None else s_decay) * s + w * g
        d = keep(d, numerator / norm(s))
        history.append(d)
    return np.array(history)


mistakes = Mistakes()


@mistakes.add(
    "the numerator is <g, x0 - x>: the gradient points away from the solution, so along the "
    "way it lines up with x0 - x and the sum grows. With x - x0 it is negative and d never moves."
)
def sign_flipped(grads, iterates, d0, beta3):
    return estimate(grads, iterates, d0, beta3, inner=lambda g, dx: -(g @ dx))


@mistakes.add(
    "d only grows: d = max(d, d_hat) with the d of the previous step (prodigyopt keeps "
    "d_max), not max(d0, d_hat) afresh at each step."
)
def not_monotone(grads, iterates, d0, beta3):
    return estimate(grads, iterates, d0, beta3, keep=lambda d, d_hat: max(d0, d_hat))


@mistakes.add("the denominator is the L1 norm of s, np.abs(s).sum(), not its Euclidean norm.")
def euclidean_norm(grads, iterates, d0, beta3):
    return estimate(grads, iterates, d0, beta3, norm=np.linalg.norm)


@mistakes.add(
    "each step's terms are weighted by (d / d0) * d, the step size at the time (lr = 1): "
    "later, larger steps count more. Without the weights the estimate is D-Adaptation's."
)
def unweighted(grads, iterates, d0, beta3):
    return estimate(grads, iterates, d0, beta3, weight=lambda d, d0: 1.0)


@mistakes.add("s decays too: s <- beta3 * s + (d / d0) * d * g, like the numerator.")
def s_not_decayed(grads, iterates, d0, beta3):
    return estimate(grads, iterates, d0, beta3, s_decay=1.0)


GRADS_1, ITERATES_1 = (
    np.round(a, 4) for a in recorded_run([3.0, -2.0], np.array([2.0, 2.0]), 8, 0.1)
)

EXERCISE = Exercise(
    name="prodigy_d",
    reference=reference,
    visible=(
        # the library's docstring problem |w|^2 from (3, -2), recorded with d0 = 0.1
        Case((GRADS_1, ITERATES_1, 0.1, 0.999**0.5)),
        # a hand-made history in one dimension: x walks from 2 towards 0
        Case(
            (
                np.array([[4.0], [3.0], [2.5], [1.0], [0.8]]),
                np.array([[2.0], [1.5], [1.2], [0.6], [0.3]]),
                0.01,
                0.9,
            )
        ),
        # two coordinates, a gradient that turns against the motion at the end
        Case(
            (
                np.array([[1.0, -2.0], [0.8, -1.5], [0.5, -0.5], [-0.4, 0.6]]),
                np.array([[1.0, -1.0], [0.7, -0.6], [0.4, -0.2], [0.1, 0.1]]),
                0.05,
                0.99,
            )
        ),
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
