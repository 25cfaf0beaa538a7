"""What a PyTorch scheduler does to the learning rate, update by update.

:func:`torch_lrs` runs a scheduler the way a training loop does, on one dummy weight:
update ``k`` reads the optimizer's lr, then ``optimizer.step()``, and ``scheduler.step()``
after every ``updates_per_step`` updates (1: a per-update scheduler; the number of batches
in an epoch: a per-epoch scheduler). Worked example::

    torch_lrs(lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5), 5)
    # array([0.1, 0.1, 0.05, 0.05, 0.025])

torch is imported when the function runs.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def torch_lr_trace(make_scheduler: Callable, updates: int, updates_per_step: int = 1, lr=0.1):
    """``(scheduler, lrs)``: the scheduler built by ``make_scheduler(optimizer)`` and the lr
    each of ``updates`` SGD updates used (see the module docstring)."""
    import torch

    weight = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([weight], lr=lr)
    scheduler = make_scheduler(optimizer)
    used = np.empty(updates)
    for k in range(updates):
        used[k] = optimizer.param_groups[0]["lr"]
        optimizer.step()  # no gradient: changes nothing, but keeps torch's step order
        if (k + 1) % updates_per_step == 0 and k < updates - 1:
            scheduler.step()
    return scheduler, used


def torch_lrs(make_scheduler: Callable, updates: int, updates_per_step: int = 1, lr=0.1):
    """The lr each of ``updates`` SGD updates uses under ``make_scheduler(optimizer)``;
    ``scheduler.step()`` every ``updates_per_step`` updates. A NumPy array."""
    return torch_lr_trace(make_scheduler, updates, updates_per_step, lr)[1]
