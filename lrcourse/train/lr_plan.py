"""The learning rate of every update of a run, decided before it starts.

``planned_lrs(config, total_steps)`` evaluates an lrcourse schedule (vectorised) or the
constant learning rate at steps ``0 .. total_steps-1``. The PyTorch trainer sets
``lrs[k]`` on the optimizer before update ``k``; a plateau rule overwrites the rest of the
plan when it lowers the rate. Framework-native schedulers are not planned: they run.
"""

from __future__ import annotations

import numpy as np

from .config import TrainConfig, check_schedule, is_lrcourse_schedule, is_number


def planned_lrs(config: TrainConfig, total_steps: int) -> np.ndarray | None:
    """float64 array of ``total_steps`` learning rates, or None for a native scheduler."""
    schedule = config.schedule
    check_schedule(schedule)
    if is_lrcourse_schedule(schedule):
        lrs = np.asarray(schedule(np.arange(total_steps)), dtype=np.float64)
        lrs = np.broadcast_to(lrs, (total_steps,)).copy()
    elif schedule is None or is_number(schedule):
        lrs = np.full(total_steps, config.base_lr())
    else:  # a framework-native scheduler (check_schedule: callable)
        if type(schedule).__module__.split(".")[0] in ("keras", "tensorflow"):
            raise TypeError(
                "schedule is a Keras LearningRateSchedule: the torch trainer takes an "
                "lrcourse.schedules object (it has .to_keras()) or a torch scheduler factory"
            )
        return None
    if not np.all(np.isfinite(lrs)) or np.any(lrs < 0):
        bad = int(np.flatnonzero(~np.isfinite(lrs) | (lrs < 0))[0])
        raise ValueError(f"schedule gives an invalid learning rate {lrs[bad]!r} at step {bad}")
    return lrs
