"""The learning-rate range test ("LR finder"), driven by a ``train_step(lr) -> loss`` callable.

The rule (syllabus section 5): train one batch at each lr of a grid that starts tiny
(1e-7) and grows every batch up to a large value (10), record the loss, and stop when it
blows up; then plot loss against lr (log axis) and pick an lr where the loss falls
fastest, before it blows up. Per batch i:

    loss_i = train_step(lr_i)                 lr_i from lr_grid (grid.py)
    s_i    = smoothed loss_i                  (smoothing.py)
    best   = min(best, s_i)
    stop if loss_i is NaN or +-inf            ("non-finite loss")
    stop if s_i > diverge_th * best           ("diverged"; the batch is recorded first)

Defaults: ``style="fastai"`` (its grid, bias-corrected smoothing 0.98, stop at 4x best,
"valley" suggestion); ``style="torch-lr-finder"`` reproduces that package instead (grid up
to end_lr inclusive, plain smoothing 0.95 i.e. smooth_f 0.05, stop at 5x best,
"steepest" suggestion). ``styles.py`` has the table and our few deliberate departures.
``step_mode="doubling"`` is the guide's variant: double the lr every ``double_every``
batches (100 in the guide) until ``end_lr``.

A worked example on a synthetic loss that falls fastest at lr = 1e-3 (in log lr) and
blows up past 1:

>>> import math
>>> def train_step(lr):
...     x = math.log10(lr) + 3.0                  # 0 at lr = 1e-3
...     return 1.0 - 0.5 * math.tanh(x) + (lr if lr > 1.0 else 0.0) ** 3
>>> raw = range_test(train_step, smooth=0.0)        # fastai grid, no smoothing
>>> f"{raw.suggest('steepest'):.2e}", raw.stop_reason[:8]
('1.00e-03', 'diverged')
>>> smoothed = range_test(train_step)              # fastai's default smoothing, 0.98
>>> f"{smoothed.suggest('steepest'):.2e}", f"{smoothed.suggest():.2e}"  # default: valley
('6.31e-03', '6.92e-04')

The moving average lags behind the lr, which rises by 1.2x a batch here: the steepest
point of the smoothed curve sits 0.8 decade to the right of the true one. That is why
fastai suggests from the valley, and why a slower ramp (more ``num_iter``) reads better.

Costs and caveats (the texts'): the test is extra training runs; too fast a ramp can
mislead (the loss lags behind the lr, so the curve is shifted right).

Framework twins: ``torch_range_test`` (torch_adapter.py) and ``keras_range_test``
(keras_adapter.py) build the ``train_step`` for a torch / Keras model and put the model
and its optimizer back as they were afterwards.
"""

from __future__ import annotations

import math

import numpy as np

from .. import validation
from ..callbacks.improvement import check_metric
from .grid import lr_grid
from .result import LRFinderResult
from .smoothing import LossSmoother
from .styles import STYLES


def range_test(
    train_step,
    start_lr=1e-7,
    end_lr=10.0,
    num_iter=100,
    step_mode="exp",
    smooth=None,
    diverge_th=None,
    *,
    style="fastai",
    double_every=100,
    stop_div=True,
) -> LRFinderResult:
    """Run the range test; see the module docstring.

    train_step:  callable ``train_step(lr) -> loss``: trains one batch at ``lr`` and
                 returns its loss as a float (>= 0 when ``stop_div``).
    start_lr, end_lr, num_iter, step_mode, double_every: the lr grid (``lr_grid``).
    smooth:      weight of the past in the loss average, in [0, 1); None = the style's
                 (fastai 0.98, torch-lr-finder 0.95 = 1 - smooth_f).
    diverge_th:  stop when the smoothed loss exceeds ``diverge_th * best``; None = the
                 style's (fastai 4, torch-lr-finder 5). Must be >= 1.
    style:       "fastai" (default) or "torch-lr-finder".
    stop_div:    False to run the whole grid whatever the loss does (fastai's option);
                 a NaN or infinite loss stops the test anyway.
    """
    if not callable(train_step):
        raise TypeError(f"train_step must be a callable train_step(lr) -> loss, got {train_step!r}")
    style = validation.check_choice("style", style, STYLES)
    defaults = STYLES[style]
    lrs = lr_grid(start_lr, end_lr, num_iter, step_mode, style, double_every)
    smoother = LossSmoother(
        defaults.smooth if smooth is None else smooth, bias_correction=defaults.bias_correction
    )
    diverge_th = defaults.diverge_th if diverge_th is None else diverge_th
    diverge_th = validation.check_number("diverge_th", diverge_th, low=1.0)
    if not isinstance(stop_div, bool):
        raise TypeError(f"stop_div must be True or False, got {stop_div!r}")

    record_lrs, record_losses, record_smoothed = [], [], []
    best, stop_reason = math.inf, None
    for i, lr in enumerate(lrs.tolist()):
        loss = check_metric("the value train_step returned", train_step(lr))
        record_lrs.append(lr)
        record_losses.append(loss)
        smoothed = smoother.update(loss)
        record_smoothed.append(smoothed)
        if not math.isfinite(loss):
            stop_reason = f"non-finite loss: {loss} at lr {lr:.3g} (batch {i})"
            break
        if stop_div and loss < 0:
            raise ValueError(
                f"train_step returned a negative loss ({loss}) at lr {lr:.3g}: the stop rule "
                f"(smoothed loss > diverge_th x best) assumes losses >= 0; shift the loss "
                "or pass stop_div=False"
            )
        best = min(best, smoothed)
        if stop_div and smoothed > diverge_th * best:
            stop_reason = (
                f"diverged: smoothed loss {smoothed:.4g} > {diverge_th:g} x best {best:.4g} "
                f"at lr {lr:.3g} (batch {i})"
            )
            break
    return LRFinderResult(
        lrs=np.array(record_lrs, dtype=np.float64),
        losses=np.array(record_losses, dtype=np.float64),
        smoothed=np.array(record_smoothed, dtype=np.float64),
        style=style,
        num_iter=validation.check_int("num_iter", num_iter, low=2),
        stop_reason=stop_reason,
    )
