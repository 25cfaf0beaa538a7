"""04_plateau_and_stopping, exercise 3 (2 points): when each callback fires on a recorded run."""

import numpy as np
from autograder.exercise import Case, Exercise, Mistakes

from lrcourse.callbacks import EarlyStopping, ReduceLROnPlateau, simulate_plateau_and_stopping

NEVER = -1


def reference(val_losses, plateau_patience, stop_patience, min_delta):
    """PyTorch's ReduceLROnPlateau (abs threshold ``min_delta``, no cooldown) and Keras'
    EarlyStopping (``min_delta``) fed ``val_losses`` epoch by epoch, both at every epoch until
    the stop; returns ``(first_cut_epoch, cuts, stop_epoch)``, epochs from 0, -1 for never."""
    losses = [float(v) for v in val_losses]
    run = simulate_plateau_and_stopping(
        lambda epoch, lr: losses[epoch],
        lr=1.0,
        plateau=ReduceLROnPlateau(
            mode="min",
            factor=0.9,
            patience=plateau_patience,
            threshold=min_delta,
            threshold_mode="abs",
        ),  # fmt: skip
        stopper=EarlyStopping(mode="min", min_delta=min_delta, patience=stop_patience),
        max_epochs=len(losses),
    )
    lrs = [*run.lrs, run.final_lr]
    cuts = [e for e in range(run.epochs_run) if lrs[e + 1] < lrs[e]]
    stop = NEVER if run.stopped_epoch is None else run.stopped_epoch
    return (cuts[0] if cuts else NEVER), len(cuts), stop


def plateau_run(rng: np.random.Generator, epochs: int, noise: float, floor_at: int) -> np.ndarray:
    """A loss that falls until ``floor_at``, then stays flat, with noise and small steps."""
    e = np.arange(epochs)
    trend = 0.3 + 0.7 * np.maximum(0.0, 1 - e / floor_at) ** 2
    steps = rng.choice([0.0, 0.0, 0.0, -0.002], size=epochs)  # rare tiny gains late on
    return np.round(trend + noise * rng.normal(size=epochs) + np.cumsum(steps), 4)


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for i in range(6):
        epochs = int(rng.integers(15, 60))
        losses = plateau_run(
            rng, epochs, float(rng.choice([0.0, 0.002, 0.01])), int(rng.integers(3, 20))
        )
        plateau_patience = int(rng.integers(1, 6))
        stop_patience = (
            plateau_patience + int(rng.integers(-1, 6)) if i % 2 else plateau_patience + 1
        )
        min_delta = float(rng.choice([0.0, 0.001, 0.005]))
        cases.append(Case((losses, plateau_patience, max(stop_patience, 1), min_delta)))
    return cases


def torch_plateau(losses, patience, min_delta):
    """The epochs torch's rule cuts at (abs threshold, no cooldown), over all of ``losses``."""
    best, bad, cuts = np.inf, 0, []
    for epoch, loss in enumerate(losses):
        if loss < best - min_delta:
            best, bad = loss, 0
        else:
            bad += 1
        if bad > patience:
            cuts.append(epoch)
            bad = 0
    return cuts


def keras_stop(losses, patience, min_delta):
    """The epoch Keras' EarlyStopping stops at (no baseline), or -1."""
    best, wait = None, 0
    for epoch, loss in enumerate(losses):
        wait += 1
        if best is None or loss < best - min_delta:
            best, wait = loss, 0
        elif wait >= patience and epoch > 0:
            return epoch
    return NEVER


def summary(cuts, stop):
    kept = [c for c in cuts if stop == NEVER or c <= stop]
    return (kept[0] if kept else NEVER), len(kept), stop


mistakes = Mistakes()


@mistakes.add(
    "ReduceLROnPlateau counts PyTorch's way here: it cuts at the (patience + 1)-th epoch "
    "without improvement (num_bad_epochs > patience), one epoch after EarlyStopping's rule "
    "with the same patience would fire."
)
def keras_counting_for_the_lr(val_losses, plateau_patience, stop_patience, min_delta):
    cuts = torch_plateau(val_losses, plateau_patience - 1, min_delta)
    return summary(cuts, keras_stop(val_losses, stop_patience, min_delta))


@mistakes.add(
    "EarlyStopping counts Keras' way: it stops at the patience-th epoch without improvement "
    "(wait >= patience), not the (patience + 1)-th."
)
def torch_counting_for_stopping(val_losses, plateau_patience, stop_patience, min_delta):
    cuts = torch_plateau(val_losses, plateau_patience, min_delta)
    return summary(cuts, keras_stop(val_losses, stop_patience + 1, min_delta))


@mistakes.add(
    "training ends at the stop epoch: count only the cuts up to it (a cut at the stop epoch "
    "itself happens, both callbacks run at the end of every epoch)."
)
def cuts_after_the_stop(val_losses, plateau_patience, stop_patience, min_delta):
    cuts = torch_plateau(val_losses, plateau_patience, min_delta)
    stop = keras_stop(val_losses, stop_patience, min_delta)
    return (cuts[0] if cuts else NEVER), len(cuts), stop


@mistakes.add(
    "epochs count from 0 here (the first loss is epoch 0), as Keras' epoch argument does."
)
def epochs_from_one(val_losses, plateau_patience, stop_patience, min_delta):
    first, cuts, stop = reference(val_losses, plateau_patience, stop_patience, min_delta)
    return (first + 1 if first != NEVER else NEVER), cuts, (stop + 1 if stop != NEVER else NEVER)


@mistakes.add(
    "compare with the best loss so far, not with the previous epoch's: a loss that goes "
    "back down after a bad epoch is no improvement unless it beats the best by min_delta."
)
def compares_with_previous(val_losses, plateau_patience, stop_patience, min_delta):
    previous, bad, wait, cuts = np.inf, 0, 0, []
    for epoch, loss in enumerate(val_losses):
        improved = loss < previous - min_delta
        bad, wait = (0, 0) if improved else (bad + 1, wait + 1)
        previous = loss
        if bad > plateau_patience:
            cuts.append(epoch)
            bad = 0
        if wait >= stop_patience and epoch > 0:
            return summary(cuts, epoch)
    return summary(cuts, NEVER)


@mistakes.add(
    "after a cut the bad-epoch count starts again from 0: the next cut needs another "
    "patience + 1 epochs without improvement."
)
def count_kept_after_cut(val_losses, plateau_patience, stop_patience, min_delta):
    best, bad, cuts = np.inf, 0, []
    for epoch, loss in enumerate(val_losses):
        if loss < best - min_delta:
            best, bad = loss, 0
        else:
            bad += 1
        if bad > plateau_patience:
            cuts.append(epoch)
    return summary(cuts, keras_stop(val_losses, stop_patience, min_delta))


@mistakes.add("min_delta applies to both rules: an improvement needs loss < best - min_delta.")
def ignores_min_delta(val_losses, plateau_patience, stop_patience, min_delta):
    return reference(val_losses, plateau_patience, stop_patience, 0.0)


EXERCISE = Exercise(
    name="fire_epochs",
    reference=reference,
    visible=(
        # flat from epoch 1, patience 5 for both: EarlyStopping stops (epoch 6) before the
        # first cut would come (epoch 7)
        Case(([1.0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], 5, 5, 0.0)),
        # stop patience longer than the reduction period: a cut at epoch 4, a stop at epoch 7
        Case(([0.9, 0.7, 0.72, 0.71, 0.73, 0.7, 0.72, 0.74, 0.7, 0.75, 0.72], 2, 6, 0.0)),
        # tiny gains after every cut keep EarlyStopping waiting; min_delta 0 sees them all
        Case(
            (
                [1.0, 0.6, 0.61, 0.62, 0.599, 0.6, 0.61, 0.598, 0.6, 0.61, 0.597, 0.6, 0.6],
                1,
                3,
                0.0,
            )
        ),
        # the same run with min_delta 0.005: the tiny gains do not count
        Case(
            (
                [1.0, 0.6, 0.61, 0.62, 0.599, 0.6, 0.61, 0.598, 0.6, 0.61, 0.597, 0.6, 0.6],
                1,
                3,
                0.005,
            )
        ),
        # still improving: neither fires
        Case(([1.0, 0.9, 0.8, 0.85, 0.7, 0.6], 2, 3, 0.0)),
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
