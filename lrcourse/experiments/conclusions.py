"""The reference article's two conclusions, tested against a comparison's results.

The article ended: the adaptive optimizers (Adagrad, Adadelta, RMSprop, Adam at their
defaults) beat SGD under every schedule, and Adadelta was the best of all. With one seed
there was no way to tell a real difference from noise. Here a claim is

- **supported** when the difference goes the claimed way by more than ``k`` standard errors
  of the difference (``lrcourse.experiments.seeds``),
- **contradicted** when it goes the other way by more than that,
- **not distinguishable** otherwise: the seeds' spread is as large as the difference.

``check_conclusions(rows)`` takes the rows of ``compare`` (or of ``load_measured()``) and
returns one ``Verdict`` per claim, on the final validation accuracy (the test accuracy is
for the end, not for choosing).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .seeds import difference_se, tied_with_best

ADAPTIVE = ("adagrad", "adadelta", "rmsprop", "adam")
ARTICLE_SGD = ("constant", "time_based", "step_decay", "exp_decay")
METRIC = "final_val_accuracy"


@dataclass(frozen=True)
class Verdict:
    claim: str
    verdict: str  # "supported", "contradicted", "not distinguishable" or "cannot tell"
    evidence: str

    def __str__(self) -> str:
        return f"{self.claim}: {self.verdict.upper()} -- {self.evidence}"


def _stats(rows, names):
    """The rows of ``names`` that have a mean (a run whose every seed diverged has none)."""
    return [r for r in rows if r["run"] in names and not math.isnan(r[f"{METRIC}_mean"])]


def _best(rows):
    return max(rows, key=lambda r: r[f"{METRIC}_mean"])


def _seeds(rows) -> int:
    return min(int(r["seeds"]) for r in rows)


def adaptive_beat_sgd(rows, k: float = 2.0) -> Verdict:
    """Best adaptive optimizer against the best of the article's SGD runs."""
    claim = "adaptive methods beat SGD with the article's schedules"
    adaptive, sgd = _stats(rows, ADAPTIVE), _stats(rows, ARTICLE_SGD)
    if not adaptive or not sgd:
        return Verdict(claim, "cannot tell", "the comparison lacks adaptive or SGD runs")
    a, s = _best(adaptive), _best(sgd)
    n = _seeds([a, s])
    stds = (a[f"{METRIC}_std"], s[f"{METRIC}_std"])
    evidence = (
        f"best adaptive {a['run']} {a[f'{METRIC}_mean']:.3f} ± {stds[0]:.3f}, best SGD "
        f"{s['run']} {s[f'{METRIC}_mean']:.3f} ± {stds[1]:.3f} ({n} seeds)"
    )
    if n < 2 or any(math.isnan(x) for x in stds):
        return Verdict(claim, "cannot tell", evidence + ": one seed has no spread")
    diff = a[f"{METRIC}_mean"] - s[f"{METRIC}_mean"]
    se = float(difference_se(stds[0], stds[1], n, n))
    evidence += f"; difference {diff:+.3f}, {k:g} standard errors = {k * se:.3f}"
    if diff > k * se:
        return Verdict(claim, "supported", evidence)
    if diff < -k * se:
        return Verdict(claim, "contradicted", evidence)
    return Verdict(claim, "not distinguishable", evidence)


def adadelta_is_best(rows, k: float = 2.0) -> Verdict:
    """Adadelta against every other run: alone at the top, tied with the best, or beaten."""
    claim = "Adadelta is the best"
    valid = _stats(rows, [r["run"] for r in rows])
    if "adadelta" not in [r["run"] for r in valid] or len(valid) < 2:
        return Verdict(claim, "cannot tell", "the comparison lacks Adadelta or other runs")
    n = _seeds(valid)
    means = np.array([r[f"{METRIC}_mean"] for r in valid])
    stds = np.array([r[f"{METRIC}_std"] for r in valid])
    best = valid[int(np.argmax(means))]
    where = [r["run"] for r in valid].index("adadelta")
    evidence = (
        f"adadelta {means[where]:.3f} ± {stds[where]:.3f}, best {best['run']} "
        f"{best[f'{METRIC}_mean']:.3f} ({n} seeds)"
    )
    if n < 2 or np.isnan(stds).any():
        return Verdict(claim, "cannot tell", evidence + ": one seed has no spread")
    tied = [valid[i]["run"] for i in tied_with_best(means, stds, n, k)]
    evidence += f"; within {k:g} standard errors of the best: {', '.join(tied)}"
    if tied == ["adadelta"]:
        return Verdict(claim, "supported", evidence)
    if "adadelta" in tied:
        return Verdict(claim, "not distinguishable", evidence)
    return Verdict(claim, "contradicted", evidence)


def check_conclusions(rows, k: float = 2.0) -> list[Verdict]:
    """Both of the article's conclusions, tested on ``rows``."""
    return [adaptive_beat_sgd(rows, k), adadelta_is_best(rows, k)]
