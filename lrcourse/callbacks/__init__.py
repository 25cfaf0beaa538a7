"""Performance-based learning-rate control: ReduceLROnPlateau and EarlyStopping.

Both are small framework-free state machines fed once per epoch with the monitored
metric (syllabus section 4); each has its framework twins:

=================  ===========================================  =================================
class              PyTorch twin                                 Keras twin
=================  ===========================================  =================================
ReduceLROnPlateau  torch.optim.lr_scheduler.ReduceLROnPlateau    keras.callbacks.ReduceLROnPlateau
                   (same arguments, same lrs bit for bit)       (patience + 1, cooldown + 1,
                                                                min_delta = threshold, abs only)
EarlyStopping      none: a torch loop uses this class           keras.callbacks.EarlyStopping
                                                                (same arguments)
=================  ===========================================  =================================

- ``ReduceLROnPlateau(...).update(metric, lr) -> new_lr`` follows torch's counting
  (fires at the ``patience + 1``-th epoch without improvement);
- ``EarlyStopping(...).update(metric, weights=None) -> stop`` follows Keras' (fires at
  the ``patience``-th);
- both decide "improved?" with the one rule in ``improvement.py`` (NaN never improves);
- ``interplay`` shows how the two get in each other's way, and the fixes; ``twin_runs``
  runs the same interplay with PyTorch's scheduler and Keras' callbacks.

torch and keras are imported only inside ``to_torch`` / ``to_keras``.
"""

from .early_stopping import EarlyStopping
from .improvement import is_improvement
from .interplay import PlateauStoppingRun, plateau_prone_metrics, simulate_plateau_and_stopping
from .reduce_lr_on_plateau import ReduceLROnPlateau

__all__ = [
    "ReduceLROnPlateau",
    "EarlyStopping",
    "is_improvement",
    "simulate_plateau_and_stopping",
    "plateau_prone_metrics",
    "PlateauStoppingRun",
]
