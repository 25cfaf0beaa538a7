"""The exponential moving average both reference LR finders put on the loss.

``smooth`` (``b``) is the weight of the past, fastai's ``beta``; torch-lr-finder's
``smooth_f`` is ``1 - b``. ``b = 0`` means no smoothing.

- bias-corrected (fastai's ``AvgSmoothLoss``): ``avg = loss + b * (avg - loss)`` from
  ``avg = 0`` (torch.lerp), reported as ``avg / (1 - b ** count)``, so early values are
  not dragged towards 0;
- plain (torch-lr-finder): the first loss as is, then ``(1 - b) * loss + b * previous``
  (written ``f * loss + (1 - f) * previous`` with ``f = 1 - b``, as they do).

>>> s = LossSmoother(0.5, bias_correction=True)
>>> [s.update(x) for x in (4.0, 2.0)]   # avg 2 -> 2 / (1 - .5); avg 2 -> 2 / (1 - .25)
[4.0, 2.6666666666666665]
>>> s = LossSmoother(0.5, bias_correction=False)
>>> [s.update(x) for x in (4.0, 2.0)]
[4.0, 3.0]
"""

from __future__ import annotations

from .. import validation


class LossSmoother:
    """Online smoother: ``update(loss)`` returns the smoothed loss so far."""

    def __init__(self, smooth, *, bias_correction):
        self.smooth = validation.check_unit_interval("smooth", smooth)
        self.bias_correction = bool(bias_correction)
        self.count = 0
        self.average = 0.0

    def update(self, loss: float) -> float:
        b = self.smooth
        self.count += 1
        if self.bias_correction:
            self.average = loss + b * (self.average - loss)
            return self.average / (1.0 - b**self.count)
        if self.count == 1 or b == 0:
            self.average = loss
        else:
            f = 1.0 - b
            self.average = f * loss + (1.0 - f) * self.average
        return self.average
