"""Running averages, the building block of every adaptive optimizer.

Each helper updates ``avg`` in place using one scratch array ``tmp`` (which may be ``x``
itself), so an update rule reads like its formula and allocates nothing.
"""

from __future__ import annotations

import numpy as np


def lerp_(avg, x, weight, tmp):
    """avg <- avg + weight * (x - avg)   (torch's ``lerp_``; Keras' ``m += (g - m) * (1 - b)``)."""
    np.subtract(x, avg, out=tmp)
    tmp *= weight
    avg += tmp


def decay_add_(avg, x, decay, weight, tmp):
    """avg <- decay * avg + weight * x   (Keras' ``rho * a + (1 - rho) * x``)."""
    avg *= decay
    np.multiply(x, weight, out=tmp)
    avg += tmp


def decay_add_square_(avg, g, decay, tmp):
    """avg <- decay * avg + (1 - decay) * g * g   (torch's ``mul_(decay).addcmul_(g, g)``)."""
    avg *= decay
    np.multiply(g, 1 - decay, out=tmp)
    tmp *= g
    avg += tmp
