"""01_learning_rate, exercise 3 (3 points): the largest stable learning rate of a quadratic."""

import numpy as np
from autograder.exercise import Case, Exercise, Mistakes


def curvatures(hessian):
    """The eigenvalues of H (a number ``a`` stands for H = [[a]])."""
    return np.linalg.eigvalsh(np.atleast_2d(np.asarray(hessian, dtype=float)))


def reference(hessian):
    """``2 / largest curvature`` for ``L(w) = 1/2 w^T H w``."""
    return float(2.0 / curvatures(hessian).max())


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = [Case((float(10 ** rng.uniform(-1, 2)),))]
    for n in (1, 2, 2, 3, 4, 5):
        eigenvalues = 10 ** rng.uniform(-1, 2, size=n)
        q, _ = np.linalg.qr(rng.standard_normal((n, n)))
        hessian = q @ np.diag(eigenvalues) @ q.T
        cases.append(Case(((hessian + hessian.T) / 2,)))
    return cases


mistakes = Mistakes()


@mistakes.add(
    "1 / a is the learning rate that jumps to the minimum in one step; the run only blows up "
    "beyond twice that: 2 / a."
)
def one_over_a(hessian):
    return 1.0 / curvatures(hessian).max()


@mistakes.add(
    "the bound is set by the steepest direction, the largest curvature (eigenvalue); the "
    "smallest one sets how slow the flat direction is."
)
def smallest_curvature(hessian):
    return 2.0 / curvatures(hessian).min()


@mistakes.add(
    "for a rotated bowl the curvatures are the eigenvalues of the matrix, not its diagonal "
    "entries: use np.linalg.eigvalsh."
)
def diagonal_entries(hessian):
    return 2.0 / np.diag(np.atleast_2d(hessian)).max()


@mistakes.add("the trace is the sum of all curvatures; the bound uses the largest one alone.")
def trace(hessian):
    return 2.0 / np.trace(np.atleast_2d(hessian))


@mistakes.add(
    "the Frobenius norm is larger than the largest eigenvalue; use the eigenvalues "
    "(np.linalg.eigvalsh)."
)
def frobenius_norm(hessian):
    return 2.0 / np.linalg.norm(np.atleast_2d(hessian))


@mistakes.add("this is a / 2, upside down: the bound is 2 divided by the curvature.")
def upside_down(hessian):
    return curvatures(hessian).max() / 2.0


EXERCISE = Exercise(
    name="largest_stable_lr",
    reference=reference,
    visible=(
        Case((4.0,)),  # L = 2 w^2: a = 4, the bound is 2 / 4 = 0.5
        Case((np.diag([1.0, 10.0]),)),  # curvatures 1 and 10: 2 / 10 = 0.2
        Case((np.array([[5.5, 4.5], [4.5, 5.5]]),)),  # the same bowl rotated by 45 degrees
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
