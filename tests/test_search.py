"""Assignment 06's library side: the Optuna search, its NumPy objective and the scaled recipes."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lrcourse import optim, schedules
from lrcourse.experiments import search
from lrcourse.experiments.digits_mlp import train_digits_mlp
from lrcourse.experiments.recipe_scaling import scale_recipe

REPO = Path(__file__).resolve().parent.parent


def test_importing_the_search_module_imports_no_optuna():
    code = "import lrcourse, lrcourse.experiments.search, sys; print('optuna' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert out.stdout.strip() == "False"


# -- the NumPy network -------------------------------------------------------------------------
def test_a_run_is_reproducible_and_leaves_the_optimizer_untouched():
    opt = optim.SGD(lr=0.1, momentum=0.9)
    a = train_digits_mlp(opt, epochs=1, seed=3)
    b = train_digits_mlp(opt, epochs=1, seed=3)
    np.testing.assert_array_equal(a.step_loss, b.step_loss)
    assert opt.state == {} and a.val_accuracy > 0.7 and not a.diverged


def test_the_schedule_sets_every_update_s_lr():
    run = train_digits_mlp(optim.SGD(lr=1.0), schedules.LinearWarmup(0.1, 10), epochs=1)
    np.testing.assert_allclose(run.step_lr[:11], np.r_[np.arange(10) / 100, 0.1])


def test_a_huge_lr_diverges_and_says_so():
    run = train_digits_mlp(optim.SGD(lr=1e6), epochs=1)
    assert run.diverged and math.isinf(run.val_loss) and run.steps < 21


def test_adamw_and_adam_with_l2_decay_differently():
    l2 = train_digits_mlp(optim.Adam(lr=1e-2, weight_decay=0.1), epochs=2)
    decoupled = train_digits_mlp(optim.AdamW(lr=1e-2, weight_decay=0.1), epochs=2)
    plain = train_digits_mlp(optim.Adam(lr=1e-2), epochs=2)
    assert decoupled.weight_norm < plain.weight_norm
    assert abs(l2.weight_norm - decoupled.weight_norm) > 0.1


@pytest.mark.parametrize(
    "bad, error",
    [
        (dict(optimizer="sgd"), TypeError),
        (dict(schedule="cosine"), TypeError),
        (dict(epochs=0), ValueError),
        (dict(batch_size=1.5), TypeError),
    ],
)
def test_bad_input_is_named(bad, error):
    kwargs = {"optimizer": optim.SGD(lr=0.1), **bad}
    with pytest.raises(error, match=next(iter(bad))):
        train_digits_mlp(**kwargs)


# -- Optuna --------------------------------------------------------------------------------------
def test_the_grid_sampler_visits_every_point_once():
    grid = search.default_grid(3, 2)
    study = search.run_study("grid", 6, grid=grid)
    seen = sorted((t.params["lr"], t.params["warmup_fraction"]) for t in study.trials)
    assert seen == sorted((lr, w) for lr in grid["lr"] for w in grid["warmup_fraction"])
    assert np.isclose(grid["lr"][0], 1e-3) and np.isclose(grid["lr"][-1], 3.0)


def test_samplers_are_reproducible_and_stay_in_range():
    a = search.run_study("tpe", 8, seed=5)
    b = search.run_study("tpe", 8, seed=5)
    assert [t.params for t in a.trials] == [t.params for t in b.trials]
    for t in a.trials:
        assert 1e-3 <= t.params["lr"] <= 3.0 and 0 <= t.params["warmup_fraction"] <= 0.3
        assert 0 < t.value <= search.DIVERGED_VALUE
    best = search.best_so_far(a)
    assert np.all(np.diff(best) <= 0) and best[-1] == a.best_value


def test_compare_samplers_runs_the_same_budget_for_each():
    studies = search.compare_samplers(6)
    assert set(studies) == set(search.SAMPLERS)
    assert all(len(s.trials) == 6 for s in studies.values())


def test_a_study_in_sqlite_survives_its_process(tmp_path):
    storage = search.sqlite_storage(tmp_path / "lr.db")
    search.run_study("random", 2, storage=storage, study_name="s")
    again = search.run_study("random", 1, seed=1, storage=storage, study_name="s")
    assert len(again.trials) == 3


def test_two_workers_share_one_sqlite_study(tmp_path):
    storage = search.sqlite_storage(tmp_path / "shared.db")
    command = [sys.executable, "-m", "lrcourse.experiments.search", "--storage", storage,
               "--study", "shared", "--trials", "4", "--epochs", "1"]  # fmt: skip
    search.run_study("tpe", 1, storage=storage, study_name="shared")  # create it first
    workers = [
        subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=120) for w in workers]
    assert all(w.returncode == 0 for w in workers), outputs
    import optuna

    study = optuna.load_study(study_name="shared", storage=storage)
    done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert len(done) == 9
    pids = {w.pid for w in workers}
    assert {t.user_attrs["worker"] for t in done} >= pids  # both added trials
    assert sorted(t.number for t in study.trials) == list(range(9))


def test_bad_sampler_names_are_refused():
    with pytest.raises(ValueError, match="kind"):
        search.make_sampler("bayes")


# -- the scaled recipes ------------------------------------------------------------------------
def test_scaled_milestones_keep_their_fractions_of_the_run():
    scaled = scale_recipe("resnet", steps_per_epoch=100, epochs=20)
    assert scaled.built.schedule.milestones == [600, 1200, 1800]
    assert np.isclose(scaled.built.schedule(1999), 0.1 * 1e-3)


def test_scaled_exponential_decay_ends_where_the_documented_run_ends():
    spe, epochs = 50, 10
    scaled = scale_recipe("inception_v3", spe, epochs)
    assert np.isclose(scaled.built.schedule(spe * epochs), 0.045 * 0.94**50)


def test_scaled_warmups_are_fractions_of_the_run():
    assert scale_recipe("transformer", 100, 10).built.schedule.warmup_steps == 40
    bert = scale_recipe("bert", 100, 10).built.schedule
    assert (bert.warmup_steps, bert.total_steps) == (10, 1000)
    assert scale_recipe("alexnet", 100, 40).built.plateau.patience == 2


def test_scaling_refuses_unknown_recipes_and_bad_lengths():
    with pytest.raises(ValueError, match="unknown recipe"):
        scale_recipe("lenet", 10, 10)
    with pytest.raises(ValueError, match="epochs"):
        scale_recipe("resnet", 10, 0)
