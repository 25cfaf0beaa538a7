"""ReduceLROnPlateau and EarlyStopping together in real training: the failure and its fixes.

Four runs of SGD (lr 0.05, momentum 0.8, batch 128) on the course's CNN, one seed, the same
initial weights, PyTorch (``lrcourse.train``):

=================  ===========================================================================
run                rules (fed once per epoch)
=================  ===========================================================================
failure            ReduceLROnPlateau(factor 0.5, patience 0, threshold 0.02) on val_loss:
                   aggressive, an epoch that improves by less than 2 % halves the lr;
                   EarlyStopping(patience 5) on val_loss. The cuts keep buying tiny gains, the
                   lr sinks to torch's eps (1e-8) before stopping fires.
lr floor           the same with ``min_lr=1e-3``
min_delta          the same with ``EarlyStopping(min_delta=1e-3)``: tiny gains do not count
val_accuracy       the lr follows val_loss, EarlyStopping watches val_accuracy (``stop_monitor``)
=================  ===========================================================================

EarlyStopping's patience (5) is already longer than the reduction period (patience + 1 =
1 epoch), the texts' first advice: it prevents the opposite failure (stopping before a cut
could help) and does nothing against this one.

``train_plateau_runs()`` picks the data like ``lrcourse compare``: CIFAR-10 on a GPU when
the archive is cached (30 epochs), else the embedded 8x8 digits (or a CIFAR-10 subset on a
CPU) for 60 epochs, and says which and why; a digits run takes a second or two on a CPU.
"""

from __future__ import annotations

from collections.abc import Callable

RUNS = ("failure", "lr floor", "min_delta", "val_accuracy")
SCALED_EPOCHS = 60
GPU_EPOCHS = 30
SGD_LR, SGD_MOMENTUM, BATCH_SIZE = 0.05, 0.8, 128


def run_rules(name: str) -> dict:
    """The ``TrainConfig`` fields (plateau, early_stopping, stop_monitor) of run ``name``."""
    from ..callbacks import EarlyStopping, ReduceLROnPlateau

    if name not in RUNS:
        raise ValueError(f"run must be one of {', '.join(RUNS)}; got {name!r}")
    plateau = dict(factor=0.5, patience=0, threshold=0.02)
    stopping = dict(patience=5)
    if name == "lr floor":
        plateau["min_lr"] = 1e-3
    if name == "min_delta":
        stopping["min_delta"] = 1e-3
    return dict(
        plateau=ReduceLROnPlateau(**plateau),
        early_stopping=EarlyStopping(**stopping),
        monitor="val_loss",
        stop_monitor="val_accuracy" if name == "val_accuracy" else None,
    )


def train_plateau_runs(
    runs=RUNS, *, epochs: int | None = None, progress: bool = True, say: Callable = print
) -> dict:
    """Train the runs; ``{name: History}``. ``say`` gets the line saying what was chosen."""
    from ..data import load_dataset, resolve_name
    from ..data.choose import fallback_reason
    from ..models import model_spec
    from ..optim import SGD
    from ..train import TrainConfig, trainer
    from .compare import gpu_available
    from .scale import choose_scale

    name = resolve_name("auto")
    gpu = gpu_available("torch")
    scale = choose_scale(name, gpu, epochs=epochs, fallback=fallback_reason())
    epochs = epochs or (GPU_EPOCHS if not scale.scaled else SCALED_EPOCHS)
    dataset = load_dataset(name)
    if scale.subset:
        dataset = dataset.subset(**scale.subset)
    spec = model_spec("article_cnn", dataset.image_shape, dataset.num_classes)
    say(f"{scale.reason.split(' (use')[0]}; up to {epochs} epochs per run")
    say(f"dataset {dataset.describe()}")
    fit = trainer("torch").fit
    histories = {}
    for run in runs:
        config = TrainConfig(
            optimizer=SGD(lr=SGD_LR, momentum=SGD_MOMENTUM),
            epochs=epochs,
            batch_size=BATCH_SIZE,
            progress=progress,
            cpu_threads=1 if not gpu else None,
            **run_rules(run),
        )
        histories[run] = fit(spec, dataset, config, run=run)
    return histories


def describe_run(history) -> str:
    """``failure: stopped after epoch 27, lr 1e-08, val_loss 2.2116, val_accuracy 0.424``."""
    end = (
        f"stopped after epoch {history.stopped_early}"
        if history.stopped_early
        else f"ran all {history.num_epochs} epochs"
    )
    return (
        f"{history.run:<13} {end}, final lr {history.final('lr'):.1g}, val_loss "
        f"{history.final('val_loss'):.4f}, val_accuracy {history.final('val_accuracy'):.3f}"
    )
