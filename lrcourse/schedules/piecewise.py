"""Piecewise-constant learning rates: set values between set boundaries.

Off-by-one convention: ours (like torch's ``MultiStepLR`` and optax's
``piecewise_constant_schedule``) switches AT the boundary: ``lr(t) = values[i+1]`` from
``t = boundaries[i]`` on (``t >= b``). Keras' ``PiecewiseConstantDecay`` switches one step
later (``t > b``), so ``to_keras()`` passes it ``ceil(b) - 1``; the two agree at every
integer step, which is all Keras ever evaluates.
"""

from __future__ import annotations

from .. import validation
from .base import Schedule, check_increasing, is_integral, keras_boundary


class PiecewiseConstant(Schedule):
    """Constant pieces: ``values[0]`` before ``boundaries[0]``, ``values[i]`` from
    ``boundaries[i-1]`` (included) to ``boundaries[i]`` (excluded), ``values[-1]`` after.

        lr(t) = values[ number of boundaries b with b <= t ]

    Syllabus: "hold 10 epochs, then halve every 10":

    >>> s = PiecewiseConstant(boundaries=[10, 20, 30], values=[0.1, 0.05, 0.025, 0.0125])
    >>> s([0, 9, 10, 20, 29, 30, 100])
    array([0.1   , 0.1   , 0.05  , 0.025 , 0.025 , 0.0125, 0.0125])

    Twins: torch ``LambdaLR`` (torch has no piecewise-constant scheduler; ``MultiStepLR``
    only multiplies); Keras ``PiecewiseConstantDecay`` (native, boundaries shifted to
    ``ceil(b) - 1``: see the module docstring).
    """

    def __init__(self, boundaries, values):
        self.boundaries = check_increasing("boundaries", boundaries)
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise TypeError(f"values must be a list of numbers, got {type(values).__name__}")
        self.values = [
            validation.check_nonnegative(f"values[{i}]", v) for i, v in enumerate(values)
        ]
        if len(self.values) != len(self.boundaries) + 1:
            raise ValueError(
                f"values must have one more entry than boundaries (len(boundaries) + 1 = "
                f"{len(self.boundaries) + 1}), got {len(self.values)} values"
            )

    def _formula(self, xp, t):
        out = self.values[0] + 0.0 * t
        for b, v in zip(self.boundaries, self.values[1:], strict=True):
            out = xp.where(t >= b, v, out)
        return out

    def _keras_native(self):
        return "PiecewiseConstantDecay", {
            "boundaries": [keras_boundary(b) for b in self.boundaries],
            "values": list(self.values),
        }

    def _horizon(self):
        return round(1.25 * self.boundaries[-1]) + 1

    def _args(self):
        return {"boundaries": self.boundaries, "values": self.values}


class MultiStepDecay(PiecewiseConstant):
    """Multiply by ``gamma`` at each milestone, torch's ``MultiStepLR``.

        lr(t) = initial_lr * gamma ^ (number of milestones m with m <= t)

    A :class:`PiecewiseConstant` with values ``initial_lr * gamma**i``. Syllabus
    (ResNet, DenseNet): lr 0.1, divided by 10 at epochs 30, 60 and 90.

    >>> s = MultiStepDecay(0.1, milestones=[30, 60, 90])
    >>> s([0, 29, 30, 60, 90])
    array([0.1   , 0.1   , 0.01  , 0.001 , 0.0001])

    Twins: torch ``MultiStepLR(milestones, gamma)`` for integer milestones (native), else
    ``LambdaLR``; Keras ``PiecewiseConstantDecay`` (native, boundaries ``ceil(m) - 1``).
    """

    def __init__(self, initial_lr, milestones, gamma=0.1):
        self.initial_lr = validation.check_nonnegative("initial_lr", initial_lr)
        self.gamma = validation.check_nonnegative("gamma", gamma)
        milestones = check_increasing("milestones", milestones)
        values = [self.initial_lr * self.gamma**i for i in range(len(milestones) + 1)]
        super().__init__(milestones, values)

    @property
    def milestones(self):
        return self.boundaries

    def _torch_native(self):
        if not is_integral(*self.milestones):
            return None
        kwargs = {"milestones": [int(m) for m in self.milestones], "gamma": self.gamma}
        return "MultiStepLR", kwargs, self.initial_lr

    def _args(self):
        return {"initial_lr": self.initial_lr, "milestones": self.milestones, "gamma": self.gamma}
