"""The quadratic bowls of assignment 01, and plain gradient descent on them.

Every bowl is :math:`L(w) = \\tfrac12 w^\\top H w`, whose gradient is :math:`H w`: gradient
descent multiplies each eigen-direction of :math:`H` by :math:`1 - \\text{lr}\\,\\lambda_i`
per step, so it converges exactly when :math:`\\text{lr} < 2/\\lambda_{\\max}`.

- ``H_1D`` (:math:`L = 2w^2`, curvature 4, bound 0.5), ``H_2D`` (curvatures 1 and 10,
  bound 0.2), ``H_ROTATED`` (the same bowl turned by 45 degrees), ``W0_2D`` (the start of
  the 2-D runs) and ``BOWLS`` (the explorer's menu: name -> (H, start));
- :func:`descend`: ``steps`` gradient-descent updates, every iterate kept;
- :func:`quadratic_loss` and :func:`draw_bowl` (contour lines on a matplotlib Axes);
- :class:`LeastSquares`: linear regression, :math:`L(w) = \\frac{1}{2n}\\lVert Xw - y\\rVert^2`,
  a bowl with :math:`H = X^\\top X/n`; :func:`LeastSquares.diabetes` builds it on
  scikit-learn's diabetes data (bundled with scikit-learn: no download, see
  :func:`diabetes_raw`).

Worked example: ``descend(lambda w: H_1D @ w, [1.0], 0.1, 1)`` is ``[[1.0], [0.6]]``
(:math:`1 - 0.1\\cdot 4 = 0.6`).

NumPy only; matplotlib and scikit-learn are imported by the functions that need them.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

H_1D = np.array([[4.0]])  # L(w) = 2 w^2: curvature a = 4
H_2D = np.diag([1.0, 10.0])
H_ROTATED = np.array([[5.5, 4.5], [4.5, 5.5]])  # H_2D turned by 45 degrees: eigenvalues 1, 10
W0_2D = np.array([2.0, 1.0])

BOWLS = {
    "1-D: L = 2 w²": (H_1D, np.array([1.0])),
    "2-D: curvatures 1 and 10": (H_2D, W0_2D),
    "2-D rotated: curvatures 1 and 10": (H_ROTATED, W0_2D),
}


def descend(grad_fn: Callable, w0, lr: float, steps: int) -> np.ndarray:
    """Run ``steps`` updates ``w <- w - lr * grad_fn(w)`` from ``w0``; all iterates, one row
    per step (``steps + 1`` rows). A diverging run ends in ``inf``/``nan``, silently."""
    w = np.array(w0, dtype=float)
    path = [w]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            w = w - lr * grad_fn(w)
            path.append(w)
    return np.array(path)


def quadratic_loss(path, hessian) -> np.ndarray:
    """``1/2 w^T H w`` for every row ``w`` of ``path`` (a single ``w`` gives one value)."""
    path = np.atleast_2d(path)
    with np.errstate(over="ignore", invalid="ignore"):
        return 0.5 * np.einsum("ti,ij,tj->t", path, hessian, path)


def draw_bowl(ax, hessian, extent: float = 2.5) -> None:
    """Contour lines of ``L(w) = 1/2 w^T H w`` around the minimum at 0, on a 2-D ``ax``."""
    grid = np.linspace(-extent, extent, 81)
    w1, w2 = np.meshgrid(grid, grid)
    points = np.stack([w1.ravel(), w2.ravel()], axis=1)
    levels = np.geomspace(0.01, 40, 12)
    loss = quadratic_loss(points, hessian).reshape(w1.shape)
    ax.contour(w1, w2, loss, levels=levels, colors="lightgray", linewidths=0.8)
    ax.set(xlabel="$w_1$", ylabel="$w_2$", xlim=(-extent, extent), ylim=(-extent, extent))
    ax.set_aspect("equal")


@dataclass(frozen=True)
class LeastSquares:
    """Linear regression ``y ~ X w`` with loss ``1/(2n) ||X w - y||^2`` (a quadratic bowl)."""

    X: np.ndarray
    y: np.ndarray

    @classmethod
    def diabetes(cls) -> LeastSquares:
        """scikit-learn's diabetes data: 442 patients, 10 standardised measurements and a
        column of ones (the bias); the target standardised too."""
        X_raw, y_raw = diabetes_raw()
        X = (X_raw - X_raw.mean(axis=0)) / X_raw.std(axis=0)
        X = np.hstack([X, np.ones((len(X), 1))])
        return cls(X, (y_raw - y_raw.mean()) / y_raw.std())

    @property
    def n_samples(self) -> int:
        return len(self.y)

    @property
    def hessian(self) -> np.ndarray:
        """``X^T X / n``: the loss is ``1/2 (w - w*)^T H (w - w*)`` plus a constant."""
        return self.X.T @ self.X / self.n_samples

    def grad(self, w, rows=slice(None)) -> np.ndarray:
        """Gradient of ``1/(2m) ||X w - y||^2`` over the chosen rows (all by default)."""
        Xr, yr = self.X[rows], self.y[rows]
        return Xr.T @ (Xr @ w - yr) / len(yr)

    def loss(self, path) -> np.ndarray:
        """The loss of every row of ``path`` (a single ``w`` gives one value)."""
        with np.errstate(over="ignore", invalid="ignore"):
            return 0.5 * np.mean((np.atleast_2d(path) @ self.X.T - self.y) ** 2, axis=1)

    def best_loss(self) -> float:
        """The smallest loss any ``w`` reaches (least squares)."""
        return float(self.loss(np.linalg.lstsq(self.X, self.y, rcond=None)[0])[0])


def diabetes_raw() -> tuple[np.ndarray, np.ndarray]:
    """The diabetes measurements (442 x 10) and target, unscaled, as scikit-learn ships them.

    Read straight from scikit-learn's data files (a third of a second), without importing
    scikit-learn (several seconds); ``load_diabetes(scaled=False)`` when the files moved.
    """
    spec = importlib.util.find_spec("sklearn")
    folder = Path(next(iter(spec.submodule_search_locations or ()), ".")) / "datasets" / "data"
    data, target = folder / "diabetes_data_raw.csv.gz", folder / "diabetes_target.csv.gz"
    if data.is_file() and target.is_file():
        return np.loadtxt(data), np.loadtxt(target)
    from sklearn.datasets import load_diabetes

    return load_diabetes(return_X_y=True, scaled=False)
