"""lrcourse.schedules on its own: the syllabus' worked numbers, the documented conventions,
vectorisation, argument checks, repr/config, plotting and import hygiene.

The framework twins are tested in ``test_schedules_twins.py``.
"""

from __future__ import annotations

import dataclasses
import doctest
import importlib
import json
import math
import pkgutil
import subprocess
import sys

import numpy as np
import pytest

from lrcourse import schedules as S

MODULES = sorted(m.name for m in pkgutil.iter_modules(S.__path__, prefix="lrcourse.schedules.")) + [
    "lrcourse.schedules"
]

# one instance of every class, with parameters that exercise its branches
EXAMPLES = [
    S.Constant(0.1),
    S.InverseTimeDecay(0.1, 0.5, 10, staircase=True),
    S.StepDecay(0.1, 10, 0.5),
    S.MultiStepDecay(0.1, [30, 60, 90]),
    S.PiecewiseConstant([10, 20], [0.1, 0.05, 0.01]),
    S.ExponentialDecay(0.1, 10, 0.9),
    S.ContinuousExponentialDecay(0.1, 0.1),
    S.PolynomialDecay(0.1, 50, power=2.0, cycle=True),
    S.CosineDecay(0.1, 80, alpha=0.1, warmup_target=0.2, warmup_steps=10),
    S.CosineRestarts(0.1, 10, t_mul=2.0, m_mul=0.5, alpha=0.1),
    S.CyclicLR(0.01, 0.1, 10, 20, mode="exp_range", gamma=0.99),
    S.OneCycle(0.1, 100, three_phase=True),
    S.LinearWarmup(S.ExponentialDecay(0.1, 10, 0.5), 10, start_lr=0.01),
    S.InverseSqrt(1e-3, 20),
    S.WarmupLinearDecay(5e-5, 10, 90),
    S.join([0.1, S.CosineDecay(0.1, 30)], [10]),
    S.LambdaSchedule(lambda t: 0.1 / (1 + t)),
]


# -- the syllabus' worked numbers -------------------------------------------------------------
def test_syllabus_constant():
    assert S.Constant(0.1)(np.arange(100)).tolist() == [0.1] * 100


def test_syllabus_time_based_keras2_decay():
    lr0, epochs = 0.1, 100
    s = S.InverseTimeDecay.from_keras2_decay(lr0, decay=lr0 / epochs)  # per batch
    its = np.arange(5000)
    np.testing.assert_allclose(s(its), lr0 / (1 + (lr0 / epochs) * its), rtol=1e-15)
    assert s(1000) == pytest.approx(0.05, rel=1e-15)


def test_syllabus_step_decay():
    s = S.StepDecay(0.1, step_size=10, gamma=0.5)  # halve every 10 epochs
    assert s(10) == pytest.approx(0.05, rel=1e-15)
    assert s(20) == pytest.approx(0.025, rel=1e-15)
    assert s(9) == s(0) == 0.1 and s(19) == s(10)
    tenfold = S.StepDecay(0.1, step_size=30)  # "divide by 10 every 30 epochs"
    np.testing.assert_allclose(tenfold([29, 30, 59, 60, 90]), [0.1, 0.01, 0.01, 1e-3, 1e-4])


def test_syllabus_exponential():
    s = S.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.96)
    np.testing.assert_allclose(s([0, 1, 2]), [0.1, 0.096, 0.09216], rtol=1e-15)
    keras_doc = S.ExponentialDecay(0.1, decay_steps=100000, decay_rate=0.96)
    assert keras_doc(100000) == pytest.approx(0.096, rel=1e-15)
    assert keras_doc(50000) == pytest.approx(0.1 * math.sqrt(0.96), rel=1e-15)
    torch_doc = S.ExponentialDecay(0.1, 1, 0.9)  # torch ExponentialLR(gamma=0.9)
    np.testing.assert_allclose(torch_doc(np.arange(50)), 0.1 * 0.9 ** np.arange(50), rtol=1e-14)
    staircase = S.ExponentialDecay(0.1, 10, 0.96, staircase=True)
    np.testing.assert_allclose(staircase([0, 9, 10, 25]), [0.1, 0.1, 0.096, 0.09216])


def test_syllabus_exponential_continuous():
    s = S.ContinuousExponentialDecay(0.1, k=0.1)
    t = np.arange(0, 100, 0.5)
    np.testing.assert_array_equal(s(t), 0.1 * np.exp(-0.1 * t))
    assert s(10) == pytest.approx(0.1 / math.e, rel=1e-15)
    assert S.ExponentialDecay.continuous(0.1, 0.1) == s
    discrete = S.ExponentialDecay(0.1, 1, math.exp(-0.1))  # the same curve, as rate^t
    np.testing.assert_allclose(discrete(t), s(t), rtol=1e-13)


def test_syllabus_piecewise_hold_then_halve():
    s = S.PiecewiseConstant([10, 20, 30], [0.1, 0.05, 0.025, 0.0125])
    joined = S.join([0.1, S.StepDecay(0.05, 10, 0.5)], [10])
    t = np.arange(40)
    np.testing.assert_allclose(s(t), joined(t), rtol=1e-15)
    assert s(9) == 0.1 and s(10) == 0.05 and s(30) == 0.0125


def test_syllabus_resnet_recipe():
    s = S.MultiStepDecay(0.1, milestones=[30, 60, 90])  # /10 at 30, 60, 90
    np.testing.assert_allclose(
        s([0, 29, 30, 59, 60, 90, 200]), [0.1, 0.1, 0.01, 0.01, 1e-3, 1e-4, 1e-4]
    )


def test_syllabus_polynomial_faster_than_exponential_early():
    """The syllabus' claim, made precise: with p > 1 the lr falls faster than linear from
    the start, and faster than the exponential that starts with the same slope (whose
    relative decay rate p / T stays constant while the polynomial's, p / (T - t), grows)."""
    t = np.arange(1, 100)
    poly = S.PolynomialDecay(0.1, 100, end_lr=0.0, power=3.0)
    linear = S.PolynomialDecay(0.1, 100, end_lr=0.0, power=1.0)
    same_start = S.ContinuousExponentialDecay(0.1, k=3.0 / 100)
    assert np.all(poly(t) < linear(t))
    assert np.all(poly(t) < same_start(t))
    assert poly(1) == pytest.approx(same_start(1), rel=1e-3)  # same slope at t = 0
    formula = (0.1 - 1e-4) * (1 - np.minimum(t, 100) / 100) ** 1.0 + 1e-4  # Keras default end
    np.testing.assert_allclose(S.PolynomialDecay(0.1, 100)(t), formula, rtol=1e-15)


def test_syllabus_cosine_formula():
    lr_max, lr_min, T = 0.1, 0.001, 100
    s = S.CosineDecay(lr_max, T, alpha=lr_min / lr_max)
    t = np.arange(T + 1)
    formula = lr_min + (lr_max - lr_min) * (1 + np.cos(np.pi * t / T)) / 2
    np.testing.assert_allclose(s(t), formula, rtol=1e-13)
    assert s(T + 50) == pytest.approx(lr_min)  # held at the floor after T (Keras)


def test_syllabus_cosine_warm_restarts():
    s = S.CosineRestarts(0.1, first_decay_steps=10, t_mul=2.0)
    starts = [0, 10, 30, 70, 150]
    np.testing.assert_allclose(s(starts), 0.1)  # each restart at the start of a period
    assert s(5) == pytest.approx(0.05) and s(20) == pytest.approx(0.05)  # half-way points
    assert s(69) == pytest.approx(0.05 * (1 + math.cos(math.pi * 39 / 40)))  # end of period 2


def test_syllabus_cyclical_modes():
    t = np.arange(0, 8001, 1000)
    tri = S.CyclicLR(0.001, 0.006, 2000)
    np.testing.assert_allclose(
        tri(t), [0.001, 0.0035, 0.006, 0.0035, 0.001, 0.0035, 0.006, 0.0035, 0.001]
    )
    tri2 = S.CyclicLR(0.001, 0.006, 2000, mode="triangular2")
    assert tri2(2000) == pytest.approx(0.006) and tri2(6000) == pytest.approx(0.0035)
    exp = S.CyclicLR(0.001, 0.006, 2000, mode="exp_range", gamma=0.9999)
    assert exp(2000) == pytest.approx(0.001 + 0.005 * 0.9999**2000, rel=1e-13)


def test_syllabus_one_cycle_rises_then_falls_below_start():
    s = S.OneCycle(0.1, total_steps=1000)
    lrs = s(np.arange(1000))
    peak = int(np.argmax(lrs))
    assert peak == 299 and lrs[peak] == pytest.approx(0.1)  # torch: end step 0.3 N - 1
    assert lrs[0] == pytest.approx(0.1 / 25) and lrs[-1] == pytest.approx(0.1 / 25 / 1e4)
    assert np.all(np.diff(lrs[:300]) > 0) and np.all(np.diff(lrs[299:]) < 0)


def test_syllabus_linear_warmup():
    s = S.LinearWarmup(0.01, warmup_steps=5)  # target 0.01 over 5 epochs
    assert s(1) == pytest.approx(0.002, rel=1e-15)
    assert s(5) == 0.01
    np.testing.assert_allclose(s(np.arange(6)), 0.01 * np.arange(6) / 5, rtol=1e-15)
    from_small = S.LinearWarmup(0.01, 5, start_lr=1e-4)  # or start at 1e-4
    assert from_small(0) == 1e-4 and from_small(5) == 0.01
    assert np.all(np.diff(from_small(np.arange(6))) > 0)


def test_syllabus_transformer_inverse_sqrt():
    d_model, W = 512, 4000
    s = S.InverseSqrt.from_d_model(d_model, warmup_steps=W)
    t = np.arange(0, 50_000, 7)
    step_num = t + 1  # the paper counts from 1
    paper = d_model**-0.5 * np.minimum(step_num**-0.5, step_num * W**-1.5)
    np.testing.assert_allclose(s(t), paper, rtol=1e-13)
    assert int(np.argmax(s(np.arange(10_000)))) == W - 1
    assert s(4 * W - 1) == pytest.approx(s(W - 1) / 2)  # ~ 1/sqrt(step) after the peak
    assert S.InverseSqrt(0.001)(3999) == pytest.approx(0.001)  # base lr 0.001, 4000 steps


def test_syllabus_bert():
    s = S.WarmupLinearDecay(5e-5, warmup_steps=10_000, total_steps=100_000)
    t = np.arange(0, 120_000, 13)
    hf = np.where(t < 10_000, t / 10_000, np.maximum(0.0, (100_000 - t) / 90_000)) * 5e-5
    np.testing.assert_allclose(s(t), hf, rtol=1e-11, atol=1e-20)
    assert s(10_000) == 5e-5 and s(0) == 0.0 and s(100_000) == 0.0


def test_syllabus_custom_lambda():
    s = S.LambdaSchedule(lambda t: 0.1 * 0.5 ** np.floor(t / 10))
    np.testing.assert_allclose(s(np.arange(40)), S.StepDecay(0.1, 10, 0.5)(np.arange(40)))


# -- docstring examples are real ------------------------------------------------------------
@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples(module):
    mod = importlib.import_module(module)
    result = doctest.testmod(mod, extraglobs=vars(S), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_every_class_has_a_worked_example():
    for name in S.__all__:
        obj = getattr(S, name)
        if name in ("Schedule", "join"):
            continue
        assert ">>> " in (obj.__doc__ or ""), f"{name} has no worked example"
        assert "Twins:" in obj.__doc__, f"{name} does not name its twins"


# -- conventions ----------------------------------------------------------------------------
def test_switches_happen_at_the_boundary():
    assert S.MultiStepDecay(1.0, [5], 0.5)([4, 5]).tolist() == [1.0, 0.5]
    assert S.PiecewiseConstant([5], [1.0, 0.5])([4, 4.999, 5]).tolist() == [1.0, 1.0, 0.5]
    assert S.StepDecay(1.0, 5, 0.5)([4, 5]).tolist() == [1.0, 0.5]


def test_join_restarts_each_schedule_at_its_boundary():
    a, b, c = S.Constant(0.3), S.CosineDecay(0.1, 20), S.ExponentialDecay(0.05, 1, 0.9)
    s = S.join([a, b, c], [10, 25])
    t = np.arange(60.0)
    expected = np.where(
        t < 10, a(t), np.where(t < 25, b(np.maximum(t - 10, 0)), c(np.maximum(t - 25, 0)))
    )
    np.testing.assert_array_equal(s(t), expected)
    assert isinstance(s, S.Sequence)


def test_linear_warmup_of_cosine_is_keras_cosine_warmup():
    t = np.arange(0, 400, 0.5)
    a = S.CosineDecay(0.001, 300, alpha=0.1, warmup_target=0.1, warmup_steps=50)
    b = S.LinearWarmup(S.CosineDecay(0.1, 300, alpha=0.1), 50, start_lr=0.001)
    np.testing.assert_array_equal(a(t), b(t))
    zero = S.CosineDecay(0.5, 100, warmup_target=0.1, warmup_steps=0)  # decays from target
    np.testing.assert_array_equal(zero(t), S.CosineDecay(0.1, 100)(t))


def test_cosine_restarts_find_the_period_exactly():
    """A log-based floor in float64 misplaces the restart at t = 1210 for t_mul = 3."""
    s = S.CosineRestarts(0.1, 10, t_mul=3.0)
    starts = [10 * (3**i - 1) // 2 for i in range(7)]  # 0, 10, 40, 130, 400, 1210, 3640
    np.testing.assert_allclose(s(starts), 0.1)
    f = 1210 / 10
    naive = math.floor(math.log(1 + f * 2) / math.log(3))
    assert naive == 4  # one period short: the naive formula gives the floor, not the restart
    for t_mul in (1.0, 1.5, 2.0, 3.0):
        r = S.CosineRestarts(1.0, 7, t_mul=t_mul)
        lrs = r(np.arange(3000))
        jumps = np.flatnonzero(np.diff(lrs) > 0.5) + 1
        bounds = 7 * np.cumsum(t_mul ** np.arange(500))
        np.testing.assert_array_equal(jumps, np.ceil(bounds[bounds < 3000] - 1e-9))


def test_one_cycle_phase_ends_are_torchs():
    s = S.OneCycle(1.0, 1001, pct_start=0.333, anneal_strategy="linear", div_factor=10.0)
    e1 = float(0.333 * 1001) - 1  # 332.333...
    assert s(e1) == pytest.approx(1.0)
    assert s(332) < 1.0 and s(333) < 1.0
    three = S.OneCycle(1.0, 1000, pct_start=0.25, three_phase=True)
    assert three(249) == pytest.approx(1.0)  # end of phase 1: 0.25 N - 1
    assert three(498) == pytest.approx(0.04)  # end of phase 2: 2 * 0.25 N - 2, back at start
    assert three(999) == pytest.approx(0.04 / 1e4) == three(5000)  # held after N - 1


def test_polynomial_cycle_keras_semantics():
    s = S.PolynomialDecay(0.1, 10, end_lr=0.0, cycle=True)
    assert s(0) == 0.1 and s(10) == 0.0
    assert s(11) == pytest.approx(0.1 * (1 - 11 / 20))  # D doubles after the first cycle
    assert s(25) == pytest.approx(0.1 * (1 - 25 / 30))
    assert S.PolynomialDecay(0.1, 10, end_lr=0.01)(1000) == 0.01  # no cycle: held at end


def test_float_steps_epochs_and_fractions():
    s = S.StepDecay(0.1, 10, 0.5)
    assert s(10.0) == s(10) == s(np.int64(10)) == s(np.float32(10))
    assert s(12.5) == 0.05
    warm = S.LinearWarmup(1.0, 4)
    assert warm(0.5) == 0.125


# -- vectorisation --------------------------------------------------------------------------
@pytest.mark.parametrize("schedule", EXAMPLES, ids=[type(s).__name__ for s in EXAMPLES])
def test_vectorised_shapes_and_scalars(schedule):
    t = np.arange(120)
    out = schedule(t)
    assert isinstance(out, np.ndarray) and out.dtype == np.float64 and out.shape == (120,)
    assert np.all(np.isfinite(out)) and np.all(out >= 0)
    grid = schedule(t.reshape(12, 10))
    assert grid.shape == (12, 10)
    np.testing.assert_array_equal(grid.ravel(), out)
    scalars = [schedule(int(k)) for k in (0, 7, 33, 119)]
    assert all(type(v) is float for v in scalars)
    assert scalars == out[[0, 7, 33, 119]].tolist()
    assert type(schedule(np.float64(3.0))) is float
    assert schedule(np.array(5)) == out[5]
    assert schedule([3, 4]).tolist() == out[3:5].tolist()
    assert schedule(np.array([], dtype=int)).shape == (0,)


def test_lambda_schedule_non_vectorised_fallback():
    calls = []

    def fn(t):
        calls.append(t)
        return 0.1 if t < 10 else 0.01

    s = S.LambdaSchedule(fn, vectorized=False)
    np.testing.assert_array_equal(s(np.arange(20)), [0.1] * 10 + [0.01] * 10)
    assert s(3) == 0.1
    with pytest.raises(ValueError):
        S.LambdaSchedule(fn)(np.arange(20))  # an `if` on an array: pass vectorized=False


# -- argument checks --------------------------------------------------------------------------
BAD = [
    (lambda: S.Constant(-0.1), ValueError, "lr"),
    (lambda: S.Constant("0.1"), TypeError, "lr"),
    (lambda: S.InverseTimeDecay(0.1, -1.0), ValueError, "decay_rate"),
    (lambda: S.InverseTimeDecay(0.1, 0.5, decay_steps=0), ValueError, "decay_steps"),
    (lambda: S.StepDecay(0.1, 0), ValueError, "step_size"),
    (lambda: S.StepDecay(0.1, 10, gamma=0), ValueError, "gamma"),
    (lambda: S.StepDecay(-1, 10), ValueError, "initial_lr"),
    (lambda: S.MultiStepDecay(0.1, [30, 20]), ValueError, "milestones"),
    (lambda: S.MultiStepDecay(0.1, [30, 30]), ValueError, "milestones"),
    (lambda: S.MultiStepDecay(0.1, 30), TypeError, "milestones"),
    (lambda: S.MultiStepDecay(0.1, []), ValueError, "milestones"),
    (lambda: S.PiecewiseConstant([10, 5], [1, 2, 3]), ValueError, "boundaries"),
    (lambda: S.PiecewiseConstant([5, 10], [1, 2]), ValueError, "values"),
    (lambda: S.PiecewiseConstant([5], [1, -2]), ValueError, r"values\[1\]"),
    (lambda: S.PiecewiseConstant([-5], [1, 2]), ValueError, r"boundaries\[0\]"),
    (lambda: S.ExponentialDecay(0.1, -10, 0.9), ValueError, "decay_steps"),
    (lambda: S.ExponentialDecay(0.1, 10, 0.0), ValueError, "decay_rate"),
    (lambda: S.ExponentialDecay(0.1, float("inf"), 0.9), ValueError, "decay_steps"),
    (lambda: S.ContinuousExponentialDecay(0.1, -0.1), ValueError, "k"),
    (lambda: S.PolynomialDecay(0.1, 0), ValueError, "decay_steps"),
    (lambda: S.PolynomialDecay(0.1, 10, end_lr=-1), ValueError, "end_lr"),
    (lambda: S.PolynomialDecay(0.1, 10, power=-1), ValueError, "power"),
    (lambda: S.CosineDecay(0.1, 0), ValueError, "decay_steps"),
    (lambda: S.CosineDecay(0.1, 10, alpha=1.5), ValueError, "alpha"),
    (lambda: S.CosineDecay(0.1, 10, warmup_target=-1), ValueError, "warmup_target"),
    (lambda: S.CosineDecay(0.1, 10, warmup_steps=-1), ValueError, "warmup_steps"),
    (lambda: S.CosineRestarts(0.1, 0), ValueError, "first_decay_steps"),
    (lambda: S.CosineRestarts(0.1, 10, t_mul=0.5), ValueError, "t_mul"),
    (lambda: S.CosineRestarts(0.1, 10, m_mul=-1), ValueError, "m_mul"),
    (lambda: S.CyclicLR(0.1, 1.0, mode="sine"), ValueError, "mode"),
    (lambda: S.CyclicLR(0.1, 1.0, step_size_up=0), ValueError, "step_size_up"),
    (lambda: S.CyclicLR(0.1, 1.0, step_size_down=-5), ValueError, "step_size_down"),
    (lambda: S.CyclicLR(-0.1, 1.0), ValueError, "base_lr"),
    (lambda: S.CyclicLR(0.1, 1.0, mode="exp_range", gamma=0), ValueError, "gamma"),
    (lambda: S.OneCycle(0.1, 0), ValueError, "total_steps"),
    (lambda: S.OneCycle(0.1, 100.5), TypeError, "total_steps"),
    (lambda: S.OneCycle(0.1, 100, pct_start=1.5), ValueError, "pct_start"),
    (lambda: S.OneCycle(0.1, 100, pct_start=0.005), ValueError, "pct_start"),
    (lambda: S.OneCycle(0.1, 100, pct_start=0.6, three_phase=True), ValueError, "pct_start"),
    (lambda: S.OneCycle(0.1, 100, anneal_strategy="exp"), ValueError, "anneal_strategy"),
    (lambda: S.OneCycle(0.1, 100, div_factor=0), ValueError, "div_factor"),
    (lambda: S.LinearWarmup(0.1, -1), ValueError, "warmup_steps"),
    (lambda: S.LinearWarmup("high", 10), TypeError, "after"),
    (lambda: S.LinearWarmup(0.1, 10, start_lr=-1), ValueError, "start_lr"),
    (lambda: S.InverseSqrt(0.1, 0), ValueError, "warmup_steps"),
    (lambda: S.InverseSqrt.from_d_model(0), ValueError, "d_model"),
    (lambda: S.WarmupLinearDecay(5e-5, 100, 100), ValueError, "total_steps"),
    (lambda: S.WarmupLinearDecay(-5e-5, 10, 100), ValueError, "peak_lr"),
    (lambda: S.join([0.1, 0.01], [10, 20]), ValueError, "boundaries"),
    (lambda: S.join([0.1, 0.01, 0.001], [20, 10]), ValueError, "boundaries"),
    (lambda: S.join(S.Constant(0.1), []), TypeError, "schedules"),
    (lambda: S.join([0.1, "x"], [10]), TypeError, r"schedules\[1\]"),
    (lambda: S.LambdaSchedule(0.1), TypeError, "fn"),
    (lambda: S.Constant(0.1)(-1), ValueError, "step"),
    (lambda: S.Constant(0.1)([0, 1, -2]), ValueError, "step"),
    (lambda: S.Constant(0.1)(np.nan), ValueError, "step"),
    (lambda: S.Constant(0.1)("3"), TypeError, "step"),
    (lambda: S.Constant(0.1)(True), TypeError, "step"),
]


@pytest.mark.parametrize(
    ("make", "exc", "name"), BAD, ids=[f"{i}-{b[2]}" for i, b in enumerate(BAD)]
)
def test_bad_input_names_the_argument(make, exc, name):
    with pytest.raises(exc, match=name):
        make()


# -- repr, equality, config ------------------------------------------------------------------
@pytest.mark.parametrize("schedule", EXAMPLES, ids=[type(s).__name__ for s in EXAMPLES])
def test_repr_and_config_round_trip(schedule):
    text = repr(schedule)
    assert text.startswith(type(schedule).__name__ + "(")
    if not isinstance(schedule, S.LambdaSchedule):
        assert eval(text, vars(S)) == schedule  # repr is valid Python
        config = schedule.get_config()
        assert json.loads(json.dumps(config)) == config  # plain JSON
        back = S.Schedule.from_config(config)
        assert back == schedule and hash(back) == hash(schedule)
        np.testing.assert_array_equal(back(np.arange(150)), schedule(np.arange(150)))


def test_repr_reads_like_the_call():
    assert repr(S.StepDecay(0.1, 10, 0.5)) == "StepDecay(initial_lr=0.1, step_size=10, gamma=0.5)"
    assert repr(S.InverseTimeDecay.from_keras2_decay(0.1, 0.001)) == (
        "InverseTimeDecay(initial_lr=0.1, decay_rate=0.001, decay_steps=1, staircase=False)"
    )
    assert repr(S.join([0.1, 0.01], [10])) == (
        "Sequence(schedules=[Constant(lr=0.1), Constant(lr=0.01)], boundaries=[10])"
    )


# -- plotting ---------------------------------------------------------------------------------
def test_plot_returns_axes():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = S.OneCycle(0.1, 200).plot()
    assert len(ax.lines) == 1 and len(ax.lines[0].get_xdata()) == 200
    ax2 = S.CosineDecay(0.1, 50).plot(steps=np.arange(80), ax=ax, log=False, label="cos")
    assert ax2 is ax and len(ax.lines) == 2
    ax3 = S.ExponentialDecay(0.1, 10, 0.5).plot(log=True)
    assert ax3.get_yscale() == "log"
    np.testing.assert_array_equal(
        ax3.lines[0].get_ydata(), S.ExponentialDecay(0.1, 10, 0.5)(ax3.lines[0].get_xdata())
    )
    for schedule in EXAMPLES:
        schedule.plot(ax=ax3)
    plt.close("all")


# -- import hygiene ---------------------------------------------------------------------------
def test_import_leaves_frameworks_out():
    code = (
        "import json, sys, lrcourse.schedules as S; "
        "S.CosineDecay(0.1, 10)(3); S.OneCycle(0.1, 100)([1, 2]); "
        "print(json.dumps([m for m in ('torch', 'tensorflow', 'keras', 'matplotlib') "
        "if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_all_is_complete():
    public = {n for n in dir(S) if not n.startswith("_") and n[0].isupper()}
    assert public <= set(S.__all__)
    for name in S.__all__:
        assert hasattr(S, name)


# -- the public API of the schedules before the declarative rewrite ----------------------------
# Read off the classes at commit cb9b5b1^: each class's constructor parameters, in order, and
# its public attributes beyond them (methods every schedule has are left out).
OLD_PUBLIC_API = {
    "Constant": (["lr"], []),
    "InverseTimeDecay": (
        ["initial_lr", "decay_rate", "decay_steps", "staircase"],
        ["from_keras2_decay"],
    ),
    "StepDecay": (
        ["initial_lr", "step_size", "gamma"],
        ["continuous", "decay_rate", "decay_steps", "staircase"],
    ),
    "MultiStepDecay": (["initial_lr", "milestones", "gamma"], ["boundaries", "values"]),
    "PiecewiseConstant": (["boundaries", "values"], []),
    "ExponentialDecay": (["initial_lr", "decay_steps", "decay_rate", "staircase"], ["continuous"]),
    "ContinuousExponentialDecay": (["initial_lr", "k"], []),
    "PolynomialDecay": (["initial_lr", "decay_steps", "end_lr", "power", "cycle"], []),
    "CosineDecay": (["initial_lr", "decay_steps", "alpha", "warmup_target", "warmup_steps"], []),
    "CosineRestarts": (["initial_lr", "first_decay_steps", "t_mul", "m_mul", "alpha"], []),
    "CyclicLR": (["base_lr", "max_lr", "step_size_up", "step_size_down", "mode", "gamma"], []),
    "OneCycle": (
        [
            "max_lr",
            "total_steps",
            "pct_start",
            "anneal_strategy",
            "div_factor",
            "final_div_factor",
            "three_phase",
        ],
        [],
    ),
    "LinearWarmup": (["after", "warmup_steps", "start_lr"], []),
    "InverseSqrt": (["peak_lr", "warmup_steps"], ["from_d_model"]),
    "WarmupLinearDecay": (["peak_lr", "warmup_steps", "total_steps"], ["after", "start_lr"]),
    "Sequence": (["schedules", "boundaries"], []),
    "LambdaSchedule": (["fn", "vectorized"], []),
}


@pytest.mark.parametrize("name", OLD_PUBLIC_API)
def test_the_old_public_api_is_still_there(name):
    """New parameters come after the old ones (with defaults); no attribute went away."""
    import inspect

    params, extras = OLD_PUBLIC_API[name]
    cls = getattr(S, name)
    assert list(inspect.signature(cls).parameters)[: len(params)] == params
    for attr in params + extras:
        assert hasattr(cls, attr) or attr in {f.name for f in dataclasses.fields(cls)}, attr


def test_step_decay_keeps_exponential_decays_attributes():
    """StepDecay was ExponentialDecay(staircase=True) under torch's names, and kept its
    attributes; it never took ExponentialDecay's keywords, and still does not."""
    s = S.StepDecay(0.1, step_size=10, gamma=0.5)
    assert (s.decay_steps, s.decay_rate, s.staircase) == (10, 0.5, True)
    same = S.ExponentialDecay(0.1, s.decay_steps, s.decay_rate, staircase=s.staircase)
    np.testing.assert_array_equal(s(np.arange(50)), same(np.arange(50)))
    assert S.StepDecay.continuous(0.1, 0.2) == S.ContinuousExponentialDecay(0.1, 0.2)
    with pytest.raises(TypeError, match="decay_steps"):
        S.StepDecay(0.1, decay_steps=10)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.step_size = 5
    with pytest.raises(AttributeError):
        s.decay_steps = 5  # a view of step_size, not a second field


def test_warmup_linear_decay_keeps_linear_warmups_attributes():
    w = S.WarmupLinearDecay(5e-5, warmup_steps=100, total_steps=1000)
    assert w.after == S.PolynomialDecay(5e-5, 900, end_lr=0.0, power=1.0) and w.start_lr == 0.0
    same = S.LinearWarmup(w.after, w.warmup_steps, w.start_lr)
    np.testing.assert_array_equal(w(np.arange(1100)), same(np.arange(1100)))
