"""Training loops for the course's experiments, in PyTorch and in Keras.

Both trainers take the same ``TrainConfig`` (optimizer, schedule, epochs, batch size,
seed, plateau / early-stopping rules) and return the same ``History`` (per-step learning
rate and loss, per-epoch metrics, how the run ended)::

    from lrcourse.train import TrainConfig, torch_trainer   # or keras_trainer
    history = torch_trainer.fit(spec, dataset, TrainConfig(epochs=5))

``lrcourse.train`` itself imports neither framework: ``torch_trainer`` imports torch and
``keras_trainer`` imports Keras, each only when first used.
"""

import importlib

from .config import MONITORS, TrainConfig
from .history import History, diverged_message

FRAMEWORKS = {"torch": "torch_trainer", "keras": "keras_trainer"}
_LAZY = tuple(FRAMEWORKS.values())


def trainer(framework: str):
    """The trainer module of ``framework`` ("torch" or "keras"), imported on demand."""
    if framework not in FRAMEWORKS:
        raise ValueError(f"framework must be one of {', '.join(FRAMEWORKS)}; got {framework!r}")
    return importlib.import_module(f"{__name__}.{FRAMEWORKS[framework]}")


def __getattr__(name):
    if name in _LAZY:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["FRAMEWORKS", "MONITORS", "History", "TrainConfig", "diverged_message", "trainer"]
