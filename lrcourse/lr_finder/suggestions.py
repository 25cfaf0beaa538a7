"""Picking a learning rate from a range test's curve: the references' rules.

Each rule takes the window of the curve (lrs and smoothed losses, see ``styles.py``) and
returns the index of the point it picks; the suggested lr is ``lrs[index]``, except
``minimum`` which suggests a tenth of it.

- ``steepest`` (torch-lr-finder): ``argmin(np.gradient(losses))``, the steepest descent
  per batch (central differences; per log-lr step on an exponential grid).
- ``steep`` (fastai): ``argmin(diff(losses) / diff(log(lrs)))``, forward differences per
  unit of log lr; the lr at the start of the steepest segment.
- ``valley`` (fastai's default): find the longest decreasing stretch of the curve, as the
  longest strictly decreasing subsequence ending at ``e`` (``lds[e]`` points, not
  necessarily adjacent); with ``s = e - lds[e]`` pick ``s + (e - s) // 3 + (e - s) // 6``,
  about half-way down the valley. fastai's ``s`` is one before the valley's first point;
  when the longest valley is the window's first two points that gives index -1, which
  Python reads as the *largest* lr. We clamp it to 0 instead (the only departure).
- ``minimum`` (fastai): the lr of the lowest loss, divided by 10.

The syllabus' rule, "where the loss falls fastest, before it blows up", is ``steepest``
or ``steep``.

>>> import numpy as np
>>> lrs = 10.0 ** np.arange(-5, 1.0)
>>> losses = np.array([2.0, 1.9, 1.5, 0.8, 0.7, 3.0])
>>> [int(f(lrs, losses)) for f in (steepest, steep, valley, minimum)]
[2, 2, 0, 4]
"""

from __future__ import annotations

import numpy as np


def steepest(lrs, losses) -> int:
    """torch-lr-finder: index of the most negative ``np.gradient(losses)``."""
    return int(np.argmin(np.gradient(np.asarray(losses, dtype=np.float64))))


def steep(lrs, losses) -> int:
    """fastai: index of the most negative forward difference per unit of log lr."""
    lrs, losses = np.asarray(lrs, dtype=np.float64), np.asarray(losses, dtype=np.float64)
    steps = np.log(lrs[1:]) - np.log(lrs[:-1])
    if np.any(steps <= 0):
        raise ValueError(
            "method 'steep' divides by the log-lr step between batches, which is 0 where the "
            "lr repeats (step_mode='doubling'); use 'steepest' (per batch) instead"
        )
    grads = (losses[1:] - losses[:-1]) / steps
    return int(np.argmin(grads))


def valley(lrs, losses) -> int:
    """fastai: a third-and-a-half of the way into the longest decreasing run (see above)."""
    n = len(losses)
    max_start, max_end = 0, 0
    lds = [1] * n
    for i in range(1, n):
        for j in range(i):
            if losses[i] < losses[j] and lds[i] < lds[j] + 1:
                lds[i] = lds[j] + 1
            if lds[max_end] < lds[i]:
                max_end = i
                max_start = max_end - lds[max_end]
    sections = (max_end - max_start) / 3
    return max(0, max_start + int(sections) + int(sections / 2))


def minimum(lrs, losses) -> int:
    """fastai: index of the lowest loss (the suggestion is a tenth of its lr)."""
    return int(np.argmin(np.asarray(losses, dtype=np.float64)))


# name -> (rule, divisor): the suggestion is lrs[rule(lrs, losses)] / divisor
METHODS = {
    "steepest": (steepest, 1),
    "steep": (steep, 1),
    "valley": (valley, 1),
    "minimum": (minimum, 10),
}
MIN_POINTS = 2
