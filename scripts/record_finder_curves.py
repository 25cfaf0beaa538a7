"""Record the range tests replayed by the LR-finder explorer (assignment 05_lr_finder).

Rewrites the recordings block of ``lrcourse/lr_finder/recorded.py`` (between its ``# fmt:``
markers; the code around it is kept): for each setting of ``SETTINGS``, the raw loss of
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
    return "_RECORDED = (\n" + "".join(entries) + ")\n"


def replace_recordings(module: str, recordings: str) -> str:
    """``module`` (recorded.py's text) with the block between its fmt markers replaced."""
    start, end = "# fmt: off\n", "# fmt: on\n"
    head, rest = module.split(start, 1)
    _, tail = rest.split(end, 1)
    return head + start + recordings + end + tail


if __name__ == "__main__":
    target = REPO / "lrcourse" / "lr_finder" / "recorded.py"
    target.write_text(replace_recordings(target.read_text(), record()))
    print(f"wrote the recordings in {target.relative_to(REPO)}")
