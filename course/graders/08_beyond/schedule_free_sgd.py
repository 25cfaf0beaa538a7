"""08_beyond, exercise 2 (3 points): schedule-free SGD on a quadratic, returning the average x."""

import numpy as np
from autograder.draws import log_uniform
from autograder.exercise import Case, Exercise, Mistakes

from lrcourse.optim import SGDScheduleFree


def reference(w0, curvature, lr, momentum, warmup_steps, r, num_steps):
    """``num_steps`` of ``schedulefree.SGDScheduleFree`` on f(w) = sum(curvature * w^2) / 2
    from x = z = w0; returns x, the weights to evaluate (``optimizer.eval()``)."""
    w = np.array(w0, dtype=float)
    opt = SGDScheduleFree(lr=lr, momentum=momentum, warmup_steps=warmup_steps, r=r)
    for _ in range(num_steps):
        opt.step([w], [curvature * w])  # w holds y, where the gradient is taken
    opt.eval([w])  # w now holds x
    return w


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for i in range(5):
        n = int(rng.integers(1, 5))
        w0 = rng.normal(size=n) * 2
        curvature = rng.uniform(0.1, 3.0, size=n)
        warmup = int(rng.integers(1, 10)) if i < 3 else int(rng.choice([0, 5]))
        r = float(rng.choice([0.0, 0.0, 1.0, rng.uniform(0.2, 2.0)])) if i else 0.0
        cases.append(
            Case(
                (
                    w0,
                    curvature,
                    log_uniform(rng, -1.5, 0),
                    float(rng.uniform(0.5, 0.95)),
                    warmup,
                    r,
                    int(rng.integers(3, 25)),
                )
            )
        )
    return cases


def schedule_free(
    w0,
    curvature,
    lr,
    momentum,
    warmup_steps,
    r,
    num_steps,
    *,
    point=lambda x, y, z: y,
    lr_of=lambda t, lr, w: lr * min(1.0, t / w) if w else lr,
    weight=lambda t, r, lr_max: t**r * lr_max**2,
    answer=lambda x, y, z: x,
):
    """The three sequences written out, with t = 1, 2, ...; the hooks say where each step
    takes its gradient, its lr and its averaging weight, and what it returns."""
    x = np.array(w0, dtype=float)
    z = x.copy()
    lr_max, weight_sum = 0.0, 0.0
    for t in range(1, num_steps + 1):
        y = (1 - momentum) * z + momentum * x
        lr_t = lr_of(t, lr, warmup_steps)
        lr_max = max(lr_max, lr_t)
        w = weight(t, r, lr_max)
        weight_sum += w
        c = w / weight_sum if weight_sum else 0.0
        z = z - lr_t * curvature * point(x, y, z)
        x = (1 - c) * x + c * z
    return answer(x, (1 - momentum) * z + momentum * x, z)


mistakes = Mistakes()


@mistakes.add(
    "the gradient is taken at y = (1 - beta) z + beta x, between the fast iterate z and the "
    "average x, not at x (x is what you evaluate, y what you train on)."
)
def gradient_at_x(w0, curvature, lr, momentum, warmup_steps, r, num_steps):
    return schedule_free(
        w0, curvature, lr, momentum, warmup_steps, r, num_steps, point=lambda x, y, z: x
    )


@mistakes.add(
    "the gradient is taken at y = (1 - beta) z + beta x, not at z: with the gradient at z "
    "this is plain SGD with a running average beside it, and momentum does nothing."
)
def gradient_at_z(w0, curvature, lr, momentum, warmup_steps, r, num_steps):
    return schedule_free(
        w0, curvature, lr, momentum, warmup_steps, r, num_steps, point=lambda x, y, z: z
    )


@mistakes.add(
    "y = (1 - beta) * z + beta * x: beta (the momentum, 0.9) weights the average x, not z."
)
def interpolation_swapped(w0, curvature, lr, momentum, warmup_steps, r, num_steps):
    return schedule_free(
        w0, curvature, lr, 1 - momentum, warmup_steps, r, num_steps, point=lambda x, y, z: y
    )


@mistakes.add(
    "the averaging weight is w_t = t^r * lr_max^2, c = w_t / (w_1 + ... + w_t): not c = 1/t. "
    "The lr^2 factor keeps the small warm-up steps out of the average."
)
def plain_average(w0, curvature, lr, momentum, warmup_steps, r, num_steps):
    return schedule_free(
        w0, curvature, lr, momentum, warmup_steps, r, num_steps, weight=lambda t, r, lr_max: 1.0
    )


@mistakes.add("the weight carries lr_max SQUARED (weight_lr_power = 2): w_t = t^r * lr_max^2.")
def lr_not_squared(w0, curvature, lr, momentum, warmup_steps, r, num_steps):
    return schedule_free(
        w0,
        curvature,
        lr,
        momentum,
        warmup_steps,
        r,
        num_steps,
        weight=lambda t, r, lr_max: t**r * lr_max,
    )


@mistakes.add(
    "the warm-up is lr * t / warmup_steps with t counted from 1: the first step uses "
    "lr / warmup_steps, not 0 (a step at lr 0 would do nothing)."
)
def warmup_from_zero(w0, curvature, lr, momentum, warmup_steps, r, num_steps):
    return schedule_free(
        w0,
        curvature,
        lr,
        momentum,
        warmup_steps,
        r,
        num_steps,
        lr_of=lambda t, lr, w: lr * min(1.0, (t - 1) / w) if w else lr,
    )


@mistakes.add(
    "return x, the average (what optimizer.eval() puts in the model), not y, the point "
    "where the gradients were taken."
)
def returns_y(w0, curvature, lr, momentum, warmup_steps, r, num_steps):
    return schedule_free(
        w0, curvature, lr, momentum, warmup_steps, r, num_steps, answer=lambda x, y, z: y
    )


EXERCISE = Exercise(
    name="schedule_free_sgd",
    reference=reference,
    visible=(
        # the library's docstring example: w^2 (curvature 2) from 1, lr 0.1, 3 steps
        Case((np.array([1.0]), np.array([2.0]), 0.1, 0.9, 0, 0.0, 3)),
        # a warm-up of 4 steps: the first steps barely count in the average
        Case((np.array([2.0, -1.0]), np.array([1.0, 0.5]), 0.5, 0.9, 4, 0.0, 10)),
        # r = 1: later steps weigh more
        Case((np.array([1.5, 0.5]), np.array([0.8, 2.0]), 0.3, 0.8, 2, 1.0, 8)),
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
