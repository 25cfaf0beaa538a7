"""Several seeds of one run: the mean, the spread, a confidence interval, and ties.

One training run is one draw: the initial weights, the data order and dropout all depend on
the seed, and on a small network two seeds of the same configuration can differ by more
than two configurations do. So every run of a comparison is repeated over ``n`` seeds and
reported as

- the **mean** ``m = sum(x) / n``;
- the **sample standard deviation** ``s = sqrt(sum((x - m)**2) / (n - 1))`` (``ddof=1``:
  the mean was estimated from the same values, which leaves ``n - 1`` degrees of freedom);
- the **standard error** of the mean, ``s / sqrt(n)``;
- a **t confidence interval** ``m ± t * s / sqrt(n)`` with ``t`` the ``(1 + c) / 2``
  quantile of Student's t with ``n - 1`` degrees of freedom (``c`` = 0.95: t = 4.303 for 3
  seeds, 2.776 for 5, 1.96 only as ``n`` grows without bound).

Worked example: accuracies 0.62, 0.65, 0.59 over 3 seeds: m = 0.62, s = 0.03, standard
error 0.0173, 95% interval 0.62 ± 4.303 x 0.0173 = [0.5455, 0.6945].

Two runs are **indistinguishable** at ``k`` standard errors when their means differ by at
most ``k`` standard errors of the *difference*, ``sqrt(s_a**2 / n_a + s_b**2 / n_b)``
(standard errors add in quadrature). ``tied_with_best`` lists the runs that cannot be told
apart from the best one this way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import validation


def t_quantile(confidence: float, dof: int) -> float:
    """The ``(1 + confidence) / 2`` quantile of Student's t with ``dof`` degrees of freedom:
    ``t_quantile(0.95, 2) = 4.303``."""
    validation.check_number(
        "confidence", confidence, low=0.0, high=1.0, low_open=True, high_open=True
    )
    validation.check_int("dof", dof, low=1)
    from scipy import stats

    return float(stats.t.ppf((1 + confidence) / 2, dof))


def _values(name: str, values, *, at_least: int) -> np.ndarray:
    x = np.asarray(values, dtype=float)
    if x.ndim != 1 or x.size < at_least:
        raise ValueError(
            f"{name} must be a 1-D sequence of at least {at_least} numbers, got shape {x.shape}"
        )
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must be finite numbers, got {x.tolist()}")
    return x


@dataclass(frozen=True)
class SeedSummary:
    """Mean, sample standard deviation (ddof=1) and t interval of one run's seeds."""

    n: int
    mean: float
    std: float
    sem: float  # standard error of the mean, std / sqrt(n)
    t: float  # the t quantile used
    low: float
    high: float

    def __str__(self) -> str:
        interval = f"[{self.low:.3f}, {self.high:.3f}]"
        return f"{self.mean:.3f} ± {self.std:.3f} (n={self.n}, interval {interval})"


def summarise_seeds(values, confidence: float = 0.95) -> SeedSummary:
    """``m ± t * s / sqrt(n)`` over the seeds' values (at least 2: one value has no spread).

    >>> s = summarise_seeds([0.62, 0.65, 0.59])
    >>> round(s.mean, 4), round(s.std, 4), round(s.low, 4), round(s.high, 4)
    (0.62, 0.03, 0.5455, 0.6945)
    """
    x = _values("values", values, at_least=2)
    n = x.size
    mean = float(np.mean(x))
    std = float(np.std(x, ddof=1))
    sem = std / math.sqrt(n)
    t = t_quantile(confidence, n - 1)
    return SeedSummary(n, mean, std, sem, t, mean - t * sem, mean + t * sem)


def rank(means, higher_is_better: bool = True) -> np.ndarray:
    """The indices of the runs, best first; equal means keep their order (a stable sort).

    >>> rank([0.7, 0.8, 0.7]).tolist()
    [1, 0, 2]
    """
    x = _values("means", means, at_least=1)
    return np.argsort(-x if higher_is_better else x, kind="stable")


def difference_se(std_a, std_b, n_a: int, n_b: int):
    """The standard error of ``mean_a - mean_b``: ``sqrt(std_a**2 / n_a + std_b**2 / n_b)``."""
    return np.sqrt(np.asarray(std_a) ** 2 / n_a + np.asarray(std_b) ** 2 / n_b)


def tied_with_best(means, stds, n_seeds: int, k: float = 2.0) -> np.ndarray:
    """The indices (ascending) of the runs whose mean is within ``k`` standard errors of the
    difference of the best (highest) mean, the best run included; every run has ``n_seeds``
    seeds.

    >>> tied_with_best([0.80, 0.78, 0.70], [0.02, 0.03, 0.01], 3, k=2.0).tolist()
    [0, 1]
    """
    m = _values("means", means, at_least=1)
    s = _values("stds", stds, at_least=1)
    if s.shape != m.shape:
        raise ValueError(f"stds must have one value per run ({m.size}), got {s.size}")
    validation.check_int("n_seeds", n_seeds, low=2)
    validation.check_nonnegative("k", k)
    best = int(np.argmax(m))
    se = difference_se(s[best], s, n_seeds, n_seeds)
    return np.flatnonzero(m[best] - m <= k * se)
