"""Every schedule against its PyTorch and Keras twins, step by step.

For each case (a few parameter sets per schedule, chosen so that every decay, restart,
boundary and phase change happens inside the run) the NumPy schedule is compared with

- its torch twin driving a real ``torch.optim.SGD``: ``param_groups[0]['lr']`` is read
  before each ``optimizer.step(); scheduler.step()``, over >= 1,000 updates; relative
  error <= 1e-10 (float64 on both sides);
- its Keras twin evaluated at the same steps (one batched call, or ``tf.map_fn`` for
  schedules whose Keras code branches with ``ops.cond``); Keras computes in float32, so
  the error is measured relative to max(|lr|, 1% of the run's peak lr) and must be
  <= 1e-5. The floor is there because float32 cannot resolve ``1 + cos(pi x)`` near
  x = 1: deep in a cosine tail (lr < 1% of the peak) the pointwise relative error of any
  float32 evaluation, Keras' own ``CosineDecay`` included, reaches 1e-3..1e-2 while the
  absolute error stays ~1e-7 of the peak.

The twin must also be the framework class promised in the docstrings (native where the
arithmetic matches, else ``LambdaLR`` / the generic keras.ops subclass).
"""

from __future__ import annotations

import numpy as np
import pytest

from lrcourse import schedules as S

TORCH_TOL = 1e-10
KERAS_TOL = 1e-5
KERAS_FLOOR = 0.01  # fraction of the run's peak lr below which Keras errors are absolute


def _lam(t):
    return 0.1 * 0.5 ** (t / 250)


# (id, schedule, number of steps, torch class, Keras class)
CASES = [
    ("constant", S.Constant(0.1), 1000, "LambdaLR", "KerasSchedule"),
    ("invtime", S.InverseTimeDecay(0.1, 0.5, 100), 1000, "LambdaLR", "InverseTimeDecay"),
    (
        "invtime-stair",
        S.InverseTimeDecay(0.1, 0.5, 100, staircase=True),
        1000,
        "LambdaLR",
        "InverseTimeDecay",
    ),
    (
        "invtime-keras2",
        S.InverseTimeDecay.from_keras2_decay(0.1, 1e-3),
        1000,
        "LambdaLR",
        "InverseTimeDecay",
    ),
    ("step", S.StepDecay(0.1, 100, 0.5), 1000, "StepLR", "ExponentialDecay"),
    ("step-30", S.StepDecay(0.1, 30), 1000, "StepLR", "ExponentialDecay"),
    ("step-frac", S.StepDecay(0.1, 2.5, 0.99), 1000, "LambdaLR", "ExponentialDecay"),
    (
        "multistep",
        S.MultiStepDecay(0.1, [300, 600, 900]),
        1000,
        "MultiStepLR",
        "PiecewiseConstantDecay",
    ),
    (
        "multistep-frac",
        S.MultiStepDecay(0.1, [100.5, 250, 251], 0.5),
        1000,
        "LambdaLR",
        "PiecewiseConstantDecay",
    ),
    (
        "piecewise",
        S.PiecewiseConstant([100, 500, 501], [0.1, 0.05, 0.02, 0.001]),
        1000,
        "LambdaLR",
        "PiecewiseConstantDecay",
    ),
    # 0.9975 rounds to float32 with relative error 2.4e-9: 1200 powers stay well inside 1e-5
    # (see test_keras_exponential_decay_float32_drift for a rate that does not)
    ("exp-1", S.ExponentialDecay(0.1, 1, 0.9975), 1000, "ExponentialLR", "ExponentialDecay"),
    (
        "exp-stair",
        S.ExponentialDecay(0.1, 100, 0.5, staircase=True),
        1000,
        "StepLR",
        "ExponentialDecay",
    ),
    ("exp-frac", S.ExponentialDecay(0.1, 37.5, 0.9), 1000, "LambdaLR", "ExponentialDecay"),
    ("exp-keras", S.ExponentialDecay(0.1, 100000, 0.96), 1000, "LambdaLR", "ExponentialDecay"),
    ("exp-cont", S.ContinuousExponentialDecay(0.1, 0.003), 1000, "ExponentialLR", "KerasSchedule"),
    (
        "poly-0",
        S.PolynomialDecay(0.1, 800, end_lr=0.0, power=2.0),
        1000,
        "PolynomialLR",
        "PolynomialDecay",
    ),
    ("poly-end", S.PolynomialDecay(0.1, 700), 1000, "LambdaLR", "PolynomialDecay"),
    (
        "poly-cycle",
        S.PolynomialDecay(0.1, 300, end_lr=0.01, power=0.5, cycle=True),
        1000,
        "LambdaLR",
        "PolynomialDecay",
    ),
    ("cos", S.CosineDecay(0.1, 800), 1000, "LambdaLR", "CosineDecay"),
    ("cos-alpha", S.CosineDecay(0.1, 600, alpha=0.1), 1000, "LambdaLR", "CosineDecay"),
    (
        "cos-warm",
        S.CosineDecay(0.0, 700, alpha=0.05, warmup_target=0.1, warmup_steps=200),
        1000,
        "LambdaLR",
        "CosineDecay",
    ),
    (
        "cos-warm-from",
        S.CosineDecay(0.01, 500, warmup_target=0.1, warmup_steps=100),
        1000,
        "LambdaLR",
        "CosineDecay",
    ),
    (
        "restarts-2",
        S.CosineRestarts(0.1, 100, t_mul=2.0),
        1000,
        "CosineAnnealingWarmRestarts",
        "CosineDecayRestarts",
    ),
    (
        "restarts-1",
        S.CosineRestarts(0.1, 50, t_mul=1.0, alpha=0.1),
        1000,
        "CosineAnnealingWarmRestarts",
        "CosineDecayRestarts",
    ),
    (
        "restarts-3",
        S.CosineRestarts(0.1, 10, t_mul=3.0, alpha=0.01),
        1300,
        "CosineAnnealingWarmRestarts",
        "CosineDecayRestarts",
    ),
    (
        "restarts-mmul",
        S.CosineRestarts(0.1, 100, t_mul=1.5, m_mul=0.8, alpha=0.05),
        1000,
        "LambdaLR",
        "CosineDecayRestarts",
    ),
    ("clr-tri", S.CyclicLR(0.001, 0.006, 200), 1000, "CyclicLR", "KerasSchedule"),
    (
        "clr-tri2",
        S.CyclicLR(0.001, 0.006, 150, 250, mode="triangular2"),
        1000,
        "CyclicLR",
        "KerasSchedule",
    ),
    (
        "clr-exp",
        S.CyclicLR(0.001, 0.006, 100, mode="exp_range", gamma=0.998),
        1000,
        "CyclicLR",
        "KerasSchedule",
    ),
    ("1cycle", S.OneCycle(0.1, 1000), 1000, "OneCycleLR", "KerasSchedule"),
    (
        "1cycle-linear",
        S.OneCycle(0.1, 1200, pct_start=0.25, anneal_strategy="linear"),
        1200,
        "OneCycleLR",
        "KerasSchedule",
    ),
    (
        "1cycle-3phase",
        S.OneCycle(0.1, 1000, pct_start=0.35, three_phase=True),
        1000,
        "OneCycleLR",
        "KerasSchedule",
    ),
    (
        "1cycle-frac",
        S.OneCycle(0.05, 1001, pct_start=0.333, div_factor=10.0, final_div_factor=100.0),
        1001,
        "OneCycleLR",
        "KerasSchedule",
    ),
    ("warmup-const", S.LinearWarmup(0.01, 100), 1000, "LambdaLR", "KerasSchedule"),
    (
        "warmup-cos",
        S.LinearWarmup(S.CosineDecay(0.1, 800, alpha=0.01), 200, start_lr=1e-4),
        1000,
        "LambdaLR",
        "CosineDecay",
    ),
    (
        "warmup-step",
        S.LinearWarmup(S.StepDecay(0.1, 200, 0.5), 50, start_lr=0.001),
        1000,
        "LambdaLR",
        "KerasSchedule",
    ),
    ("invsqrt", S.InverseSqrt(1e-3, 300), 1000, "LambdaLR", "KerasSchedule"),
    ("noam", S.InverseSqrt.from_d_model(512, 4000), 1000, "LambdaLR", "KerasSchedule"),
    ("bert", S.WarmupLinearDecay(5e-5, 100, 900), 1000, "LambdaLR", "KerasSchedule"),
    (
        "join",
        S.join([0.1, S.StepDecay(0.05, 100, 0.5), S.CosineDecay(0.02, 300)], [100, 500]),
        1000,
        "LambdaLR",
        "KerasSchedule",
    ),
    ("lambda", S.LambdaSchedule(_lam), 1000, "LambdaLR", "KerasSchedule"),
]
IDS = [c[0] for c in CASES]


def torch_lrs(schedule, n, *, lr=0.123, stale_initial_lr=None):
    """The lr a real torch SGD uses at each of ``n`` updates, and the scheduler."""
    import torch

    p = torch.nn.Parameter(torch.zeros(3, dtype=torch.float64))
    opt = torch.optim.SGD([p], lr=lr, momentum=0.9)
    if stale_initial_lr is not None:
        opt.param_groups[0]["initial_lr"] = stale_initial_lr
    sched = schedule.to_torch(opt)
    out = np.empty(n)
    for k in range(n):
        out[k] = opt.param_groups[0]["lr"]
        p.grad = torch.ones_like(p)
        opt.step()
        sched.step()
    return out, sched


def keras_lrs(keras_schedule, steps):
    """``keras_schedule(step)`` for integer steps (batched; map_fn where Keras branches)."""
    import keras

    steps = keras.ops.convert_to_tensor(np.asarray(steps, dtype=np.int64))
    try:
        out = keras_schedule(steps)
    except (ValueError, TypeError):  # ops.cond needs a scalar: evaluate step by step
        import tensorflow as tf

        out = tf.function(lambda s: tf.map_fn(keras_schedule, s, fn_output_signature=tf.float32))(
            steps
        )
    return np.asarray(keras.ops.convert_to_numpy(out), dtype=np.float64)


def rel_err(got, ref, floor=0.0):
    got, ref = np.asarray(got, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    denom = np.maximum(np.abs(ref), floor)
    diff = np.abs(got - ref)
    return np.where(diff == 0, 0.0, diff / np.where(denom == 0, 1.0, denom) + (denom == 0))


@pytest.mark.parametrize(("name", "schedule", "n", "torch_cls", "keras_cls"), CASES, ids=IDS)
def test_torch_twin(name, schedule, n, torch_cls, keras_cls, report_figure):
    got, sched = torch_lrs(schedule, n)
    assert type(sched).__name__ == torch_cls
    err = rel_err(got, schedule(np.arange(n))).max()
    report_figure("schedules: worst rel. error vs torch twin", err, "{:.2e}")
    assert err <= TORCH_TOL, f"{name}: max rel error {err:.3g} vs torch {torch_cls}"


@pytest.mark.parametrize(("name", "schedule", "n", "torch_cls", "keras_cls"), CASES, ids=IDS)
def test_keras_twin(name, schedule, n, torch_cls, keras_cls, report_figure):
    twin = schedule.to_keras()
    assert type(twin).__name__ == keras_cls
    steps = np.arange(n + 200)  # past the end too: floors and holds must match
    ref = schedule(steps)
    got = keras_lrs(twin, steps)
    peak = np.abs(ref).max()
    err = rel_err(got, ref, KERAS_FLOOR * peak).max()
    report_figure("schedules: worst rel. error vs Keras twin (floor 1% peak)", err, "{:.2e}")
    report_figure(
        "schedules: worst abs. error vs Keras twin / peak lr",
        np.abs(got - ref).max() / peak,
        "{:.2e}",
    )
    assert err <= KERAS_TOL, f"{name}: max rel error {err:.3g} vs Keras {keras_cls}"


def test_keras_exponential_decay_float32_drift():
    """Keras rounds decay_rate to float32 and raises that error to the power t / D."""
    schedule = S.ExponentialDecay(0.1, 1, 0.998)
    steps = np.arange(1200)
    got, ref = keras_lrs(schedule.to_keras(), steps), schedule(steps)
    drift = rel_err(got, ref)[-1]
    assert 2e-5 < drift < 4e-5  # about 1199 * 2.6e-8, the rounding of 0.998 to float32
    explained = 0.1 * float(np.float32(0.998)) ** steps  # the float32 rate, exact powers
    assert rel_err(got, explained).max() < 2e-6
    continuous = S.ContinuousExponentialDecay(0.1, -np.log(0.998))  # exp(-k t) directly
    assert rel_err(keras_lrs(continuous.to_keras(), steps), ref).max() < 2e-6


def test_torch_twin_ignores_a_stale_initial_lr():
    schedule = S.StepDecay(0.1, 10, 0.5)
    got, _ = torch_lrs(schedule, 40, lr=0.5, stale_initial_lr=0.7)
    np.testing.assert_allclose(got, schedule(np.arange(40)), rtol=1e-15)
    got, _ = torch_lrs(S.CosineDecay(0.1, 30), 40, stale_initial_lr=0.7)
    np.testing.assert_allclose(got, S.CosineDecay(0.1, 30)(np.arange(40)), rtol=1e-15)


@pytest.mark.parametrize("name", ["step", "cos", "lambda", "1cycle"])
def test_torch_twin_drives_every_param_group_and_checkpoints(name):
    import io

    import torch

    schedule = dict((c[0], c[1]) for c in CASES)[name]
    a, b = (torch.nn.Parameter(torch.zeros(2)) for _ in range(2))
    opt = torch.optim.SGD([{"params": [a], "lr": 0.5}, {"params": [b], "lr": 0.7}], lr=0.3)
    sched = schedule.to_torch(opt)
    for k in range(60):
        assert [g["lr"] for g in opt.param_groups] == [schedule(k)] * 2
        opt.step()
        sched.step()
    torch.save(sched.state_dict(), io.BytesIO())  # a checkpoint, even with a lambda inside


def test_torch_cosine_annealing_is_not_clamped():
    """torch's CosineAnnealingLR matches CosineDecay on [0, T], then rises again."""
    import torch

    lr0, T, alpha = 0.1, 200, 0.05
    ours = S.CosineDecay(lr0, T, alpha=alpha)
    p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.SGD([p], lr=lr0)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=T, eta_min=alpha * lr0)
    got = []
    for _ in range(3 * T + 1):
        got.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    got, ref = np.array(got), ours(np.arange(3 * T + 1))
    assert rel_err(got[: T + 1], ref[: T + 1]).max() <= 1e-10  # same curve on [0, T]
    assert got[2 * T] == pytest.approx(lr0)  # back at the top after 2 T_max ...
    assert ref[2 * T] == pytest.approx(alpha * lr0)  # ... while ours holds the floor
    assert rel_err(got[T + 1 :], ref[T + 1 :]).max() > 0.5


def test_one_cycle_torch_past_the_end():
    """Ours holds the final lr after N - 1; torch's value at N is unused, then it raises."""
    schedule = S.OneCycle(0.1, 100)
    got, sched = torch_lrs(schedule, 100)
    np.testing.assert_allclose(got, schedule(np.arange(100)), rtol=1e-12)
    assert schedule(150) == schedule(99) == pytest.approx(0.1 / 25 / 1e4)
    with pytest.raises(ValueError, match="Tried to step"):
        sched.step()


# (schedule, steps to check inside a real Keras optimizer: changes and their neighbours)
OPTIMIZER_POINTS = [
    ("step", [0, 99, 100, 101, 999]),
    ("multistep", [0, 299, 300, 301, 600, 900]),
    ("piecewise", [0, 99, 100, 499, 500, 501, 502]),
    ("multistep-frac", [100, 101, 249, 250, 251, 252]),
    ("cos-warm", [0, 1, 199, 200, 201, 899, 900, 950]),
    ("restarts-3", [0, 9, 10, 39, 40, 129, 130, 400]),
    ("clr-tri2", [0, 150, 400, 550, 800]),
    ("1cycle-frac", [0, 332, 333, 334, 1000]),
    ("warmup-step", [0, 49, 50, 249, 250]),
    ("join", [99, 100, 499, 500]),
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "points"), OPTIMIZER_POINTS, ids=[p[0] for p in OPTIMIZER_POINTS])
def test_keras_twin_inside_sgd(name, points):
    """The twin inside keras.optimizers.SGD: the lr it uses at iterations == k."""
    import keras

    schedule = dict((c[0], c[1]) for c in CASES)[name]
    opt = keras.optimizers.SGD(learning_rate=schedule.to_keras())
    var = keras.Variable(np.zeros(2, dtype=np.float32))
    opt.build([var])
    for k in points:
        opt.iterations.assign(k)
        lr = float(keras.ops.convert_to_numpy(opt.learning_rate))
        assert lr == pytest.approx(
            schedule(k), rel=1e-5, abs=1e-7 * schedule(np.arange(1000)).max()
        )
        before = keras.ops.convert_to_numpy(var).copy()
        opt.apply_gradients([(keras.ops.ones((2,)), var)])  # w -= lr * 1
        step = before - keras.ops.convert_to_numpy(var)
        np.testing.assert_allclose(step, lr, rtol=1e-3, atol=1e-9)
        assert int(keras.ops.convert_to_numpy(opt.iterations)) == k + 1


@pytest.mark.slow
def test_keras_twins_in_model_fit():
    """Generic and native twins trace inside model.fit; the epoch callback sets schedule(epoch)."""
    import keras

    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    per_step = S.OneCycle(0.05, 40)  # generic keras.ops twin, 8 batches x 5 epochs = 40 updates
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(learning_rate=per_step.to_keras()), loss="mse")
    model.fit(x, y, batch_size=8, epochs=5, verbose=0)
    assert int(keras.ops.convert_to_numpy(model.optimizer.iterations)) == 40
    lr = float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))
    assert lr == pytest.approx(per_step(40), rel=1e-5)

    per_epoch = S.StepDecay(0.1, step_size=2, gamma=0.5)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(learning_rate=0.9), loss="mse")
    hist = model.fit(
        x, y, batch_size=32, epochs=6, verbose=0, callbacks=[per_epoch.to_keras_callback()]
    )
    np.testing.assert_allclose(hist.history["learning_rate"], per_epoch(np.arange(6)), rtol=1e-7)


@pytest.mark.parametrize("name", ["step", "cos-warm", "1cycle", "join", "lambda"])
def test_keras_callback_gives_schedule_of_epoch(name):
    import keras

    schedule = dict((c[0], c[1]) for c in CASES)[name]
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(learning_rate=0.5), loss="mse")
    callback = schedule.to_keras_callback()
    assert isinstance(callback, keras.callbacks.LearningRateScheduler)
    callback.set_model(model)
    epochs = np.arange(0, 1000, 37)
    got = []
    for epoch in epochs:
        callback.on_epoch_begin(int(epoch))
        got.append(float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)))
    np.testing.assert_allclose(got, schedule(epochs).astype(np.float32), rtol=1e-7, atol=0)


def test_keras_generic_twin_serialises():
    import keras

    schedule = S.join([S.LinearWarmup(0.1, 10), S.CyclicLR(0.01, 0.1, 20)], [50])
    twin = schedule.to_keras()
    config = keras.optimizers.schedules.serialize(twin)
    back = keras.optimizers.schedules.deserialize(config)
    assert back.schedule == schedule
    steps = np.arange(120)
    np.testing.assert_array_equal(keras_lrs(back, steps), keras_lrs(twin, steps))
