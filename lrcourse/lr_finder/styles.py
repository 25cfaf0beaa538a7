"""The two reference LR finders this package reproduces, side by side.

========================  ==================================  ===================================
style                     ``"fastai"`` (default)              ``"torch-lr-finder"``
========================  ==================================  ===================================
source                    fastai ``Learner.lr_find`` and its  torch-lr-finder (davidtvs)
                          ``LRFinder`` callback               ``LRFinder.range_test``
lr of batch i, "exp"      start * (end/start)^(i / N)         start * (end/start)^(i / (N-1))
                          (never reaches end)                 (last batch at end)
lr of batch i, "linear"   start + (i / N) (end - start)       start + (i / (N-1)) (end - start)
smoothing, smooth = b     avg = loss + b (avg - loss) from    s0 = loss0, then
                          avg = 0; s = avg / (1 - b^count)    s = (1 - b) loss + b s_prev
                          (AvgSmoothLoss, bias-corrected)     (smooth_f = 1 - b, no correction)
default ``smooth``        0.98                                0.95 (smooth_f 0.05)
stop ("diverged")         s > 4 * min(s so far)               s > 5 * min(s so far)
suggestion window         s[N // 10 : -5]                     s[10 : -5] (skip_start 10,
                                                              skip_end 5)
default suggestion        ``"valley"``                        ``"steepest"``
========================  ==================================  ===================================

N is ``num_iter`` (fastai's ``num_it``), the number of batches asked for; both record the
smoothed loss and stop *after* recording the batch that diverged. ``"doubling"`` (the
guide's variant, lr doubled every ``double_every`` batches) uses the same grid in both
styles; the style then only picks the smoothing, the stop rule and the suggestions.

Where we depart from the references, on purpose:
- a NaN or infinite loss stops the test (reason "non-finite loss"); torch-lr-finder and
  fastai carry on (NaN > 4 * best is False) and torch-lr-finder's ``np.gradient``
  suggestion would then pick the NaN point;
- fastai silently raises ``num_it`` below 6 to 6; we use ``num_iter`` as given (>= 2);
- fastai computes in float32 tensors (losses, and ``tensor(lrs)`` for its suggestions);
  we stay in float64 (differences at float32 rounding level);
- suggestions need at least 2 points in the window (else a ValueError saying how many
  batches are needed); fastai would index an empty tensor;
- fastai's valley can index -1 (the largest lr) for a two-point valley at the window's
  start; we clamp to 0 (``suggestions.py``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Style:
    """What one reference implementation does; see the table above."""

    name: str
    denominator_offset: int  # exp/linear grid exponent: i / (num_iter - denominator_offset)
    smooth: float  # default ``smooth``: weight of the past in the moving average
    bias_correction: bool
    diverge_th: float
    default_suggestion: str
    skip_end: int = 5

    def skip_start(self, num_iter: int) -> int:
        """Batches left out at the start of the suggestion window."""
        return num_iter // 10 if self.name == "fastai" else 10


STYLES = {
    "fastai": Style("fastai", 0, 0.98, True, 4.0, "valley"),
    "torch-lr-finder": Style("torch-lr-finder", 1, 0.95, False, 5.0, "steepest"),
}
