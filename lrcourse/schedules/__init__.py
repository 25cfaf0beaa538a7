"""Learning-rate schedules in NumPy, each with its PyTorch and Keras twins.

A schedule is a small object, a pure function of the step (optax's design)::

    lr = schedule(step)        # step: updates already done (0-based); number or array

Update ``k`` uses ``schedule(k)``: what a torch scheduler gives after ``k`` calls to
``scheduler.step()`` and what Keras evaluates at ``optimizer.iterations == k``. For
per-epoch use, feed the epoch number. Every schedule also has ``to_torch(optimizer)``,
``to_keras()``, ``to_keras_callback()`` (per epoch) and ``plot()``.

===========================  =====================================  ================================
class                        torch twin                             Keras twin
===========================  =====================================  ================================
Constant                     LambdaLR                               generic (keras.ops)
InverseTimeDecay             LambdaLR                               InverseTimeDecay
StepDecay                    StepLR (integer step_size)             ExponentialDecay(staircase=True)
MultiStepDecay               MultiStepLR (integer milestones)       PiecewiseConstantDecay (b - 1)
PiecewiseConstant            LambdaLR                               PiecewiseConstantDecay (b - 1)
ExponentialDecay             ExponentialLR (D == 1) / StepLR        ExponentialDecay
                             (staircase, integer D) / LambdaLR
ContinuousExponentialDecay   ExponentialLR(gamma=exp(-k))           generic (keras.ops)
PolynomialDecay              PolynomialLR (end 0, no cycle, k 1)    PolynomialDecay (k 1) / generic
CosineDecay                  LambdaLR (CosineAnnealingLR is not     CosineDecay (warm-up included;
                             clamped after T_max)                   k 1) / generic
CosineRestarts               CosineAnnealingWarmRestarts (m_mul 1,  CosineDecayRestarts (no timm
                             integer t_mul, no timm options) /      options) / generic
                             LambdaLR
TanhDecay                    LambdaLR                               generic (keras.ops)
CyclicLR                     CyclicLR(cycle_momentum=False)         generic (keras.ops)
OneCycle                     OneCycleLR(cycle_momentum=False)       generic (keras.ops)
LinearWarmup                 LambdaLR                               CosineDecay with warm-up (after
                                                                    a CosineDecay) / generic
InverseSqrt                  LambdaLR                               generic (keras.ops)
WarmupLinearDecay            LambdaLR                               generic (keras.ops)
WarmupStableDecay            LambdaLR                               generic (keras.ops)
LRNoise                      LambdaLR                               none (to_keras_callback)
Sequence (join)              LambdaLR                               generic (keras.ops)
LambdaSchedule               LambdaLR                               generic (keras.ops)
===========================  =====================================  ================================

Each schedule is a frozen dataclass: its fields are its arguments, its ``formula`` is
written once for NumPy and keras.ops, and its native twins are declared as records
(``keras_twin``, ``torch_twin``); see :mod:`lrcourse.schedules.base`. torch and keras are
imported only inside ``to_torch`` / ``to_keras``.
"""

from .base import Schedule
from .combinators import LambdaSchedule, Sequence, join
from .constant import Constant
from .cosine import CosineDecay, CosineRestarts
from .cyclic import CyclicLR, OneCycle
from .decay import (
    ContinuousExponentialDecay,
    ExponentialDecay,
    InverseTimeDecay,
    PolynomialDecay,
    StepDecay,
)
from .noise import LRNoise
from .piecewise import MultiStepDecay, PiecewiseConstant
from .tanh import TanhDecay
from .warmup import InverseSqrt, LinearWarmup, WarmupLinearDecay, WarmupStableDecay

__all__ = [
    "Schedule",
    "Constant",
    "InverseTimeDecay",
    "StepDecay",
    "MultiStepDecay",
    "PiecewiseConstant",
    "ExponentialDecay",
    "ContinuousExponentialDecay",
    "PolynomialDecay",
    "CosineDecay",
    "CosineRestarts",
    "TanhDecay",
    "CyclicLR",
    "OneCycle",
    "LinearWarmup",
    "InverseSqrt",
    "WarmupLinearDecay",
    "WarmupStableDecay",
    "LRNoise",
    "Sequence",
    "join",
    "LambdaSchedule",
]
