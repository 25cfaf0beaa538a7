"""08_beyond, exercise 4 (3 points): Muon's Newton-Schulz orthogonalisation."""

import numpy as np
from autograder.exercise import Case, Exercise, Mistakes

from lrcourse.optim.muon import newton_schulz_keras

COEFFICIENTS = (3.4445, -4.775, 2.0315)
EPS = 1e-7


def reference(update, ns_steps):
    """Keller Jordan's ``zeropower_via_newtonschulz5`` (and Keras'): X = G / (|G|_F + 1e-7),
    transposed when taller than wide; ``ns_steps`` times A = X X^T, X <- a X + (b A + c A A) X;
    transposed back."""
    return newton_schulz_keras(np.asarray(update, dtype=float), COEFFICIENTS, ns_steps, EPS)


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for rows, cols in (
        (int(rng.integers(2, 6)), int(rng.integers(6, 9))),
        (int(rng.integers(6, 9)), int(rng.integers(2, 6))),
        (3, 3),
        (int(rng.integers(2, 8)), int(rng.integers(2, 8))),
    ):
        scale = float(rng.choice([0.05, 0.2, rng.uniform(0.5, 3.0)]))
        g = rng.normal(size=(rows, cols)) * scale / np.sqrt(rows * cols)
        cases.append(Case((g, int(rng.choice([5, 5, 1, 2, 3])))))
    return cases


def orthogonalise(
    update,
    ns_steps,
    *,
    normalise=lambda x: x / (np.linalg.norm(x) + EPS),
    again=lambda x: x,
    back=lambda x, tall: x.T if tall else x,
    coefficients=COEFFICIENTS,
):
    """The iteration written out; the hooks are the places where a step can go wrong."""
    a, b, c = coefficients
    tall = update.shape[0] > update.shape[1]
    x = normalise(update.T if tall else update)
    for _ in range(ns_steps):
        x = again(x)
        g = x @ x.T
        x = a * x + (b * g + c * g @ g) @ x
    return back(x, tall)


mistakes = Mistakes()


@mistakes.add(
    "divide by the Frobenius norm first, X = G / (|G|_F + eps): the iteration only works for "
    "singular values in (0, 1], and a large gradient blows up."
)
def no_normalisation(update, ns_steps):
    return orthogonalise(update, ns_steps, normalise=lambda x: x)


@mistakes.add(
    "normalise by the Frobenius norm, np.linalg.norm(X) (the default for a matrix), not by "
    "the spectral norm np.linalg.norm(X, 2): Muon uses the cheap bound on every singular value."
)
def spectral_norm(update, ns_steps):
    return orthogonalise(update, ns_steps, normalise=lambda x: x / (np.linalg.norm(x, 2) + EPS))


@mistakes.add(
    "normalise once, before the loop: the iteration itself moves the singular values towards "
    "1; dividing again at every step changes the polynomial."
)
def normalise_every_step(update, ns_steps):
    def unit(x):
        return x / (np.linalg.norm(x) + EPS)

    return orthogonalise(update, ns_steps, normalise=unit, again=unit)


@mistakes.add(
    "a tall update is transposed before the loop, so transpose the result back: the "
    "orthogonalised update must have the parameter's shape."
)
def not_transposed_back(update, ns_steps):
    return orthogonalise(update, ns_steps, back=lambda x, tall: x)


@mistakes.add(
    "the coefficients (a, b, c) = (3.4445, -4.775, 2.0315) multiply X, A X and A A X: "
    "X <- a X + (b A + c A A) X, with b on A and c on A A."
)
def b_and_c_swapped(update, ns_steps):
    return orthogonalise(update, ns_steps, coefficients=(3.4445, 2.0315, -4.775))


EXERCISE = Exercise(
    name="newton_schulz",
    reference=reference,
    visible=(
        # a wide 2 x 3 gradient, singular values 3.26 and 2.15: they end at 1.11 and 0.68
        Case((np.array([[1.0, 2.0, 0.0], [0.5, -1.0, 3.0]]), 5)),
        # a tall 4 x 2 one (transposed for the loop), small: its norm is 0.6
        Case((np.array([[0.3, 0.1], [-0.2, 0.25], [0.1, -0.3], [0.05, 0.2]]), 5)),
        # a square one, one step only
        Case((np.array([[0.2, 0.0, 0.1], [0.0, 0.05, 0.0], [0.1, 0.0, 0.3]]), 1)),
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
