"""How big a comparison to run on the machine at hand.

The full reference comparison is the article's: CIFAR-10, 100 epochs, batch 64, every run
with several seeds -- hours of GPU time for the small CNN. Without a GPU, or without the
CIFAR-10 archive, ``lrcourse compare`` runs a scaled-down version automatically (and
says why): the embedded digits (or a CIFAR-10 subset on a CPU) for fewer epochs, and the
fast ResNet at a quarter of its width. Every schedule is written relative to the run's
length, so the curves keep their shapes.
"""

from __future__ import annotations

from dataclasses import dataclass

FULL_EPOCHS = 100
SCALED_EPOCHS = 30
SCALED_CIFAR_SUBSET = {"train": 5000, "val": 1000, "test": 2000}
SCALED_MODEL_OPTIONS = {"fast_resnet": {"width": 16}}  # 16-32-64-128 channels: 0.41M parameters


@dataclass(frozen=True)
class Scale:
    """The size chosen for a comparison, and why."""

    scaled: bool
    epochs: int
    subset: dict | None  # sizes of a CIFAR-10 subset, or None for the whole dataset
    reason: str


def choose_scale(
    dataset: str,
    gpu: bool,
    *,
    full: bool = False,
    epochs: int | None = None,
    fallback: str | None = None,
):
    """``dataset``: "cifar10" or "digits" (resolved); ``gpu``: whether training has a GPU.

    ``full`` forces the full-size comparison; ``epochs`` overrides the number of epochs;
    ``fallback``: why "auto" fell back to the digits (``data.choose.fallback_reason``).
    """
    if full:
        return Scale(False, epochs or FULL_EPOCHS, None, "full size (requested)")
    if dataset == "cifar10" and gpu:
        return Scale(False, epochs or FULL_EPOCHS, None, "full size: CIFAR-10 on a GPU")
    if dataset == "cifar10":
        return Scale(
            True,
            epochs or SCALED_EPOCHS,
            dict(SCALED_CIFAR_SUBSET),
            "scaled down: no GPU, so a CIFAR-10 subset "
            f"({SCALED_CIFAR_SUBSET['train']} training images) and fewer epochs "
            "(use --full for the real thing)",
        )
    return Scale(
        True,
        epochs or SCALED_EPOCHS,
        None,
        f"scaled down: {fallback or 'the digits were asked for'}, so "
        f"{'the embedded 8x8 digits' if dataset == 'digits' else dataset} and fewer epochs",
    )
