"""One ``tqdm.auto`` progress bar per run, with the learning rate and loss in its postfix
(a widget in Jupyter, a text bar in a terminal). Both trainers drive it the same way."""

from __future__ import annotations

import math


class RunProgress:
    """``update(n, lr, loss)`` after steps, ``epoch_done(...)`` after each epoch."""

    def __init__(self, total_steps: int, *, desc: str = "", enabled: bool = True):
        self.bar = None
        if enabled:
            from tqdm.auto import tqdm

            # leave=True: a finished run keeps its line (final lr, loss, val_acc) on screen; in
            # Jupyter a closed-and-removed bar would leave an output pointing at a dead widget
            self.bar = tqdm(total=total_steps, desc=desc or "training", unit="step", leave=True)
        self.postfix: dict[str, str] = {}

    def update(self, n: int, lr: float, loss: float) -> None:
        if self.bar is None:
            return
        self.postfix["lr"] = f"{lr:.3g}"
        if math.isfinite(loss):
            self.postfix["loss"] = f"{loss:.4f}"
        self.bar.set_postfix(self.postfix, refresh=False)
        self.bar.update(n)

    def epoch_done(self, epoch: int, epochs: int, val_accuracy: float) -> None:
        if self.bar is None:
            return
        self.postfix["val_acc"] = f"{val_accuracy:.3f}"
        self.bar.set_description(f"epoch {epoch}/{epochs}", refresh=False)
        self.bar.set_postfix(self.postfix)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
