"""ReduceLROnPlateau and EarlyStopping against their torch and Keras twins, and the interplay.

Metric sequences are generated (plateaus, noise, improvements just below / at / above the
threshold, NaN and inf for torch, both modes, cooldown, min_lr). Against torch the lrs
must be equal bit for bit (same float64 arithmetic); against Keras, whose comparisons run
in float32, the sequences live on a dyadic grid (multiples of 1/64, exact in float32 and
float64) so that both decide alike, and the lrs must agree to 1e-6 relative (Keras keeps
its lr in float32). The Keras callbacks are driven directly: ``set_model`` with an object
holding a real Keras optimizer, ``on_train_begin``, then ``on_epoch_end`` per epoch.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrcourse.callbacks import (
    EarlyStopping,
    ReduceLROnPlateau,
    plateau_prone_metrics,
    simulate_plateau_and_stopping,
)

GRID = 64.0  # metric values k / GRID: exact in float32 and float64


# -- generated metric sequences --------------------------------------------------------------------
def grid_sequence(rng, n, *, threshold_units=0):
    """Integers (units of 1/GRID) with plateaus, noise, and steps around the threshold."""
    kind = rng.integers(4)
    k = int(rng.integers(200, 400))
    out = []
    for _ in range(n):
        if kind == 0:  # improve for a while, then plateau with rare small dips
            step = -int(rng.integers(0, 6)) if len(out) < n // 3 else -int(rng.random() < 0.1)
        elif kind == 1:  # noisy random walk
            step = int(rng.integers(-4, 5))
        elif kind == 2:  # steps of exactly threshold - 1, threshold, threshold + 1 units
            step = -int(
                rng.choice([0, max(threshold_units - 1, 0), threshold_units, threshold_units + 1])
            )
        else:  # long flat stretches broken by jumps either way
            step = int(rng.choice([0, 0, 0, 0, -3, 2]))
        k += step
        out.append(k)
    return out


def ours_lrs(plateau, metrics, lr):
    lrs = []
    for m in metrics:
        lr = plateau.update(m, lr)
        lrs.append(lr)
    return lrs


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


def torch_lrs(torch, plateau, metrics, lr):
    param = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=lr)
    scheduler = plateau.to_torch(optimizer)
    lrs = []
    for m in metrics:
        scheduler.step(m)
        lrs.append(optimizer.param_groups[0]["lr"])
    return lrs


def keras_plateau_lrs(keras, callback, metrics, lr, monitor="val_loss"):
    model = SimpleNamespace(optimizer=keras.optimizers.SGD(learning_rate=lr))
    callback.set_model(model)
    callback.on_train_begin()
    lrs = []
    for epoch, m in enumerate(metrics):
        callback.on_epoch_end(epoch, logs={monitor: m})
        lrs.append(float(model.optimizer.learning_rate))
    return lrs


# -- ReduceLROnPlateau --------------------------------------------------------------------
def test_syllabus_worked_example_each_framework_counting(torch, keras):
    """patience 5, factor 0.8: 0.01 -> 0.008 after the 6th flat epoch (torch, ours); Keras'
    own patience=5 fires after the 5th, so to_keras asks for patience 6."""
    metrics = [0.5] * 10  # epoch 1 sets best, epochs 2.. are flat
    plateau = ReduceLROnPlateau(factor=0.8, patience=5)
    ours = ours_lrs(plateau, metrics, 0.01)
    assert ours[:6] == [0.01] * 6 and ours[6] == pytest.approx(0.008, rel=1e-15)
    assert torch_lrs(torch, ReduceLROnPlateau(factor=0.8, patience=5), metrics, 0.01) == ours
    native = keras.callbacks.ReduceLROnPlateau(factor=0.8, patience=5, mode="min")
    keras_native = keras_plateau_lrs(keras, native, metrics, 0.01)
    assert keras_native[4] == pytest.approx(0.01) and keras_native[5] == pytest.approx(0.008)
    twin = ReduceLROnPlateau(factor=0.8, patience=5, threshold_mode="abs").to_keras()
    np.testing.assert_allclose(keras_plateau_lrs(keras, twin, metrics, 0.01), ours, rtol=1e-6)


def _plateau_kwargs(draw):
    mode = draw(st.sampled_from(["min", "max"]))
    return dict(
        mode=mode,
        factor=draw(st.floats(0.05, 0.95)),
        patience=draw(st.integers(0, 6)),
        threshold=draw(st.sampled_from([0.0, 1e-4, 1e-2, 0.05, 0.5])),
        threshold_mode=draw(st.sampled_from(["rel", "abs"])),
        cooldown=draw(st.integers(0, 4)),
        min_lr=draw(st.sampled_from([0.0, 1e-5, 1e-3])),
        eps=draw(st.sampled_from([1e-8, 0.0, 1e-4])),
    )


_metric_value = st.one_of(
    st.floats(-3.0, 3.0),
    st.sampled_from([0.0, 1.0, 1.0 + 1e-4, 1.0 - 1e-4, 2.0, math.nan, math.inf, -math.inf]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_plateau_matches_torch_bit_for_bit(torch, data):
    kwargs = _plateau_kwargs(data.draw)
    shape = data.draw(st.sampled_from(["free", "walk", "flat"]))
    if shape == "free":
        metrics = data.draw(st.lists(_metric_value, min_size=1, max_size=60))
    else:
        steps = data.draw(st.lists(st.sampled_from([0.0, -1e-4, -1e-3, -0.1, 0.05]), max_size=60))
        metrics = list(1.0 + np.cumsum([0.0, *steps])) if shape == "walk" else [1.0] * len(steps)
    lr = data.draw(st.floats(1e-6, 1.0))
    ours = ours_lrs(ReduceLROnPlateau(**kwargs), metrics, lr)
    theirs = torch_lrs(torch, ReduceLROnPlateau(**kwargs), metrics, lr)
    assert ours == theirs, (kwargs, metrics)


def test_plateau_state_matches_torch(torch):
    rng = np.random.default_rng(3)
    for _ in range(40):
        plateau = ReduceLROnPlateau(patience=int(rng.integers(0, 4)), cooldown=int(rng.integers(3)))
        param = torch.zeros(1, requires_grad=True)
        scheduler = plateau.to_torch(torch.optim.SGD([param], lr=0.1))
        lr = 0.1
        for k in grid_sequence(rng, 40, threshold_units=1):
            lr = plateau.update(k / GRID, lr)
            scheduler.step(k / GRID)
            assert (plateau.best, plateau.num_bad_epochs, plateau.cooldown_counter) == (
                scheduler.best,
                scheduler.num_bad_epochs,
                scheduler.cooldown_counter,
            )


@pytest.mark.slow
def test_plateau_matches_keras_twin(keras, report_figure):
    """to_keras (patience + 1, cooldown + 1, min_delta) on 160 generated sequences."""
    rng = np.random.default_rng(20240611)
    worst = 0.0
    for trial in range(160):
        mode = ("min", "max")[trial % 2]
        threshold_units = int(rng.choice([0, 1, 2, 3]))
        factor = float(rng.choice([0.1, 0.25, 0.5, 0.8, float(rng.uniform(0.1, 0.9))]))
        lr = float(rng.uniform(1e-3, 1.0))
        min_lr = lr * float(rng.choice([0.0, rng.uniform(1e-3, 0.5)]))
        if min_lr == 0:  # up to 44 cuts: keep the lr above float32's subnormals (1e-38)
            factor = max(factor, 0.25)
        plateau = ReduceLROnPlateau(
            mode=mode,
            factor=factor,
            patience=int(rng.integers(0, 6)),
            threshold=threshold_units / GRID,
            threshold_mode="abs",
            cooldown=int(rng.integers(0, 4)),
            min_lr=min_lr,
            # Keras has no eps: keep it from biting (documented, tested separately below)
            eps=1e-8 if min_lr > 0 and rng.random() < 0.5 else 0.0,
        )
        sign = 1 if mode == "min" else -1
        metrics = [sign * k / GRID for k in grid_sequence(rng, 45, threshold_units=threshold_units)]
        ours = ours_lrs(plateau, metrics, lr)
        theirs = keras_plateau_lrs(keras, plateau.to_keras(), metrics, lr)
        rel = np.max(np.abs(np.subtract(theirs, ours)) / np.asarray(ours))
        worst = max(worst, rel)
        assert rel <= 1e-6, (plateau, metrics, ours, theirs)
    report_figure("plateau vs keras: worst relative lr error", worst, "{:.2e}")


def test_keras_cooldown_zero_and_one_behave_alike(keras):
    rng = np.random.default_rng(5)
    for _ in range(10):
        metrics = [k / GRID for k in grid_sequence(rng, 40)]
        runs = [
            keras_plateau_lrs(
                keras,
                keras.callbacks.ReduceLROnPlateau(patience=2, cooldown=c, mode="min", factor=0.5),
                metrics,
                0.1,
            )
            for c in (0, 1)
        ]
        assert runs[0] == runs[1]


def test_to_keras_refuses_relative_threshold():
    with pytest.raises(ValueError, match="threshold_mode='rel' has no Keras twin"):
        ReduceLROnPlateau(threshold=1e-4).to_keras()
    kwargs = ReduceLROnPlateau(threshold=0.0).keras_arguments("loss")  # rel 0 == abs 0
    assert kwargs["min_delta"] == 0.0 and kwargs["monitor"] == "loss"
    assert (
        ReduceLROnPlateau(patience=3, cooldown=2, threshold_mode="abs").keras_arguments()[
            "patience"
        ]
        == 4
    )


def test_documented_keras_differences(keras):
    """eps: torch (and we) skip cuts below eps, Keras does not. First NaN: Keras' best."""
    plateau = ReduceLROnPlateau(patience=0, factor=0.5, threshold_mode="abs")
    flat = [1.0] * 6
    assert ours_lrs(plateau, flat, 1e-8) == [1e-8] * 6  # 5e-9 cut < eps: skipped
    keras_run = keras_plateau_lrs(keras, plateau.to_keras(), flat, 1e-8)
    assert keras_run[-1] < 1e-9  # Keras keeps halving
    metrics = [math.nan, 1.0, 0.5, 0.25, 0.125, 0.0625]  # improving after a NaN
    ours = ours_lrs(ReduceLROnPlateau(patience=1, factor=0.5, threshold_mode="abs"), metrics, 0.1)
    assert ours == [0.1] * 6  # NaN was one bad epoch, then steady improvement
    keras_run = keras_plateau_lrs(
        keras,
        ReduceLROnPlateau(patience=1, factor=0.5, threshold_mode="abs").to_keras(),
        metrics,
        0.1,
    )
    assert keras_run[-1] < 0.1  # nothing beats Keras' NaN best: it keeps cutting


def test_plateau_nan_is_a_bad_epoch_and_min_lr_floor():
    plateau = ReduceLROnPlateau(patience=1, factor=0.1, min_lr=0.05)
    lrs = ours_lrs(plateau, [1.0, math.nan, math.nan, math.nan, math.nan], 1.0)
    assert lrs == [1.0, 1.0, pytest.approx(0.1), 0.1, 0.05]
    assert plateau.best == 1.0


# -- EarlyStopping --------------------------------------------------------------------
class _FakeKerasModel:
    """What keras.callbacks.EarlyStopping touches: get/set_weights and stop_training."""

    def __init__(self):
        self.epoch = 0
        self.stop_training = False
        self.restored = None

    def get_weights(self):
        return [np.array([float(self.epoch)])]

    def set_weights(self, weights):
        self.restored = weights


def _stopper_kwargs(rng, mode):
    return dict(
        mode=mode,
        min_delta=float(rng.choice([0, 1, 2])) / GRID,
        patience=int(rng.integers(0, 6)),
        baseline=None
        if rng.random() < 0.5
        else (1 if mode == "min" else -1) * float(rng.integers(250, 350)) / GRID,
        start_from_epoch=int(rng.choice([0, 0, 2, 5])),
        restore_best_weights=bool(rng.random() < 0.5),
    )


@pytest.mark.slow
def test_early_stopping_matches_keras(keras):
    rng = np.random.default_rng(7)
    for trial in range(150):
        mode = ("min", "max")[trial % 2]
        kwargs = _stopper_kwargs(rng, mode)
        ours = EarlyStopping(**kwargs)
        theirs = ours.to_keras(monitor="val_metric")
        model = _FakeKerasModel()
        theirs.set_model(model)
        theirs.on_train_begin()
        sign = 1 if mode == "min" else -1
        metrics = [sign * k / GRID for k in grid_sequence(rng, 30, threshold_units=1)]
        first_stop = None
        for epoch, m in enumerate(metrics):
            model.epoch, model.stop_training = epoch, False
            stop = ours.update(m, weights=model.get_weights())
            theirs.on_epoch_end(epoch, logs={"val_metric": m})
            assert stop == model.stop_training, (kwargs, metrics, epoch)
            assert ours.best == theirs.best and ours.wait == theirs.wait
            assert (ours.best_epoch or 0) == theirs.best_epoch
            assert (ours.stopped_epoch or 0) == theirs.stopped_epoch
            if stop and first_stop is None:
                first_stop = epoch
                theirs.on_train_end()  # Keras restores here, at the end of fit
                if kwargs["restore_best_weights"]:
                    np.testing.assert_array_equal(model.restored, ours.best_weights)
                    assert ours.best_weights[0][0] == ours.best_epoch
                else:
                    assert model.restored is None and ours.best_weights is None


def test_early_stopping_baseline_and_warmup():
    # improvements that stay above the baseline do not reset `wait`: the first epoch that
    # does not improve, `patience` or more epochs into monitoring, stops the run
    values = [9.0, 9.0, 0.9, 0.8, 0.7, 0.75]
    stopper = EarlyStopping(patience=3, baseline=0.5, start_from_epoch=2)
    assert [stopper.update(v) for v in values] == [False] * 5 + [True]
    assert (stopper.best, stopper.best_epoch, stopper.stopped_epoch) == (0.7, 4, 5)
    stopper = EarlyStopping(patience=3, start_from_epoch=2)  # no baseline: wait is 1
    assert not any(stopper.update(v) for v in values)
    # patience 0 never stops at epoch 0, stops at the first non-improving epoch after
    stopper = EarlyStopping()
    assert [stopper.update(v) for v in [1.0, 1.0]] == [False, True]


def test_early_stopping_restores_a_copy_and_handles_nan():
    weights = {"w": np.array([1.0])}
    stopper = EarlyStopping(patience=1, restore_best_weights=True)
    stopper.update(math.nan, weights)  # NaN: no improvement, but the first weights are kept
    assert stopper.best is None and stopper.best_epoch == 0
    stopper.update(0.5, weights)
    weights["w"][0] = 99.0  # training goes on, in place
    assert stopper.update(0.6, weights) is True
    assert stopper.best == 0.5 and stopper.best_weights["w"][0] == 1.0


# -- the interplay ------------------------------------------------------------------------
def _run(**kwargs):
    return simulate_plateau_and_stopping(plateau_prone_metrics, lr=0.1, max_epochs=200, **kwargs)


def test_interplay_never_stopping_failure_and_fixes():
    aggressive = ReduceLROnPlateau(factor=0.5, patience=2)
    failure = _run(plateau=aggressive, stopper=EarlyStopping(patience=5))
    # tiny improvements after every cut keep EarlyStopping quiet until the lr is ~1e-8
    assert failure.stopped_epoch is None or failure.final_lr < 1e-6
    assert failure.epochs_run > 100 and failure.reductions > 20

    floor = _run(
        plateau=ReduceLROnPlateau(factor=0.5, patience=2, min_lr=1e-3),
        stopper=EarlyStopping(patience=5),
    )
    other_metric = _run(
        plateau=aggressive,
        stopper=EarlyStopping(mode="max", patience=5),
        stop_monitor="val_accuracy",
    )
    min_delta = _run(plateau=aggressive, stopper=EarlyStopping(patience=5, min_delta=1e-3))
    for fixed in (floor, other_metric, min_delta):
        assert fixed.stopped_epoch is not None and fixed.stopped_epoch < 60
        assert fixed.final_lr >= 5e-4
        # as good as the failure where it matters: same accuracy, loss within 1e-3
        assert fixed.best("val_accuracy", "max") == failure.best("val_accuracy", "max")
        assert fixed.best() - failure.best() < 1e-3
    assert floor.final_lr == 1e-3


def test_interplay_premature_stop_and_patience_fix():
    plateau = ReduceLROnPlateau(factor=0.5, patience=2, min_lr=1e-3)  # period: 3 epochs
    early = _run(plateau=plateau, stopper=EarlyStopping(patience=2))
    assert early.reductions == 0 and early.final_lr == 0.1
    fixed = _run(plateau=plateau, stopper=EarlyStopping(patience=4))  # > reduction period
    assert fixed.reductions > 0 and fixed.best() < early.best() - 0.09


def test_simulation_accepts_plain_numbers_and_leaves_inputs_untouched():
    plateau, stopper = ReduceLROnPlateau(patience=0), EarlyStopping(patience=1)
    run = simulate_plateau_and_stopping(
        lambda e, lr: 1.0, lr=0.1, plateau=plateau, stopper=stopper, max_epochs=5
    )
    assert run.stopped_epoch == 1 and plateau.last_epoch == 0 and stopper.epoch == -1


# -- bad input --------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, exc, name",
    [
        (dict(factor=1.0), ValueError, "factor"),
        (dict(factor=0.0), ValueError, "factor"),
        (dict(patience=-1), ValueError, "patience"),
        (dict(patience=1.5), TypeError, "patience"),
        (dict(mode="avg"), ValueError, "mode"),
        (dict(threshold_mode="pct"), ValueError, "threshold_mode"),
        (dict(threshold=-1e-4), ValueError, "threshold"),
        (dict(cooldown=-1), ValueError, "cooldown"),
        (dict(min_lr=math.nan), ValueError, "min_lr"),
        (dict(eps="1e-8"), TypeError, "eps"),
    ],
)
def test_plateau_bad_arguments(kwargs, exc, name):
    with pytest.raises(exc, match=name):
        ReduceLROnPlateau(**kwargs)


@pytest.mark.parametrize(
    "kwargs, exc, name",
    [
        (dict(min_delta=-0.1), ValueError, "min_delta"),
        (dict(patience=None), TypeError, "patience"),
        (dict(baseline=math.nan), ValueError, "baseline"),
        (dict(start_from_epoch=-2), ValueError, "start_from_epoch"),
        (dict(restore_best_weights="yes"), TypeError, "restore_best_weights"),
        (dict(mode="up"), ValueError, "mode"),
    ],
)
def test_early_stopping_bad_arguments(kwargs, exc, name):
    with pytest.raises(exc, match=name):
        EarlyStopping(**kwargs)


def test_bad_update_inputs():
    plateau = ReduceLROnPlateau()
    with pytest.raises(TypeError, match="metric"):
        plateau.update("0.5", 0.1)
    with pytest.raises(TypeError, match="metric"):
        plateau.update(np.array([0.5, 0.4]), 0.1)
    with pytest.raises(ValueError, match="lr"):
        plateau.update(0.5, -0.1)
    assert plateau.update(np.float32(0.5), 0.1) == 0.1 and plateau.best == 0.5
    with pytest.raises(ValueError, match="weights"):
        EarlyStopping(restore_best_weights=True).update(0.5)
    with pytest.raises(TypeError, match="monitor"):
        EarlyStopping().to_keras(monitor=3)
    with pytest.raises(TypeError, match="plateau"):
        simulate_plateau_and_stopping(
            lambda e, lr: 1.0, lr=0.1, plateau=None, stopper=EarlyStopping()
        )
    with pytest.raises(ValueError, match="val_loss"):
        simulate_plateau_and_stopping(
            lambda e, lr: {"loss": 1.0},
            lr=0.1,
            plateau=ReduceLROnPlateau(),
            stopper=EarlyStopping(),
        )


@pytest.mark.parametrize(
    "module", ["improvement", "reduce_lr_on_plateau", "early_stopping", "interplay"]
)
def test_docstring_examples(module):
    import doctest
    import importlib

    mod = importlib.import_module(f"lrcourse.callbacks.{module}")
    failures, tried = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert tried > 0 and failures == 0


def test_mode_auto_follows_the_monitored_metric():
    from lrcourse.callbacks.improvement import fresh_for, resolve_mode

    assert ReduceLROnPlateau().mode == "auto" and EarlyStopping().mode == "auto"
    assert [resolve_mode("auto", m) for m in ("val_accuracy", "accuracy", "val_auc")] == ["max"] * 3
    assert [resolve_mode("auto", m) for m in ("val_loss", "loss", None)] == ["min"] * 3
    assert resolve_mode("min", "val_accuracy") == "min"  # explicit modes are kept
    plateau = ReduceLROnPlateau(patience=0)
    plateau.update(1.0, 0.1)
    fresh = fresh_for(plateau, "val_accuracy")
    assert fresh.mode == "max" and fresh.best == -math.inf and fresh.last_epoch == 0
    assert plateau.mode == "auto" and plateau.last_epoch == 1  # the original is untouched


def test_mode_auto_twins_get_the_resolved_mode():
    keras = pytest.importorskip("keras")
    assert isinstance(ReduceLROnPlateau(threshold=0).to_keras("val_accuracy"),
                      keras.callbacks.ReduceLROnPlateau)  # fmt: skip
    assert ReduceLROnPlateau(threshold=0).keras_arguments("val_accuracy")["mode"] == "max"
    assert EarlyStopping().to_keras("val_accuracy").mode == "max"
    assert EarlyStopping().to_keras("val_loss").mode == "min"
    torch = pytest.importorskip("torch")
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    assert ReduceLROnPlateau().to_torch(opt).mode == "min"
    assert ReduceLROnPlateau().to_torch(opt, monitor="val_accuracy").mode == "max"
