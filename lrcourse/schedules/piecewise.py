"""Piecewise-constant learning rates: set values between set boundaries.

Off-by-one convention: ours (like torch's ``MultiStepLR`` and optax's
``piecewise_constant_schedule``) switches AT the boundary: ``lr(t) = values[i+1]`` from
``t = boundaries[i]`` on (``t >= b``). Keras' ``PiecewiseConstantDecay`` switches one step
later (``t > b``), so ``to_keras()`` passes it ``ceil(b) - 1``; the two agree at every
integer step, which is all Keras ever evaluates.
"""

from __future__ import annotations

from .base import Schedule, TorchTwin, arg, increasing, is_integral, keras_boundary
from .base import nonnegative as check_nonnegative


def lr_list(name, values) -> list:
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{name} must be a list of numbers, got {type(values).__name__}")
    return [check_nonnegative(f"{name}[{i}]", v) for i, v in enumerate(values)]


def keras_piecewise(s) -> dict:
    return {"boundaries": [keras_boundary(b) for b in s.boundaries], "values": s.values}


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

    boundaries: list = arg(increasing)
    values: list = arg(lr_list)

    def __post_init__(self):
        super().__post_init__()
        if len(self.values) != len(self.boundaries) + 1:
            raise ValueError(
                f"values must have one more entry than boundaries (len(boundaries) + 1 = "
                f"{len(self.boundaries) + 1}), got {len(self.values)} values"
            )

    def formula(self, xp, t):
        out = self.values[0] + 0.0 * t
        for b, v in zip(self.boundaries, self.values[1:], strict=True):
            out = xp.where(t >= b, v, out)
        return out

    def _native_keras(self):
        return "PiecewiseConstantDecay", keras_piecewise(self)

    def _plot_end(self):
        return round(1.25 * self.boundaries[-1]) + 1


class MultiStepDecay(Schedule):
    """Multiply by ``gamma`` at each milestone, torch's ``MultiStepLR``.

        lr(t) = initial_lr * gamma ^ (number of milestones m with m <= t)

    The :class:`PiecewiseConstant` with values ``initial_lr * gamma**i``. Syllabus
    (ResNet, DenseNet): lr 0.1, divided by 10 at epochs 30, 60 and 90.

    >>> s = MultiStepDecay(0.1, milestones=[30, 60, 90])
    >>> s([0, 29, 30, 60, 90])
    array([0.1   , 0.1   , 0.01  , 0.001 , 0.0001])

    Twins: torch ``MultiStepLR(milestones, gamma)`` for integer milestones (native), else
    ``LambdaLR``; Keras ``PiecewiseConstantDecay`` (native, boundaries ``ceil(m) - 1``).
    """

    initial_lr: float = arg(check_nonnegative)
    milestones: list = arg(increasing)
    gamma: float = arg(check_nonnegative, 0.1)

    torch_twin = TorchTwin(
        "MultiStepLR",
        lambda s: {"milestones": s.milestones, "gamma": s.gamma},
        when=lambda s: is_integral(*s.milestones),
    )

    @property
    def boundaries(self) -> list:
        return self.milestones

    @property
    def values(self) -> list:
        return [self.initial_lr * self.gamma**i for i in range(len(self.milestones) + 1)]

    def formula(self, xp, t):
        return PiecewiseConstant(self.boundaries, self.values).formula(xp, t)

    def _native_keras(self):
        return "PiecewiseConstantDecay", keras_piecewise(self)

    def _plot_end(self):
        return round(1.25 * self.milestones[-1]) + 1
