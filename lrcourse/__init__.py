"""lrcourse: learning rates in deep learning, from scratch in NumPy.

Subpackages (imported on first use, so ``import lrcourse`` stays fast and never pulls in
torch or TensorFlow):

- ``lrcourse.optim``: update rules (SGD, Adagrad, Adadelta, RMSprop, Adam, AdamW, Adamax,
  NAdam, Lion) with exact PyTorch and Keras twins.
- ``lrcourse.schedules``: learning-rate schedules, vectorised over steps, with twins.
- ``lrcourse.callbacks``: ReduceLROnPlateau and EarlyStopping as small state machines.
- ``lrcourse.lr_finder``: the learning-rate range test.
- ``lrcourse.plots``: the course's plotting style.
- ``lrcourse.data``, ``lrcourse.models``, ``lrcourse.train``, ``lrcourse.experiments``:
  CIFAR-10 (or the bundled digits), the reference CNN and a fast ResNet in both
  frameworks, trainers where any technique drives the lr, and the reference comparison.
- ``lrcourse.grading``, ``lrcourse.widgets``: the course's checks and explorers.
"""

import importlib

__version__ = "0.1.0"

_SUBMODULES = (
    "optim",
    "schedules",
    "callbacks",
    "lr_finder",
    "plots",
    "validation",
    "grading",
    "data",
    "experiments",
    "models",
    "train",
    "widgets",
)


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'lrcourse' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES))
