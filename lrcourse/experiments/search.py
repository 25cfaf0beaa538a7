"""Systematic search of the learning rate and one schedule parameter with Optuna.

A **study** is a set of trials, each a choice of hyperparameters and the value the objective
gave for it; a **sampler** proposes the next trial: ``"grid"`` walks a fixed grid (Optuna's
``GridSampler``), ``"random"`` draws each value independently (``RandomSampler``, the lr
log-uniformly), ``"tpe"`` (Optuna's default, the Tree-structured Parzen Estimator) models
which regions gave good values so far and draws more trials there.

The study lives in a **database** (its ``storage``): a file such as
``sqlite:///lr-search.db`` on one machine, or a database server that several machines reach,
e.g. ``postgresql+psycopg://user:password@host:5432/optuna`` (the server and the
``psycopg`` driver installed). Every worker that opens the same study name in the same
storage adds its trials to it and sees the others' (TPE uses them all): running
``python -m lrcourse.experiments.search --storage URL --study NAME --trials 20`` on four
machines runs 80 trials of one study. SQLite does for a few processes on one machine (it
locks the file for each write); use a server for many.

The objective searched here, :func:`digits_objective`, trains the NumPy network of
:mod:`lrcourse.experiments.digits_mlp` (SGD, momentum 0.9) with a linear warm-up over a
fraction of the run followed by a cosine decay, and returns the validation loss: a trial
takes tens of milliseconds. ``lr`` is searched log-uniformly in [1e-3, 3],
``warmup_fraction`` uniformly in [0, 0.3].

Optuna is imported inside the functions: ``import lrcourse`` (and this module) does not
import it.

>>> study = run_study("tpe", n_trials=3, seed=0)         # an in-memory study
>>> len(study.trials), sorted(study.best_params)
(3, ['lr', 'warmup_fraction'])
"""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path

import numpy as np

from .. import validation

SAMPLERS = ("grid", "random", "tpe")
LR_RANGE = (1e-3, 3.0)  # searched log-uniformly
WARMUP_RANGE = (0.0, 0.3)  # fraction of the run spent warming up, uniformly
DIVERGED_VALUE = math.log(10.0)  # a diverged run counts as chance level on ten classes


def sqlite_storage(path) -> str:
    """The storage URL of a SQLite file: ``sqlite:////abs/path/study.db``."""
    return f"sqlite:///{Path(path).expanduser().resolve()}"


def default_grid(n_lr: int = 5, n_warmup: int = 3) -> dict[str, list[float]]:
    """A log-spaced lr grid times an evenly spaced warm-up grid, inside the search ranges."""
    n_lr = validation.check_int("n_lr", n_lr, low=1)
    n_warmup = validation.check_int("n_warmup", n_warmup, low=1)
    lrs = np.geomspace(*LR_RANGE, n_lr) if n_lr > 1 else np.array([math.sqrt(math.prod(LR_RANGE))])
    warmups = np.linspace(*WARMUP_RANGE, n_warmup) if n_warmup > 1 else np.array([0.0])
    return {"lr": [float(v) for v in lrs], "warmup_fraction": [float(v) for v in warmups]}


def make_sampler(kind: str, *, seed: int = 0, grid: dict | None = None):
    """Optuna's sampler for ``kind`` ("grid", "random" or "tpe"), seeded.

    ``grid``: the values of each parameter for "grid" (default :func:`default_grid`).
    """
    import optuna

    kind = validation.check_choice("kind", kind, SAMPLERS)
    seed = validation.check_int("seed", seed, low=0)
    if kind == "grid":
        return optuna.samplers.GridSampler(grid or default_grid(), seed=seed)
    if kind == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    return optuna.samplers.TPESampler(seed=seed, n_startup_trials=5)


def digits_objective(trial, *, epochs: int = 3, batch_size: int = 64, seed: int = 0) -> float:
    """Train the digits network at the trial's lr and warm-up fraction; its validation loss.

    The schedule is ``LinearWarmup(CosineDecay(lr, T - W), W)`` over ``T`` updates with
    ``W = round(warmup_fraction * T)``: 0 -> lr over W updates, then a cosine down to 0.
    A diverged run returns ``DIVERGED_VALUE`` (ln 10, chance level).
    """
    from .. import optim, schedules
    from ..train.config import steps_per_epoch
    from .digits_mlp import digits_arrays, train_digits_mlp

    lr = trial.suggest_float("lr", *LR_RANGE, log=True)
    warmup_fraction = trial.suggest_float("warmup_fraction", *WARMUP_RANGE)
    total = epochs * steps_per_epoch(len(digits_arrays()[0]), batch_size)
    warmup = round(warmup_fraction * total)
    schedule = schedules.LinearWarmup(schedules.CosineDecay(lr, total - warmup), warmup)
    run = train_digits_mlp(
        optim.SGD(lr=lr, momentum=0.9), schedule, epochs=epochs, batch_size=batch_size, seed=seed
    )
    trial.set_user_attr("val_accuracy", run.val_accuracy)
    trial.set_user_attr("worker", os.getpid())
    return min(run.val_loss, DIVERGED_VALUE)


def run_study(
    kind: str,
    n_trials: int,
    *,
    seed: int = 0,
    storage: str | None = None,
    study_name: str | None = None,
    objective=None,
    grid: dict | None = None,
):
    """Create (or, with ``storage`` and ``study_name``, load) a study and run ``n_trials``.

    ``storage``: None (in memory) or a database URL (:func:`sqlite_storage`, a server URL);
    ``objective``: ``f(trial) -> float`` to minimise (default :func:`digits_objective`).
    Optuna's per-trial log lines are silenced.
    """
    import optuna

    n_trials = validation.check_int("n_trials", n_trials, low=1)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        study_name=study_name,
        storage=storage,
        sampler=make_sampler(kind, seed=seed, grid=grid),
        direction="minimize",
        load_if_exists=study_name is not None,
    )
    study.optimize(objective or digits_objective, n_trials=n_trials)
    return study


def best_so_far(study) -> np.ndarray:
    """The best (lowest) value after each completed trial, in the order they ran."""
    values = [t.value for t in study.trials if t.value is not None]
    return np.minimum.accumulate(np.array(values, dtype=float))


def trials_table(study) -> dict[str, list]:
    """The study's completed trials as columns: number, lr, warmup_fraction, value."""
    done = [t for t in study.trials if t.value is not None]
    return {
        "trial": [t.number for t in done],
        "lr": [t.params["lr"] for t in done],
        "warmup_fraction": [t.params["warmup_fraction"] for t in done],
        "val_loss": [t.value for t in done],
    }


def compare_samplers(n_trials: int = 15, *, seed: int = 0, objective=None) -> dict:
    """Grid, random and TPE with the same budget: ``{kind: study}`` (in memory).

    The grid has ``n_trials`` points when ``n_trials`` is a multiple of 3 (lr x 3 warm-ups);
    the samplers get seeds ``seed``, ``seed + 1``, ``seed + 2`` (with one seed, TPE's random
    start-up trials would be random search's first trials).
    """
    n_trials = validation.check_int("n_trials", n_trials, low=3)
    grid = default_grid(n_trials // 3, 3)
    return {
        kind: run_study(kind, n_trials, seed=seed + i, objective=objective, grid=grid)
        for i, kind in enumerate(SAMPLERS)
    }


def main(argv=None) -> int:
    """One worker: open (or create) ``--study`` in ``--storage`` and add ``--trials`` to it."""
    parser = argparse.ArgumentParser(
        prog="python -m lrcourse.experiments.search",
        description="add trials to a shared Optuna study of the digits lr search",
    )
    parser.add_argument("--storage", required=True, help="database URL, e.g. sqlite:///s.db")
    parser.add_argument("--study", required=True, help="the study's name (shared by workers)")
    parser.add_argument("--trials", type=int, default=10, help="trials this worker runs")
    parser.add_argument("--sampler", choices=SAMPLERS, default="tpe")
    parser.add_argument("--seed", type=int, default=None, help="sampler seed (default: pid)")
    parser.add_argument("--epochs", type=int, default=3, help="epochs per trial")
    args = parser.parse_args(argv)
    seed = os.getpid() % 2**31 if args.seed is None else args.seed
    study = run_study(
        args.sampler,
        args.trials,
        seed=seed,
        storage=args.storage,
        study_name=args.study,
        objective=lambda trial: digits_objective(trial, epochs=args.epochs),
    )
    mine = [t for t in study.trials if t.user_attrs.get("worker") == os.getpid()]
    print(
        f"worker {os.getpid()}: {len(mine)} trials added; the study has {len(study.trials)}, "
        f"best {study.best_value:.4f} at {study.best_params}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
