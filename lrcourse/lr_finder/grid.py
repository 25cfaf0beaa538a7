"""The learning rates a range test tries, batch by batch.

    "exp":      lr_i = start_lr * (end_lr / start_lr) ** (i / D)
    "linear":   lr_i = start_lr + (i / D) * (end_lr - start_lr)
    "doubling": lr_i = start_lr * 2 ** (i // double_every), kept while lr_i <= end_lr

for i = 0 .. num_iter - 1, with D = num_iter (fastai: the last batch stops one step short
of end_lr) or D = num_iter - 1 (torch-lr-finder: the last batch uses end_lr). The
expressions are the references' own, evaluated in Python floats, so the grids are theirs
bit for bit. "doubling" is the guide's variant (syllabus section 5: double the lr every 100
batches); it may give fewer than ``num_iter`` lrs, since it stops at ``end_lr``.

>>> lr_grid(1e-3, 1.0, num_iter=4, style="torch-lr-finder")
array([0.001, 0.01 , 0.1  , 1.   ])
>>> lr_grid(1e-3, 1.0, num_iter=3, style="fastai")
array([0.001, 0.01 , 0.1  ])
>>> lr_grid(1e-3, 1e-2, num_iter=14, step_mode="doubling", double_every=3).tolist()
[0.001, 0.001, 0.001, 0.002, 0.002, 0.002, 0.004, 0.004, 0.004, 0.008, 0.008, 0.008]
"""

from __future__ import annotations

import numpy as np

from .. import validation
from .styles import STYLES

STEP_MODES = ("exp", "linear", "doubling")


def lr_grid(
    start_lr=1e-7, end_lr=10.0, num_iter=100, step_mode="exp", style="fastai", double_every=100
):
    """The lr of each batch of a range test (float64 array); rules in the module docstring."""
    start_lr = validation.check_positive("start_lr", start_lr)
    end_lr = validation.check_number("end_lr", end_lr, low=start_lr, low_open=True)
    num_iter = validation.check_int("num_iter", num_iter, low=2)
    step_mode = validation.check_choice("step_mode", step_mode, STEP_MODES)
    denominator = (
        num_iter - STYLES[validation.check_choice("style", style, STYLES)].denominator_offset
    )
    if step_mode == "exp":
        if not np.isfinite(end_lr / start_lr):
            raise ValueError(
                f"end_lr / start_lr = {end_lr:g} / {start_lr:g} overflows float64: the exp "
                "grid cannot be computed; use an end_lr of at most about 1e300 * start_lr "
                "(range tests usually end at 1 to 10)"
            )
        lrs = [start_lr * (end_lr / start_lr) ** (i / denominator) for i in range(num_iter)]
    elif step_mode == "linear":
        lrs = [start_lr + (i / denominator) * (end_lr - start_lr) for i in range(num_iter)]
    else:
        double_every = validation.check_int("double_every", double_every, low=1)
        lrs = [start_lr * 2.0 ** (i // double_every) for i in range(num_iter)]
        lrs = [lr for lr in lrs if lr <= end_lr]
    return np.array(lrs, dtype=np.float64)
