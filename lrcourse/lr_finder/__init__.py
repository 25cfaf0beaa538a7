"""The learning-rate range test (LR finder), framework-free, with torch and Keras adapters.

    result = range_test(train_step, start_lr=1e-7, end_lr=10.0, num_iter=100)
    result.plot()                 # loss against lr, log axis, suggestion marked
    lr = result.suggest()         # "valley" (fastai style, default) or "steepest", ...

``train_step(lr) -> loss`` trains one batch at ``lr``; the test grows the lr every batch
and stops when the smoothed loss blows up (syllabus section 5). Two reference
implementations are reproduced exactly, chosen with ``style=``: fastai's ``lr_find``
(default) and torch-lr-finder's ``range_test``; ``styles.py`` tabulates their grids,
smoothing, stop rules and suggestions, ``step_mode="doubling"`` is the guide's variant.

=====================  =========================================  ===========================
NumPy                  PyTorch                                    Keras
=====================  =========================================  ===========================
range_test(train_step) torch_range_test(model, optimizer,         keras_range_test(model,
                       loss_fn, batches, **kw)                    batches, loss_fn=None, **kw)
=====================  =========================================  ===========================

Neither framework ships an LR finder: the adapters are the twins. They save the model
and optimizer state, run the test, and restore both, so the test never changes the model
you go on to train. torch, keras and matplotlib are imported only inside the adapters and
``LRFinderResult.plot``.
"""

from .batches import cycle_batches
from .grid import lr_grid
from .keras_adapter import keras_range_test
from .range_test import range_test
from .result import LRFinderResult
from .smoothing import LossSmoother
from .styles import STYLES
from .suggestions import METHODS
from .torch_adapter import torch_range_test

__all__ = [
    "range_test",
    "LRFinderResult",
    "lr_grid",
    "torch_range_test",
    "keras_range_test",
    "cycle_batches",
    "LossSmoother",
    "STYLES",
    "METHODS",
]
