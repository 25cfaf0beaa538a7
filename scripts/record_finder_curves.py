"""Record the range tests replayed by the LR-finder explorer (assignment 05_lr_finder).

Writes ``lrcourse/lr_finder/recorded.py``: for each setting of ``SETTINGS``, the raw loss of
every batch of one range test (``lrcourse.train.torch_trainer.find_lr``) of the article's CNN
on the 8x8 digits, SGD with momentum 0.8, seed 0, fastai's grid from 1e-7 to 10, run to the
end of the grid (``stop_div=False``) so that the explorer can apply the stop rule itself.
Takes about 10 s on a CPU. Usage: ``python scripts/record_finder_curves.py``.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# (key, description, num_iter, batch_size)
SETTINGS = (
    ("fast ramp", "100 batches of 64 (fastai's default num_it)", 100, 64),
    ("slow ramp", "400 batches of 64", 400, 64),
    ("slower ramp", "800 batches of 64", 800, 64),
    ("noisy", "400 batches of 16 (noisier losses)", 400, 16),
)
START_LR, END_LR = 1e-7, 10.0

HEADER = '''"""Range tests recorded on the course's CNN, replayed by the LR-finder explorer (05).

Each recording holds the raw loss of every batch of one range test (``torch_trainer.find_lr``)
of the article's CNN (``lrcourse.models.article_cnn``, 1,034 parameters) on the 8x8 digits:
SGD with momentum 0.8, seed 0, fastai's exponential grid from 1e-7 to 10, run to the end of
the grid (``stop_div=False``, no smoothing), so that ``Recording.replay`` can smooth, stop and
suggest as a range test would have. Written by ``scripts/record_finder_curves.py``; do not
edit by hand.

>>> r = RECORDINGS["fast ramp"]
>>> len(r.losses), f"{r.lrs()[-1]:.3g}"
(100, '8.32')
>>> r.replay(smooth=0.98).suggest("valley") > 0
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .grid import lr_grid
from .range_test import range_test
from .result import LRFinderResult


@dataclass(frozen=True)
class Recording:
    """One recorded range test: its grid and the raw loss of every batch."""

    name: str
    description: str
    start_lr: float
    end_lr: float
    num_iter: int
    batch_size: int
    losses: tuple

    def lrs(self) -> np.ndarray:
        """The lr of each recorded batch (fastai's grid)."""
        return lr_grid(self.start_lr, self.end_lr, self.num_iter)[: len(self.losses)]

    def replay(self, smooth=0.98, diverge_th=None, *, stop_div=True) -> LRFinderResult:
        """The range test this recording would have been with fastai's smoothing ``smooth``
        and stop rule (``diverge_th``, default 4): the recorded losses fed to ``range_test``."""
        recorded = iter(self.losses)
        return range_test(
            lambda lr: next(recorded, float("nan")),
            self.start_lr,
            self.end_lr,
            self.num_iter,
            smooth=smooth,
            diverge_th=diverge_th,
            stop_div=stop_div,
        )

'''


def record() -> str:
    from lrcourse import optim
    from lrcourse.data import load_digits
    from lrcourse.models import model_spec
    from lrcourse.train import TrainConfig, torch_trainer

    dataset = load_digits()
    spec = model_spec("article_cnn", dataset.image_shape, dataset.num_classes)
    entries = []
    for key, description, num_iter, batch_size in SETTINGS:
        config = TrainConfig(
            optimizer=optim.SGD(lr=0.1, momentum=0.8),
            batch_size=batch_size,
            seed=0,
            progress=False,
            cpu_threads=1,
        )
        result = torch_trainer.find_lr(
            spec,
            dataset,
            config,
            start_lr=START_LR,
            end_lr=END_LR,
            num_iter=num_iter,
            smooth=0.0,
            stop_div=False,
        )
        losses = textwrap.fill(
            ", ".join(f"{loss:.4g}" for loss in result.losses),
            width=99,
            initial_indent=" " * 12,
            subsequent_indent=" " * 12,
        )
        entries.append(
            f"    Recording(\n        {key!r},\n        {description!r},\n"
            f"        {START_LR!r},\n        {END_LR!r},\n        {num_iter},\n"
            f"        {batch_size},\n        (\n{losses},\n        ),\n    ),\n"
        )
    return (
        HEADER
        + "\n# fmt: off\n_RECORDED = (\n"
        + "".join(entries)
        + ")\n# fmt: on\nRECORDINGS = {r.name: r for r in _RECORDED}\n"
    )


if __name__ == "__main__":
    target = REPO / "lrcourse" / "lr_finder" / "recorded.py"
    target.write_text(record())
    print(f"wrote {target.relative_to(REPO)}")
