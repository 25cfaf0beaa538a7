"""``History``: what a training run records, in one format for PyTorch and Keras.

Per update (step ``k``, counted from 0): the learning rate the update used and the
mini-batch loss. Per epoch: training loss and accuracy (running means over the epoch's
batches, as Keras reports them), validation loss and accuracy, the learning rate at the
end of the epoch, the epoch's wall time and the part of it spent training (without the
validation pass). Plus how the run ended: ``diverged`` holds
"diverged at step k (lr=...)" when the loss became NaN/inf, ``stopped_early`` the epoch
early stopping fired at; ``test_loss`` / ``test_accuracy`` are filled once, at the end.

``to_dict()`` / ``History.from_dict()`` round-trip through JSON; ``to_csv(prefix)`` writes
``<prefix>_steps.csv`` and ``<prefix>_epochs.csv``.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

EPOCH_COLUMNS = (
    "epoch",
    "train_loss",
    "train_accuracy",
    "val_loss",
    "val_accuracy",
    "lr",
    "time_s",
    "train_time_s",
)
STEP_COLUMNS = ("step", "lr", "loss")


@dataclass
class History:
    """The record of one run. ``meta`` holds strings and numbers describing it (framework,
    device, dataset, model, optimizer, schedule, seed, images per second...)."""

    run: str = ""
    step_lr: list[float] = field(default_factory=list)
    step_loss: list[float] = field(default_factory=list)
    epochs: dict[str, list[float]] = field(
        default_factory=lambda: {name: [] for name in EPOCH_COLUMNS}
    )
    diverged: str | None = None
    stopped_early: int | None = None
    test_loss: float | None = None
    test_accuracy: float | None = None
    meta: dict = field(default_factory=dict)

    # -- recording ----------------------------------------------------------------------------
    def record_steps(self, lrs, losses) -> None:
        self.step_lr.extend(float(v) for v in lrs)
        self.step_loss.extend(float(v) for v in losses)

    def record_epoch(self, **values) -> None:
        """One row: every column of ``EPOCH_COLUMNS`` except ``epoch`` (1-based, automatic)."""
        missing = set(EPOCH_COLUMNS) - {"epoch"} - set(values)
        if missing:
            raise ValueError(f"record_epoch is missing {sorted(missing)}")
        self.epochs["epoch"].append(len(self.epochs["epoch"]) + 1)
        for name in EPOCH_COLUMNS[1:]:
            self.epochs[name].append(float(values[name]))

    def mark_diverged(self, step: int, lr: float) -> None:
        self.diverged = diverged_message(step, lr)

    # -- reading ------------------------------------------------------------------------------
    @property
    def num_steps(self) -> int:
        return len(self.step_lr)

    @property
    def num_epochs(self) -> int:
        return len(self.epochs["epoch"])

    def final(self, column: str) -> float:
        """The last epoch's value of ``column`` (NaN when no epoch finished)."""
        values = self.epochs[column]
        return values[-1] if values else math.nan

    def best(self, column: str = "val_accuracy") -> tuple[int, float]:
        """``(epoch, value)`` of the best epoch by ``column`` (max for accuracy, min for loss)."""
        values = self.epochs[column]
        if not values:
            return 0, math.nan
        pick = max if "accuracy" in column else min
        value = pick(values)
        return values.index(value) + 1, value

    def summary(self) -> dict:
        """The numbers a results table shows for this run."""
        best_epoch, best_acc = self.best("val_accuracy")
        return {
            "run": self.run,
            "epochs": self.num_epochs,
            "steps": self.num_steps,
            "final_train_loss": self.final("train_loss"),
            "final_val_loss": self.final("val_loss"),
            "final_val_accuracy": self.final("val_accuracy"),
            "best_val_accuracy": best_acc,
            "best_epoch": best_epoch,
            "test_accuracy": math.nan if self.test_accuracy is None else self.test_accuracy,
            "diverged": self.diverged or "",
            "time_s": sum(self.epochs["time_s"]),
        }

    # -- serialising --------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> History:
        return cls(**data)

    def steps_csv(self) -> str:
        rows = zip(range(self.num_steps), self.step_lr, self.step_loss, strict=True)
        return _csv(STEP_COLUMNS, rows)

    def epochs_csv(self) -> str:
        rows = zip(*(self.epochs[name] for name in EPOCH_COLUMNS), strict=True)
        return _csv(EPOCH_COLUMNS, rows)

    def to_csv(self, prefix: str | Path) -> tuple[Path, Path]:
        """Write ``<prefix>_steps.csv`` and ``<prefix>_epochs.csv``; return both paths."""
        prefix = Path(prefix)
        steps = prefix.with_name(prefix.name + "_steps.csv")
        epochs = prefix.with_name(prefix.name + "_epochs.csv")
        steps.write_text(self.steps_csv())
        epochs.write_text(self.epochs_csv())
        return steps, epochs


def diverged_message(step: int, lr: float) -> str:
    """The one line a run that blew up ends with."""
    return f"diverged at step {step} (lr={lr:.4g})"


def _csv(header, rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
