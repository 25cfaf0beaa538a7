"""The plateau explorer of assignment 04 (``lrcourse.widgets.plateau_explorer``) and the
framework twins of the interplay run it shows (``lrcourse.callbacks.twin_runs``).

Importing it loads nothing heavy; under nbgrader it is built without computing or drawing
(and without torch or Keras); its default settings show the never-stopping run and each fix
stops it; a slider change redraws with a caption naming the new value; torch's scheduler gives
the NumPy lrs bit for bit and Keras' callbacks the same up to float32 until the lr is tiny.
"""

from __future__ import annotations

import numpy as np
import pytest
from module_probe import modules_loaded_by

from lrcourse.widgets import plateau_explorer as pe


def test_importing_the_module_loads_nothing_heavy():
    assert modules_loaded_by("import lrcourse.widgets.plateau_explorer") == []


def test_under_nbgrader_the_widget_is_built_without_drawing():
    code = (
        "import IPython.display\n"
        "IPython.display.display = lambda *a, **k: None\n"
        "from lrcourse.widgets.plateau_explorer import plateau_explorer, numpy_run\n"
        "explorer = plateau_explorer()\n"
        "explorer._ipython_display_()  # shown: the controls only\n"
        "assert explorer.caption == '' and numpy_run.cache_info().currsize == 0\n"
        "assert list(explorer.controls)[:3] == ['plateau_patience', 'factor', 'min_delta']"
    )
    loaded = modules_loaded_by(code, {"NBGRADER_EXECUTION": "autograde"})
    assert not {"torch", "tensorflow", "keras"} & set(loaded), loaded


def test_the_defaults_never_stop_until_the_lr_is_tiny_and_each_fix_stops_early():
    failure = pe.numpy_run(pe.Settings())
    assert failure.final_lr < 1e-7 and failure.reductions > 20 and failure.stopped_epoch > 100
    fixes = {
        "lr floor": pe.Settings(min_lr=1e-3),
        "min_delta": pe.Settings(min_delta=0.0005),
        "val_accuracy": pe.Settings(stop_monitor="val_accuracy"),
    }
    for name, settings in fixes.items():
        run = pe.numpy_run(settings)
        assert run.stopped_epoch < 70 and run.final_lr > 1e-4, (name, pe.outcome(run))
    # too little patience for EarlyStopping: it fires before the first cut
    early = pe.numpy_run(pe.Settings(stop_patience=2))
    assert early.reductions == 0 and early.stopped_epoch < 30


def test_the_noise_is_one_fixed_draw():
    a, b = pe.metric_fn(0.01, 20), pe.metric_fn(0.01, 20)
    assert [a(e, 0.1)["val_loss"] for e in range(30)] == [b(e, 0.1)["val_loss"] for e in range(30)]
    clean = pe.metric_fn(0.0, 20)
    assert clean(25, 0.1)["val_loss"] == pytest.approx(0.4)  # floor 0.3 + lr 0.1


@pytest.mark.slow
def test_a_slider_redraws_and_the_twins_agree(monkeypatch):
    pytest.importorskip("torch")
    pytest.importorskip("keras")
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: None)
    explorer = pe.plateau_explorer(draw_now=True)
    assert "NumPy: stopped at epoch 105, 23 cuts" in explorer.caption
    explorer.set(factor=0.3, min_delta=0.002)
    assert "factor = 0.30" in explorer.caption and "min_delta = 0.0020" in explorer.caption
    explorer.set(min_lr=1e-4, stop_monitor="val_accuracy", noise=0.005)
    assert "min_lr = 1e-4" in explorer.caption and "on val_accuracy" in explorer.caption
    for settings in (pe.Settings(), pe.Settings(factor=0.3, noise=0.005, plateau_patience=0)):
        mine, torch_twin = pe.numpy_run(settings), pe.torch_run(settings)
        assert torch_twin.lrs == mine.lrs and torch_twin.stopped_epoch == mine.stopped_epoch
        keras_twin = pe.keras_run(settings)
        n = sum(lr > 1e-6 for lr in mine.lrs)  # before Keras' missing eps and float32 matter
        np.testing.assert_allclose(keras_twin.lrs[:n], mine.lrs[:n], rtol=1e-6)


# -- the training runs of Section 7 (lrcourse.experiments.plateau_runs) -------------------------
def test_the_training_runs_differ_in_one_rule_each():
    from lrcourse.experiments.plateau_runs import RUNS, run_rules

    rules = {name: run_rules(name) for name in RUNS}
    assert rules["failure"]["stop_monitor"] is None
    assert rules["lr floor"]["plateau"].min_lr == 1e-3
    assert rules["min_delta"]["early_stopping"].min_delta == 1e-3
    assert rules["val_accuracy"]["stop_monitor"] == "val_accuracy"
    with pytest.raises(ValueError, match="run must be one of"):
        run_rules("fast")


def test_early_stopping_may_watch_its_own_metric():
    from lrcourse.callbacks import EarlyStopping
    from lrcourse.train import TrainConfig

    config = TrainConfig(early_stopping=EarlyStopping(), stop_monitor="val_accuracy")
    assert config.early_stopping_monitor == "val_accuracy" and config.monitor == "val_loss"
    with pytest.raises(ValueError, match="stop_monitor"):
        TrainConfig(stop_monitor="accuracy")
    with pytest.raises(ValueError, match="mode='min'.*monitor='val_accuracy'"):
        TrainConfig(early_stopping=EarlyStopping(mode="min"), stop_monitor="val_accuracy")


@pytest.mark.slow
def test_the_failure_run_trains_until_the_lr_is_tiny_and_the_floor_keeps_learning():
    pytest.importorskip("torch")
    from lrcourse.experiments.plateau_runs import train_plateau_runs

    said = []
    runs = train_plateau_runs(("failure", "lr floor"), epochs=30, progress=False, say=said.append)
    assert said[0].startswith(("scaled down", "full size"))
    failure, floor = runs["failure"], runs["lr floor"]
    assert min(failure.epochs["lr"]) < 1e-7 and failure.stopped_early is not None
    assert min(floor.epochs["lr"]) == pytest.approx(1e-3)
    assert floor.final("val_loss") < failure.final("val_loss")
