"""NumPy optimizers with exact PyTorch and Keras twins.

Each class takes PyTorch's keywords and defaults, plus ``convention="torch" | "keras"``
choosing whose arithmetic to reproduce where the frameworks differ (eps inside or outside
the square root, lr inside the momentum buffer, L2 or decoupled weight decay, NAdam's
momentum schedule). ``opt.step(params, grads)`` updates a list of float32/float64 arrays in
place; ``opt.state`` holds the buffers; ``opt.lr`` may be changed between steps;
``opt.to_torch(torch_params)`` and ``opt.to_keras()`` build the framework optimizer that
computes the same updates.

=========  ======================  ==========================
class      torch twin              Keras twin
=========  ======================  ==========================
SGD        torch.optim.SGD         keras.optimizers.SGD
Adagrad    torch.optim.Adagrad     keras.optimizers.Adagrad
Adadelta   torch.optim.Adadelta    keras.optimizers.Adadelta
RMSprop    torch.optim.RMSprop     keras.optimizers.RMSprop
Adam       torch.optim.Adam        keras.optimizers.Adam
AdamW      torch.optim.AdamW       keras.optimizers.AdamW
Adamax     torch.optim.Adamax      keras.optimizers.Adamax
NAdam      torch.optim.NAdam       keras.optimizers.Nadam
Lion       (none in torch 2.13)    keras.optimizers.Lion
Muon       torch.optim.Muon        keras.optimizers.Muon
           (+ AdamW for non-2-D)   (AdamW inside)
=========  ======================  ==========================

Since 2023 (the torch twins are their authors' packages; where Keras has no twin,
``to_keras`` raises ``NotImplementedError``):

=================  ==============================  ==============================================
class              torch twin                      Keras twin
=================  ==============================  ==============================================
SGDScheduleFree    schedulefree.SGDScheduleFree    (none)
AdamWScheduleFree  schedulefree.AdamWScheduleFree  keras.optimizers.ScheduleFreeAdamW (a variant)
Prodigy            prodigyopt.Prodigy              (none)
DAdaptAdam         dadaptation.DAdaptAdam          (none)
=================  ==============================  ==============================================
"""

from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .base import Optimizer
from .d_adaptation import DAdaptAdam
from .lion import Lion
from .muon import Muon
from .nadam import NAdam
from .prodigy import Prodigy
from .rmsprop import RMSprop
from .schedule_free import AdamWScheduleFree, SGDScheduleFree
from .sgd import SGD

__all__ = [
    "SGD",
    "Adagrad",
    "Adadelta",
    "RMSprop",
    "Adam",
    "AdamW",
    "Adamax",
    "NAdam",
    "Lion",
    "Muon",
    "SGDScheduleFree",
    "AdamWScheduleFree",
    "Prodigy",
    "DAdaptAdam",
    "Optimizer",
]
