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
PolynomialDecay              PolynomialLR (end 0, no cycle)         PolynomialDecay
CosineDecay                  LambdaLR (CosineAnnealingLR is not     CosineDecay (warm-up included)
                             clamped after T_max)
CosineRestarts               CosineAnnealingWarmRestarts (m_mul 1,  CosineDecayRestarts
                             integer t_mul) / LambdaLR
CyclicLR                     CyclicLR(cycle_momentum=False)         generic (keras.ops)
OneCycle                     OneCycleLR(cycle_momentum=False)       generic (keras.ops)
LinearWarmup                 LambdaLR                               CosineDecay with warm-up (after
                                                                    a CosineDecay) / generic
InverseSqrt                  LambdaLR                               generic (keras.ops)
WarmupLinearDecay            LambdaLR                               generic (keras.ops)
Sequence (join)              LambdaLR                               generic (keras.ops)
LambdaSchedule               LambdaLR                               generic (keras.ops)
===========================  =====================================  ================================

torch and keras are imported only inside ``to_torch`` / ``to_keras``.
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
from .piecewise import MultiStepDecay, PiecewiseConstant
from .warmup import InverseSqrt, LinearWarmup, WarmupLinearDecay

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
    "CyclicLR",
    "OneCycle",
    "LinearWarmup",
    "InverseSqrt",
    "WarmupLinearDecay",
    "Sequence",
    "join",
    "LambdaSchedule",
]
