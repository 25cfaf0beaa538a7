"""04_plateau_and_stopping, exercise 4 (2 points): why did this run never stop?"""

import numpy as np
from autograder.draws import log_uniform
from autograder.exercise import Case, Exercise, Mistakes

from lrcourse.callbacks import (
    EarlyStopping,
    ReduceLROnPlateau,
    plateau_prone_metrics,
    simulate_plateau_and_stopping,
)


def reference(lrs, val_losses, min_delta):
    """``(cuts, tiny, last_real)`` of a recorded run: the epochs whose lr is below the one
    before; the epochs whose loss beat the best so far by at most ``min_delta`` (> 0); the
    last epoch that beat it by more (epoch 0 counts: the first value is always an improvement)."""
    lrs, losses = np.asarray(lrs, dtype=float), np.asarray(val_losses, dtype=float)
    cuts = int(np.sum(lrs[1:] < lrs[:-1]))
    best_before = np.minimum.accumulate(losses)[:-1]
    gain = best_before - losses[1:]
    tiny = int(np.sum((gain > 0) & (gain <= min_delta)))
    real = np.flatnonzero(gain > min_delta)
    last_real = int(real[-1]) + 1 if real.size else 0
    return cuts, tiny, last_real


def recorded_run(rng: np.random.Generator, epochs: int) -> tuple[np.ndarray, np.ndarray]:
    """A run of the interplay caricature (``plateau_prone_metrics``), rounded like a log."""
    lr0 = log_uniform(rng, -2, -0.5)
    noise = float(rng.uniform(0.2, 2.0))
    plateau_at = int(rng.integers(5, 25))
    run = simulate_plateau_and_stopping(
        lambda e, lr: plateau_prone_metrics(e, lr, plateau_epoch=plateau_at, noise_per_lr=noise),
        lr=lr0,
        plateau=ReduceLROnPlateau(
            factor=float(rng.choice([0.1, 0.5, 0.8])), patience=int(rng.integers(1, 4))
        ),
        stopper=EarlyStopping(patience=int(rng.integers(4, 10))),
        max_epochs=epochs,
    )
    losses = [m["val_loss"] for m in run.metrics]
    return np.array(run.lrs), np.round(losses, 9) + rng.normal(scale=1e-4, size=len(losses)) * (
        rng.random() < 0.5
    )


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for _ in range(5):
        lrs, losses = recorded_run(rng, int(rng.integers(20, 80)))
        min_delta = float(rng.choice([1e-4, 1e-3, 1e-2]))
        cases.append(Case((lrs, losses, min_delta)))
    return cases


def gains_over_best(losses):
    best_before = np.minimum.accumulate(np.asarray(losses, dtype=float))[:-1]
    return best_before - np.asarray(losses, dtype=float)[1:]


mistakes = Mistakes()


@mistakes.add(
    "compare each loss with the best one so far, not with the previous epoch's: EarlyStopping "
    "waits for a new best, and a loss that only undoes a bad epoch is none."
)
def gains_over_previous(lrs, val_losses, min_delta):
    cuts, _, _ = reference(lrs, val_losses, min_delta)
    gain = -np.diff(np.asarray(val_losses, dtype=float))
    real = np.flatnonzero(gain > min_delta)
    tiny = int(np.sum((gain > 0) & (gain <= min_delta)))
    return cuts, tiny, int(real[-1]) + 1 if real.size else 0


@mistakes.add(
    "tiny counts only the improvements of at most min_delta; the larger ones are real "
    "progress, not what kept the run going."
)
def counts_every_improvement(lrs, val_losses, min_delta):
    cuts, _, last_real = reference(lrs, val_losses, min_delta)
    return cuts, int(np.sum(gains_over_best(val_losses) > 0)), last_real


@mistakes.add(
    "a cut is an epoch whose lr is lower than the epoch before's; counting the different lrs "
    "counts the starting lr too."
)
def counts_distinct_lrs(lrs, val_losses, min_delta):
    cuts, tiny, last_real = reference(lrs, val_losses, min_delta)
    return len(set(np.asarray(lrs, dtype=float).tolist())), tiny, last_real


@mistakes.add(
    "last_real is an epoch (from 0, the index into val_losses), not a count of improvements."
)
def counts_real_improvements(lrs, val_losses, min_delta):
    cuts, tiny, _ = reference(lrs, val_losses, min_delta)
    return cuts, tiny, int(np.sum(gains_over_best(val_losses) > min_delta))


@mistakes.add(
    "gain[i] belongs to epoch i + 1 (the first loss has nothing before it): the last real "
    "improvement's epoch is its index in val_losses."
)
def off_by_one_epoch(lrs, val_losses, min_delta):
    cuts, tiny, _ = reference(lrs, val_losses, min_delta)
    real = np.flatnonzero(gains_over_best(val_losses) > min_delta)
    return cuts, tiny, int(real[-1]) if real.size else 0


@mistakes.add("an equal loss is no improvement: tiny needs 0 < gain <= min_delta.")
def equal_is_tiny(lrs, val_losses, min_delta):
    cuts, _, last_real = reference(lrs, val_losses, min_delta)
    gain = gains_over_best(val_losses)
    return cuts, int(np.sum((gain >= 0) & (gain <= min_delta))), last_real


EXERCISE = Exercise(
    name="diagnose_run",
    reference=reference,
    visible=(
        # a run that never stopped: halving the lr every 3 epochs bought a 0.1 * lr gain
        Case(
            (
                [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125, 0.0125],
                [1.0, 0.7, 0.5, 0.5, 0.495, 0.5, 0.5, 0.4925, 0.5, 0.5, 0.49125, 0.495],
                0.01,
            )
        ),
        # the same losses with min_delta 0.003: the first gain after a cut (0.005) is real
        Case(
            (
                [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125, 0.0125],
                [1.0, 0.7, 0.5, 0.5, 0.495, 0.5, 0.5, 0.4925, 0.5, 0.5, 0.49125, 0.495],
                0.003,
            )
        ),
        # a loss that bounces: 0.6 after 0.62 is not below the best (0.6)
        Case(([0.01, 0.01, 0.01, 0.001, 0.001], [0.8, 0.6, 0.62, 0.6, 0.59], 0.05)),
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
