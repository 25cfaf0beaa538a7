"""The schedules the field adopted since 2023, against their references and their twins.

- ``WarmupStableDecay`` against Hugging Face's ``get_wsd_schedule``, transcribed below from
  ``transformers/optimization.py`` (``_get_wsd_scheduler_lambda``): transformers itself is
  too heavy a test dependency;
- timm's schedule features (tanh decay, k-decay, ``cycle_decay`` / ``cycle_limit``, seeded
  noise) against ``_get_lr`` / ``_add_noise`` of ``timm/scheduler/{cosine,poly,tanh}_lr.py``
  and ``scheduler.py``, transcribed below: ``pip install timm`` would replace the torch
  pin and pull torchvision, which breaks beside it here;
- every new schedule against its torch twin (float64, relative error <= 1e-12) and its
  Keras twin (float32, measured as in ``test_schedules_twins.py``), over random
  hyperparameter draws and hundreds of steps, the lr changing at every step.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_schedules_twins import KERAS_FLOOR, keras_lrs, rel_err, torch_lrs

from lrcourse import schedules as S

TORCH_TOL = 1e-12
REFERENCE_TOL = 1e-12
# The issue's float32 bar: the new schedules' generic Keras twins compute the annealing
# shapes in forms that do not cancel near the floor (lrcourse/schedules/annealing.py);
# measured worst 6.6e-07 over the draws below (the textbook forms gave 3.47e-06, cos-k-0).
NEW_KERAS_TOL = 2e-6


# -- references, transcribed -------------------------------------------------------------------
def hf_wsd_lambda(step, *, W, S_, D, warmup_type, decay_type, min_lr_ratio, num_cycles):
    """transformers' ``_get_wsd_scheduler_lambda`` (the factor LambdaLR multiplies lr by)."""
    if step < W:
        progress = float(step) / float(max(1, W))
        if warmup_type == "linear":
            factor = progress
        elif warmup_type == "cosine":
            factor = 0.5 * (1.0 - math.cos(math.pi * progress))
        elif warmup_type == "1-sqrt":
            factor = 1.0 - math.sqrt(1.0 - progress)
        factor = factor * (1.0 - min_lr_ratio) + min_lr_ratio
        return max(0.0, factor)
    if step < W + S_:
        return 1.0
    if step < W + S_ + D:
        progress = float(step - W - S_) / float(max(1, D))
        if decay_type == "linear":
            factor = 1.0 - progress
        elif decay_type == "cosine":
            factor = 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
        elif decay_type == "1-sqrt":
            factor = 1.0 - math.sqrt(progress)
        factor = factor * (1.0 - min_lr_ratio) + min_lr_ratio
        return max(0.0, factor)
    return min_lr_ratio


def timm_cycle(t, t_initial, cycle_mul):
    """timm's cycle index i, cycle length t_i and position t_curr (``_get_lr``)."""
    if cycle_mul != 1:
        i = math.floor(math.log(1 - t / t_initial * (1 - cycle_mul), cycle_mul))
        t_i = cycle_mul**i * t_initial
        t_curr = t - (1 - cycle_mul**i) / (1 - cycle_mul) * t_initial
    else:
        i = t // t_initial
        t_i = t_initial
        t_curr = t - (t_initial * i)
    return i, t_i, t_curr


def timm_cosine(t, *, base, t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit, k_decay):
    """``CosineLRScheduler._get_lr`` without warm-up."""
    i, t_i, t_curr = timm_cycle(t, t_initial, cycle_mul)
    lr_max = base * cycle_decay**i
    k = k_decay
    if i < cycle_limit:
        return lr_min + 0.5 * (lr_max - lr_min) * (1 + math.cos(math.pi * t_curr**k / t_i**k))
    return lr_min


def timm_poly(t, *, base, t_initial, power, lr_min, k_decay):
    """``PolyLRScheduler._get_lr`` without warm-up, one cycle."""
    i, t_i, t_curr = timm_cycle(t, t_initial, 1.0)
    k = k_decay
    if i < 1:
        return lr_min + (base - lr_min) * (1 - t_curr**k / t_i**k) ** power
    return lr_min


def timm_tanh(t, *, base, t_initial, lb, ub, lr_min, cycle_mul, cycle_decay, cycle_limit):
    """``TanhLRScheduler._get_lr`` without warm-up."""
    i, t_i, t_curr = timm_cycle(t, t_initial, cycle_mul)
    if i < cycle_limit:
        lr_max = base * cycle_decay**i
        tr = t_curr / t_i
        return lr_min + 0.5 * (lr_max - lr_min) * (1 - math.tanh(lb * (1.0 - tr) + ub * tr))
    return lr_min


def timm_add_noise(lr, t, *, noise_range_t, noise_pct, noise_type, noise_seed):
    """``Scheduler._add_noise`` (timm/scheduler/scheduler.py) for one lr, with torch."""
    import torch

    if isinstance(noise_range_t, (list, tuple)):
        apply_noise = noise_range_t[0] <= t < noise_range_t[1]
    else:
        apply_noise = t >= noise_range_t
    if not apply_noise:
        return lr
    g = torch.Generator()
    g.manual_seed(noise_seed + t)
    if noise_type == "normal":
        while True:
            noise = torch.randn(1, generator=g).item()
            if abs(noise) < noise_pct:
                break
    else:
        noise = 2 * (torch.rand(1, generator=g).item() - 0.5) * noise_pct
    return lr + lr * noise


def worst(ours, reference, n):
    got = ours(np.arange(n))
    ref = np.array([reference(t) for t in range(n)])
    return rel_err(got, ref).max()


# -- WarmupStableDecay vs Hugging Face -----------------------------------------------------------
WSD_DRAWS = 40


@pytest.mark.parametrize("seed", range(WSD_DRAWS))
def test_wsd_matches_hugging_face(seed, report_figure):
    rng = np.random.default_rng(seed)
    W, S_, D = (int(rng.integers(0, 80)) for _ in range(3))
    kw = {
        "warmup_type": str(rng.choice(S.warmup.WSD_SHAPES)),
        "decay_type": str(rng.choice(S.warmup.WSD_SHAPES)),
        "min_lr_ratio": float(rng.choice([0.0, rng.uniform(0, 0.5)])),
        "num_cycles": float(rng.choice([0.5, rng.uniform(0.1, 1.0)])),
    }
    peak = float(10 ** rng.uniform(-5, -1))
    ours = S.WarmupStableDecay(peak, W, S_, D, **kw)
    err = worst(ours, lambda t: peak * hf_wsd_lambda(t, W=W, S_=S_, D=D, **kw), W + S_ + D + 50)
    report_figure("WSD: worst rel. error vs Hugging Face formula", err, "{:.1e}")
    assert err <= REFERENCE_TOL, (ours, err)


def test_wsd_from_total_steps_and_phases():
    s = S.WarmupStableDecay.from_total_steps(1.0, warmup_steps=10, decay_steps=20, total_steps=100)
    assert s.stable_steps == 70
    lrs = s(np.arange(120))
    assert np.all(np.diff(lrs[:11]) > 0) and np.all(lrs[10:80] == 1.0)
    assert np.all(np.diff(lrs[80:101]) < 0) and np.all(lrs[100:] == 0.0)
    floor = S.WarmupStableDecay(1.0, 10, 5, 10, min_lr_ratio=0.2)
    assert floor(0) == 0.2 and floor(25) == floor(1000) == 0.2  # HF: the warm-up starts at m


WSD_BAD = [
    (lambda: S.WarmupStableDecay(-1.0, 1, 1, 1), ValueError, "peak_lr"),
    (lambda: S.WarmupStableDecay(1.0, -1, 1, 1), ValueError, "warmup_steps"),
    (lambda: S.WarmupStableDecay(1.0, 1, -1, 1), ValueError, "stable_steps"),
    (lambda: S.WarmupStableDecay(1.0, 1, 1, -1), ValueError, "decay_steps"),
    (lambda: S.WarmupStableDecay(1.0, 1, 1, 1, warmup_type="exp"), ValueError, "warmup_type"),
    (lambda: S.WarmupStableDecay(1.0, 1, 1, 1, decay_type="sqrt"), ValueError, "decay_type"),
    (lambda: S.WarmupStableDecay(1.0, 1, 1, 1, min_lr_ratio=1.5), ValueError, "min_lr_ratio"),
    (lambda: S.WarmupStableDecay.from_total_steps(1.0, 10, 20, 25), ValueError, "total_steps"),
    (lambda: S.TanhDecay(0.1, 10, lb=3.0, ub=-7.0), ValueError, "lb"),
    (lambda: S.TanhDecay(0.1, 0), ValueError, "decay_steps"),
    (lambda: S.TanhDecay(0.1, 10, cycle_limit=0), ValueError, "cycle_limit"),
    (lambda: S.TanhDecay(0.1, 10, t_mul=0.5), ValueError, "t_mul"),
    (lambda: S.CosineDecay(0.1, 10, k_decay=0), ValueError, "k_decay"),
    (lambda: S.PolynomialDecay(0.1, 10, k_decay=-1), ValueError, "k_decay"),
    (lambda: S.CosineRestarts(0.1, 10, cycle_limit=0.5), ValueError, "cycle_limit"),
    (lambda: S.CosineRestarts(0.1, 10, cycle_decay=-0.5), ValueError, "cycle_decay"),
    (lambda: S.LRNoise(S.Constant(0.1), noise_range=[5, 2]), ValueError, "noise_range"),
    (lambda: S.LRNoise(S.Constant(0.1), noise_range=-1), ValueError, "noise_range"),
    (lambda: S.LRNoise(S.Constant(0.1), 0, noise_pct=0), ValueError, "noise_pct"),
    (lambda: S.LRNoise(S.Constant(0.1), 0, noise_type="cauchy"), ValueError, "noise_type"),
    (lambda: S.LRNoise("x", 0), TypeError, "schedule"),
]


@pytest.mark.parametrize(("make", "exc", "name"), WSD_BAD, ids=[b[2] for b in WSD_BAD])
def test_bad_input_names_the_argument(make, exc, name):
    with pytest.raises(exc, match=name):
        make()


# -- timm's features vs timm's formulas -----------------------------------------------------------
TIMM_DRAWS = 30


def _timm_draw(seed, *, cycles=True):
    rng = np.random.default_rng(1000 + seed)
    base = float(10 ** rng.uniform(-4, 0))
    draw = {
        "t_initial": int(rng.integers(5, 60)),
        "lr_min": float(base * rng.choice([0.0, rng.uniform(0, 0.3)])),
        "cycle_mul": float(rng.choice([1.0, 2.0, 1.5])) if cycles else 1.0,
        "cycle_decay": float(rng.choice([1.0, rng.uniform(0.3, 1.0)])) if cycles else 1.0,
        "cycle_limit": int(rng.integers(1, 5)) if cycles else 1,
    }
    return base, draw, rng


def _exact_cycle(t, t_initial, cycle_mul):
    """The true cycle of step t (integer arithmetic on the cycle starts)."""
    i, start = 0, 0.0
    while start + t_initial * cycle_mul**i <= t:
        start += t_initial * cycle_mul**i
        i += 1
    return i


def _timm_misplaced(n, t_initial, cycle_mul):
    """Steps where timm's float-log cycle index is off by one (ours is exact)."""
    return {
        t
        for t in range(n)
        if timm_cycle(t, t_initial, cycle_mul)[0] != _exact_cycle(t, t_initial, cycle_mul)
    }


@pytest.mark.parametrize("seed", range(TIMM_DRAWS))
def test_cosine_restarts_match_timm(seed, report_figure):
    base, d, rng = _timm_draw(seed)
    k = float(rng.choice([1.0, rng.uniform(0.5, 3.0)]))
    ours = S.CosineRestarts(
        base,
        d["t_initial"],
        t_mul=d["cycle_mul"],
        alpha=d["lr_min"] / base,
        cycle_decay=d["cycle_decay"],
        cycle_limit=d["cycle_limit"],
        k_decay=k,
    )
    n = 400
    ok = sorted(set(range(n)) - _timm_misplaced(n, d["t_initial"], d["cycle_mul"]))
    ref = np.array([timm_cosine(t, base=base, k_decay=k, **d) for t in ok])
    err = rel_err(ours(ok), ref, floor=1e-12 * base).max()
    report_figure("timm CosineLRScheduler: worst rel. error", err, "{:.1e}")
    assert err <= REFERENCE_TOL, (ours, err)


def test_timm_misplaces_a_restart_that_we_place():
    """timm's log-based cycle index lands one cycle short at t = 1210 (t_initial 10, x3)."""
    assert _timm_misplaced(1300, 10, 3.0) == {1210}
    ours = S.CosineRestarts(1.0, 10, t_mul=3.0)
    d = {"t_initial": 10, "lr_min": 0.0, "cycle_mul": 3.0, "cycle_decay": 1.0}
    assert ours(1210) == 1.0  # a restart: the peak
    assert timm_cosine(1210, base=1.0, cycle_limit=99, k_decay=1.0, **d) == pytest.approx(0)


@pytest.mark.parametrize("seed", range(TIMM_DRAWS))
def test_cosine_k_decay_matches_timm(seed):
    base, d, rng = _timm_draw(seed, cycles=False)
    k = float(rng.uniform(0.3, 4.0))
    ours = S.CosineDecay(base, d["t_initial"], alpha=d["lr_min"] / base, k_decay=k)
    err = worst(ours, lambda t: timm_cosine(t, base=base, k_decay=k, **d), 3 * d["t_initial"])
    assert err <= REFERENCE_TOL, (ours, err)


@pytest.mark.parametrize("seed", range(TIMM_DRAWS))
def test_polynomial_k_decay_matches_timm(seed, report_figure):
    base, d, rng = _timm_draw(seed, cycles=False)
    k, power = float(rng.uniform(0.3, 4.0)), float(rng.uniform(0.3, 3.0))
    ours = S.PolynomialDecay(base, d["t_initial"], end_lr=d["lr_min"], power=power, k_decay=k)
    ref = lambda t: timm_poly(  # noqa: E731
        t, base=base, t_initial=d["t_initial"], power=power, lr_min=d["lr_min"], k_decay=k
    )
    err = worst(ours, ref, 3 * d["t_initial"])
    report_figure("timm PolyLRScheduler (k-decay): worst rel. error", err, "{:.1e}")
    assert err <= REFERENCE_TOL, (ours, err)


@pytest.mark.parametrize("seed", range(TIMM_DRAWS))
def test_tanh_matches_timm(seed, report_figure):
    base, d, rng = _timm_draw(seed)
    lb, ub = float(rng.uniform(-9, -1)), float(rng.uniform(1, 6))
    ours = S.TanhDecay(
        base,
        d["t_initial"],
        lb=lb,
        ub=ub,
        min_lr=d["lr_min"],
        t_mul=d["cycle_mul"],
        cycle_decay=d["cycle_decay"],
        cycle_limit=d["cycle_limit"],
    )
    n = 400
    ok = sorted(set(range(n)) - _timm_misplaced(n, d["t_initial"], d["cycle_mul"]))
    ref = np.array([timm_tanh(t, base=base, lb=lb, ub=ub, **d) for t in ok])
    err = rel_err(ours(ok), ref, floor=1e-12 * base).max()
    report_figure("timm TanhLRScheduler: worst rel. error", err, "{:.1e}")
    assert err <= REFERENCE_TOL, (ours, err)


def test_tanh_defaults_are_timms():
    s = S.TanhDecay(0.1, 100)
    assert (s.lb, s.ub, s.min_lr, s.t_mul, s.cycle_decay, s.cycle_limit) == (-7, 3, 0, 1, 1, 1)
    assert s(70) == pytest.approx(0.05)  # tanh(0) half-way between the sweep's ends
    assert s(100) == s(10_000) == 0.0  # cycle_limit 1: held at min_lr


@pytest.mark.parametrize("noise_type", ["normal", "uniform"])
@pytest.mark.parametrize("noise_range", [[20, 150], 50])
def test_noise_matches_timm_step_for_step(noise_type, noise_range, report_figure):
    """The same floats as timm's ``_add_noise`` with torch's generator (timm itself is not
    installed: ``pip install timm`` would replace the torch pin), at every step."""
    base = S.CosineDecay(0.1, 200, alpha=0.01)
    kw = {"noise_pct": 0.4, "noise_type": noise_type, "noise_seed": 7}
    ours = S.LRNoise(base, noise_range, **kw)
    t = np.arange(250)
    ref = [timm_add_noise(base(k), int(k), noise_range_t=noise_range, **kw) for k in t]
    np.testing.assert_array_equal(ours(t), ref)
    report_figure("LRNoise vs timm's _add_noise (torch.Generator): steps equal", len(t), "{}")
    ratio = ours(t) / base(t)
    inside = (t >= 20) & (t < 150) if isinstance(noise_range, list) else t >= 50
    assert np.all(ratio[~inside] == 1.0)
    assert np.all(np.abs(ratio[inside] - 1) < 0.4) and len(set(ratio[inside])) == inside.sum()


@pytest.mark.parametrize("seed", [0, 1, 42, 2**31 - 1, 2**32 - 1, 2**32 + 7, 2**40 + 3])
def test_torch_generator_in_numpy(seed):
    """Each claim of noise.py's docstring, against torch's CPU generator itself."""
    import torch

    from lrcourse.schedules import noise as N

    def fresh():
        g = torch.Generator()
        g.manual_seed(seed)
        return g

    # the raw words: int32 random_() is a word's low 31 bits, one word per value; int64
    # random_(0, 2**32) takes two words (high first) and keeps the second, all 32 bits ...
    words = N.torch_generator_words(seed)
    expected = [next(words) for _ in range(100)]
    raw31 = torch.empty(100, dtype=torch.int32).random_(generator=fresh()).tolist()
    assert raw31 == [w & (2**31 - 1) for w in expected]
    raw32 = torch.empty(50, dtype=torch.int64).random_(0, 2**32, generator=fresh()).tolist()
    assert raw32 == expected[1::2]
    # ... rand: 24 bits of one word per float32
    g, words = fresh(), N.torch_generator_words(seed)
    assert [torch.rand(1, generator=g).item() for _ in range(50)] == [
        N.torch_rand(words) for _ in range(50)
    ]
    # ... randn: Box-Muller pairs, the second value cached in the generator
    g, normals = fresh(), N.torch_randn(N.torch_generator_words(seed))
    assert [torch.randn(1, generator=g).item() for _ in range(51)] == [
        next(normals) for _ in range(51)
    ]


def test_the_engine_is_the_standard_mt19937():
    """C++ requires std::mt19937's 10000th output at the default seed 5489 to be 4123659995."""
    from lrcourse.schedules.noise import torch_generator_words

    words = torch_generator_words(5489)
    assert [next(words) for _ in range(10_000)][-1] == 4123659995


def test_noise_resamples_as_timm_does():
    """With a small noise_pct most normals are rejected; the cached sin value counts."""
    kw = {"noise_pct": 0.05, "noise_type": "normal", "noise_seed": 3}
    ours = S.LRNoise(S.Constant(1.0), 0, **kw)
    ref = [timm_add_noise(1.0, k, noise_range_t=0, **kw) for k in range(100)]
    np.testing.assert_array_equal(ours(np.arange(100)), ref)


def test_noise_is_a_pure_function_of_step_and_seed():
    s = S.LRNoise(S.Constant(1.0), 0, noise_seed=3)
    np.testing.assert_array_equal(s(np.arange(100)), [s(k) for k in range(100)])
    np.testing.assert_array_equal(s(np.arange(50, 100)), s(np.arange(100))[50:])  # resumable
    assert s(10.7) == s(10)
    other = S.LRNoise(S.Constant(1.0), 0, noise_seed=4)
    assert not np.any(other(np.arange(100)) == s(np.arange(100)))


def test_noise_has_no_keras_schedule_but_a_callback():
    s = S.LRNoise(S.CosineDecay(0.1, 100), [10, 90])
    with pytest.raises(NotImplementedError, match="to_keras_callback"):
        s.to_keras()
    pytest.importorskip("keras")
    assert type(s.to_keras_callback()).__name__ == "LearningRateScheduler"


# -- the annealing shapes in their float32-safe forms ---------------------------------------------
@pytest.mark.parametrize("k", [0.05, 0.5, 1.0, 2.3, 7.0])
def test_remaining_power_is_one_minus_the_power(k):
    from lrcourse.schedules.annealing import remaining_power

    d = 317.0
    t = np.concatenate([np.arange(318.0), [1e-9, 0.5, 316.999]])
    with np.errstate(all="raise"):  # no log(0) warning at t = 0, where xp.where drops it
        got = remaining_power(np, t, d, k)
    np.testing.assert_allclose(got, 1.0 - (t / d) ** k, rtol=1e-12, atol=1e-15)
    assert got[0] == 1.0 and got[317] == 0.0


def test_annealing_identities():
    from lrcourse.schedules.annealing import half_cosine, half_tanh_complement

    x = np.linspace(0, 1, 1001)
    np.testing.assert_allclose(half_cosine(np, 1 - x), (1 + np.cos(np.pi * x)) / 2, atol=1e-15)
    z = np.linspace(-20, 20, 1001)
    np.testing.assert_allclose(half_tanh_complement(np, z), (1 - np.tanh(z)) / 2, atol=1e-15)
    with np.errstate(all="raise"):
        assert 0 <= half_tanh_complement(np, np.array([400.0]))[0] < 1e-300


def test_float32_forms_do_not_cancel_near_the_floor():
    """The reason for annealing.py: in float32 the textbook cosine tail of a k-decay cosine
    is off by more than the issue's 2e-6 bar; the rewritten form is not."""
    from lrcourse.schedules.annealing import half_cosine, remaining_power

    d, k = np.float32(528), 2.32413861607486  # the draw cos-k-0 that measured 3.47e-06
    t = np.arange(528, dtype=np.float32)
    exact = (1 + np.cos(np.pi * (t.astype(np.float64) / 528) ** k)) / 2
    textbook = (1 + np.cos(np.float32(np.pi) * np.power(t / d, np.float32(k)))) / 2
    rewritten = half_cosine(np, remaining_power(np, t, d, np.float32(k)))
    assert textbook.dtype == rewritten.dtype == np.float32
    keep = exact >= 0.01  # the twin tests' floor: 1% of the peak
    assert rel_err(textbook, exact)[keep].max() > 2e-6
    assert rel_err(rewritten, exact)[keep].max() < 1e-6


# -- the twins of the new schedules ----------------------------------------------------------
def _new_schedules():
    """(id, schedule): random hyperparameter draws of every new schedule and option."""
    cases = []
    for seed in range(4):
        rng = np.random.default_rng(seed)
        peak = float(10 ** rng.uniform(-4, -1))
        shapes = S.warmup.WSD_SHAPES
        cases.append(
            (
                f"wsd-{seed}",
                S.WarmupStableDecay(
                    peak,
                    int(rng.integers(50, 150)),
                    int(rng.integers(0, 150)),
                    int(rng.integers(100, 300)),
                    warmup_type=shapes[seed % 3],
                    decay_type=shapes[(seed + 1) % 3],
                    min_lr_ratio=float(rng.uniform(0, 0.2)),
                ),
            )
        )
        cases.append(
            (
                f"tanh-{seed}",
                S.TanhDecay(
                    peak,
                    int(rng.integers(100, 200)),
                    lb=float(rng.uniform(-8, -2)),
                    ub=float(rng.uniform(1, 5)),
                    min_lr=peak * float(rng.uniform(0, 0.1)),
                    t_mul=float(rng.choice([1.0, 2.0])),
                    cycle_decay=float(rng.uniform(0.5, 1.0)),
                    cycle_limit=int(rng.integers(3, 6)),
                ),
            )
        )
        cases.append(
            (
                f"restarts-timm-{seed}",
                S.CosineRestarts(
                    peak,
                    int(rng.integers(100, 200)),
                    t_mul=float(rng.choice([1.0, 2.0])),
                    alpha=float(rng.uniform(0, 0.1)),
                    cycle_decay=float(rng.uniform(0.5, 1.0)),
                    cycle_limit=int(rng.integers(3, 6)),
                    k_decay=float(rng.uniform(0.5, 2.0)),
                ),
            )
        )
        k = float(rng.uniform(0.5, 3.0))
        cases.append((f"cos-k-{seed}", S.CosineDecay(peak, int(rng.integers(100, 600)), k_decay=k)))
        cases.append(
            (
                f"poly-k-{seed}",
                S.PolynomialDecay(peak, int(rng.integers(100, 600)), power=2.0, k_decay=k),
            )
        )
    return cases


NEW = _new_schedules()
N_STEPS = 700


@pytest.mark.parametrize(("name", "schedule"), NEW, ids=[c[0] for c in NEW])
def test_new_torch_twins(name, schedule, report_figure):
    got, sched = torch_lrs(schedule, N_STEPS)
    assert type(sched).__name__ == "LambdaLR"
    ref = schedule(np.arange(N_STEPS))
    assert len(np.unique(ref)) > 100  # the lr changes at (nearly) every step
    err = rel_err(got, ref).max()
    report_figure("new schedules: worst rel. error vs torch twin", err, "{:.2e}")
    assert err <= TORCH_TOL, f"{name}: {err:.3g}"


def test_noise_torch_twin(report_figure):
    schedule = S.LRNoise(S.WarmupStableDecay(1e-3, 50, 300, 300), [0, 600], noise_seed=1)
    got, _ = torch_lrs(schedule, N_STEPS)
    err = rel_err(got, schedule(np.arange(N_STEPS))).max()
    report_figure("new schedules: worst rel. error vs torch twin", err, "{:.2e}")
    assert err <= TORCH_TOL


@pytest.mark.parametrize(("name", "schedule"), NEW, ids=[c[0] for c in NEW])
def test_new_keras_twins(name, schedule, report_figure):
    twin = schedule.to_keras()
    assert type(twin).__name__ == "KerasSchedule"
    steps = np.arange(N_STEPS + 100)
    ref = schedule(steps)
    got = keras_lrs(twin, steps)
    err = rel_err(got, ref, KERAS_FLOOR * np.abs(ref).max()).max()
    report_figure("new schedules: worst rel. error vs Keras twin (floor 1% peak)", err, "{:.2e}")
    assert err <= NEW_KERAS_TOL, f"{name}: {err:.3g}"


def test_k_decay_one_keeps_the_native_twins():
    assert type(S.CosineDecay(0.1, 100).to_keras()).__name__ == "CosineDecay"
    assert type(S.PolynomialDecay(0.1, 100).to_keras()).__name__ == "PolynomialDecay"
    restarts = S.CosineRestarts(0.1, 10)
    assert type(restarts.to_keras()).__name__ == "CosineDecayRestarts"
    assert restarts._native_torch().name == "CosineAnnealingWarmRestarts"
    assert S.CosineRestarts(0.1, 10, cycle_limit=3)._native_torch() is None
    assert S.PolynomialDecay(0.1, 10, end_lr=0, k_decay=2)._native_torch() is None


# -- the declarative shape -----------------------------------------------------------------------
SCHEDULE_CLASSES = [
    getattr(S, n) for n in S.__all__ if isinstance(getattr(S, n), type) and n != "Schedule"
]


@pytest.mark.parametrize("cls", SCHEDULE_CLASSES, ids=lambda c: c.__name__)
def test_each_schedule_is_a_frozen_dataclass_of_its_arguments(cls):
    import dataclasses
    import inspect

    assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen
    fields = [f.name for f in dataclasses.fields(cls)]
    assert list(inspect.signature(cls).parameters) == fields
    assert "formula" in vars(cls)  # each class writes its own formula ...
    assert not {"__repr__", "__eq__", "__hash__", "get_config"} & set(vars(cls))  # derived
    for twin in (cls.keras_twin, cls.torch_twin):  # ... and declares its twins as records
        assert twin is None or isinstance(twin, (S.base.KerasTwin, S.base.TorchTwin, tuple))


def test_frozen():
    import dataclasses

    s = S.CosineDecay(0.1, 100)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.decay_steps = 10


def test_the_schedule_modules_import_no_cycle():
    """Each module of lrcourse.schedules imports only modules that do not import it back."""
    import ast
    import pathlib

    folder = pathlib.Path(S.__file__).parent
    imports = {}
    for path in folder.glob("*.py"):
        tree = ast.parse(path.read_text())
        imports[path.stem] = {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module
        }

    def reaches(start, goal, seen=()):
        return any(
            m == goal or (m not in seen and reaches(m, goal, (*seen, m)))
            for m in imports.get(start, ())
        )

    cycles = [m for m in imports if m != "__init__" and reaches(m, m)]
    assert cycles == [], cycles
    assert "warmup" not in imports["cosine"] or "cosine" not in imports["warmup"]


def test_the_explorer_asks_the_schedule_for_its_horizon():
    import matplotlib

    matplotlib.use("Agg")
    from lrcourse.widgets import schedule_explorer as explorer

    for choice in explorer.CHOICES:
        values = {p.name: p.value for p in choice.params}
        assert choice.horizon(values) == min(choice.schedule(values).horizon, explorer.MAX_STEPS)
    cosine = next(c for c in explorer.CHOICES if c.label == "cosine")
    assert cosine.horizon({"lr_max": 0.1, "lr_min": 0.0, "decay_steps": 100}) == 121
    assert (
        S.CosineDecay(0.1, 100).horizon
        == 121
        == len(S.CosineDecay(0.1, 100).plot().lines[0].get_xdata())
    )
