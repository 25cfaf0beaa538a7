"""The LR range test: grids, smoothing, stop rules and suggestions of both reference styles,
synthetic curves with a known answer, and the torch / Keras adapters leaving no trace.

The references are transcribed below, loop for loop, from torch-lr-finder's
``LRFinder.range_test`` / ``plot`` and fastai's ``LRFinder`` callback, ``AvgSmoothLoss``
and suggestion functions (valley, steep, minimum), in plain Python floats; our modular
implementation must record the same lrs and losses, stop at the same batch and suggest
the same points.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from lrcourse.lr_finder import cycle_batches, lr_grid, range_test


# -- reference transcriptions ------------------------------------------------------------
def torch_lr_finder_reference(losses_at, start_lr, end_lr, num_iter, smooth_f=0.05, diverge_th=5):
    history_lr, history_loss, best_loss = [], [], None
    for iteration in range(num_iter):
        lr = start_lr * (end_lr / start_lr) ** (iteration / (num_iter - 1))  # ExponentialLR
        loss = losses_at(lr)
        history_lr.append(lr)
        if iteration == 0:
            best_loss = loss
        else:
            if smooth_f > 0:
                loss = smooth_f * loss + (1 - smooth_f) * history_loss[-1]
            if loss < best_loss:
                best_loss = loss
        history_loss.append(loss)
        if loss > diverge_th * best_loss:
            break
    return history_lr, history_loss


def torch_lr_finder_steepest(history_lr, history_loss, skip_start=10, skip_end=5):
    lrs, losses = history_lr[skip_start:-skip_end], history_loss[skip_start:-skip_end]
    return lrs[np.gradient(np.array(losses)).argmin()]


def fastai_reference(losses_at, start_lr, end_lr, num_it, beta=0.98):
    lrs, recorded, best_loss, val, count = [], [], float("inf"), 0.0, 0
    for train_iter in range(num_it):
        lr = start_lr * (end_lr / start_lr) ** (train_iter / num_it)  # SchedExp
        loss = losses_at(lr)
        count += 1
        val = loss + beta * (val - loss)  # torch.lerp(loss, val, beta)
        smooth_loss = val / (1 - beta**count)
        lrs.append(lr)
        recorded.append(smooth_loss)
        if smooth_loss < best_loss:
            best_loss = smooth_loss
        if smooth_loss > 4 * best_loss:
            break
    return lrs, recorded


def fastai_window(lrs, losses, num_it):
    return np.array(lrs[num_it // 10 : -5]), np.array(losses[num_it // 10 : -5])


def fastai_valley(lrs, losses):
    n = len(losses)
    max_start, max_end = 0, 0
    lds = [1] * n
    for i in range(1, n):
        for j in range(0, i):
            if (losses[i] < losses[j]) and (lds[i] < lds[j] + 1):
                lds[i] = lds[j] + 1
            if lds[max_end] < lds[i]:
                max_end = i
                max_start = max_end - lds[max_end]
    sections = (max_end - max_start) / 3
    idx = max_start + int(sections) + int(sections / 2)
    return float(lrs[idx])


def fastai_steep(lrs, losses):
    grads = (losses[1:] - losses[:-1]) / (np.log(lrs[1:]) - np.log(lrs[:-1]))
    return float(lrs[grads.argmin()])


def fastai_minimum(lrs, losses):
    return float(lrs[losses.argmin()]) / 10


def noisy_curve(seed, lr_star=1e-3, noise=0.05, blow_up=True):
    """A loss falling around lr_star (in log lr), noisy, exploding past 1 if blow_up."""
    rng = np.random.default_rng(seed)

    def losses_at(lr):
        x = math.log10(lr) - math.log10(lr_star)
        explode = 5.0 * lr**2 if blow_up else 0.0
        return 1.0 - 0.6 * math.tanh(x) + explode + noise * abs(rng.normal())

    return losses_at


# -- grids -------------------------------------------------------------------------------
@pytest.mark.parametrize("num_iter", [2, 7, 100])
def test_grids_are_the_documented_formulas(num_iter):
    s, e = 1e-7, 10.0
    n = num_iter
    exact = {
        ("exp", "torch-lr-finder"): [s * (e / s) ** (i / (n - 1)) for i in range(n)],
        ("exp", "fastai"): [s * (e / s) ** (i / n) for i in range(n)],
        ("linear", "torch-lr-finder"): [s + (i / (n - 1)) * (e - s) for i in range(n)],
        ("linear", "fastai"): [s + (i / n) * (e - s) for i in range(n)],
    }
    for (mode, style), expected in exact.items():
        got = lr_grid(s, e, num_iter, mode, style)
        assert got.tolist() == expected, (mode, style)
    assert lr_grid(s, e, n, "exp", "torch-lr-finder")[-1] == pytest.approx(e, rel=1e-14)
    assert lr_grid(s, e, n, "exp", "fastai")[-1] < e  # fastai never reaches end_lr
    assert lr_grid(s, e, n, "linear", "torch-lr-finder")[-1] == pytest.approx(e, rel=1e-14)


def test_doubling_grid_is_the_guides_variant():
    lrs = lr_grid(1e-4, 1.0, num_iter=1000, step_mode="doubling", double_every=100)
    assert lrs.tolist() == [1e-4 * 2.0**k for k in range(10) for _ in range(100)]  # 0.0512 <= 1
    lrs = lr_grid(1e-4, 0.05, num_iter=1000, step_mode="doubling", double_every=100)
    assert len(lrs) == 900 and lrs[-1] == 1e-4 * 2**8  # stops at end_lr
    result = range_test(noisy_curve(0), 1e-6, 10.0, 400, "doubling", double_every=10)
    assert len(result) <= 240 and np.all(np.diff(result.lrs) >= 0)
    assert result.suggest("steepest") > 0 and result.suggest("valley") > 0
    with pytest.raises(ValueError, match="'steep'.*doubling"):
        result.suggest("steep")  # the log-lr step is 0 between repeated lrs


# -- the loops against the references ----------------------------------------------------
@pytest.mark.parametrize("seed", range(12))
def test_torch_lr_finder_style_reproduces_the_reference(seed, report_figure):
    lr_star = 10.0 ** np.random.default_rng(seed).uniform(-5, -1)
    ref_lrs, ref_losses = torch_lr_finder_reference(noisy_curve(seed, lr_star), 1e-7, 10.0, 100)
    ours = range_test(noisy_curve(seed, lr_star), style="torch-lr-finder")
    assert ours.lrs.tolist() == ref_lrs
    err = np.max(np.abs(ours.smoothed - ref_losses) / np.abs(ref_losses))
    assert err < 1e-13  # smooth_f: ours 1 - 0.95, theirs 0.05 (one ulp apart)
    report_figure("lr finder torch-lr-finder style: worst relative loss error", err, "{:.1e}")
    assert ours.stopped_early == (len(ref_lrs) < 100)
    assert (
        ours.suggest() == ours.suggest("steepest") == torch_lr_finder_steepest(ref_lrs, ref_losses)
    )


@pytest.mark.parametrize("seed", range(12))
def test_fastai_style_reproduces_the_reference(seed, report_figure):
    lr_star = 10.0 ** np.random.default_rng(seed).uniform(-5, -1)
    ref_lrs, ref_losses = fastai_reference(noisy_curve(seed, lr_star), 1e-7, 10.0, 100)
    ours = range_test(noisy_curve(seed, lr_star))
    assert ours.lrs.tolist() == ref_lrs
    err = np.max(np.abs(ours.smoothed - ref_losses) / np.abs(ref_losses))
    report_figure("lr finder fastai style: worst relative loss error", err, "{:.1e}")
    assert err == 0.0
    lrs, losses = fastai_window(ref_lrs, ref_losses, 100)
    assert ours.suggest() == ours.suggest("valley") == fastai_valley(lrs, losses)
    assert ours.suggest("steep") == fastai_steep(lrs, losses)
    assert ours.suggest("minimum") == fastai_minimum(lrs, losses)


def test_fastai_valley_negative_index_is_clamped():
    lrs = np.array([1e-4, 1e-3, 1e-2, 1e-1])
    short_valley_first = np.array([2.0, 1.0, 3.0, 4.0])  # longest decrease: points 0 -> 1
    assert fastai_valley(lrs, short_valley_first) == 1e-1  # fastai: index -1, the largest lr
    from lrcourse.lr_finder.suggestions import valley

    assert valley(lrs, short_valley_first) == 0  # ours: the valley's first point


# -- synthetic curves with a known answer ------------------------------------------------
@pytest.mark.parametrize("style", ["fastai", "torch-lr-finder"])
@pytest.mark.parametrize("lr_star", [1e-5, 3e-4, 1e-2])
def test_suggestions_on_a_smooth_curve_with_known_steepest_point(style, lr_star):
    """Falls fastest (per log lr) at lr_star, bottoms out, blows up from ~100 lr_star."""

    def train_step(lr):
        x = math.log10(lr) - math.log10(lr_star)
        return 2.0 - math.tanh(1.5 * x) + (lr / (100 * lr_star)) ** 2

    result = range_test(train_step, smooth=0.0, num_iter=200, style=style)
    assert result.stopped_early and result.lrs[-1] > 100 * lr_star
    step = math.log10(result.lrs[1] / result.lrs[0])  # grid spacing in decades
    for method in ("steepest", "steep"):  # within one grid step of the truth
        assert abs(math.log10(result.suggest(method) / lr_star)) <= step + 1e-9, method
    first, stop = result.window()
    lowest = first + int(np.argmin(result.smoothed[first:stop]))
    assert lr_star < result.lrs[lowest] < 100 * lr_star
    assert result.suggest("minimum") == result.lrs[lowest] / 10
    assert result.lrs[first] < result.suggest("valley") < result.lrs[lowest]  # on the descent
    # the default smoothing lags: its steepest point sits to the right of the true one
    lagged = range_test(train_step, num_iter=200, style=style).suggest("steepest")
    assert lagged > lr_star * 10**step


def test_divergence_stops_after_recording_the_batch():
    calls = []

    def train_step(lr):
        calls.append(lr)
        return 1.0 + 1e3 * max(0.0, lr - 1e-2)

    for style, threshold in (("fastai", 4.0), ("torch-lr-finder", 5.0)):
        calls.clear()
        result = range_test(train_step, style=style)
        assert result.stop_reason.startswith("diverged") and result.stopped_early
        assert len(calls) == len(result) < 100
        best = np.minimum.accumulate(result.smoothed)
        assert result.smoothed[-1] > threshold * best[-1]
        assert np.all(result.smoothed[:-1] <= threshold * best[:-1])
    result = range_test(train_step, diverge_th=50.0)
    assert result.smoothed[-1] > 50 * result.smoothed.min()
    assert not range_test(train_step, stop_div=False).stopped_early


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_non_finite_loss_stops_without_crashing(bad):
    def train_step(lr):
        return bad if lr > 1e-2 else 1.0 - 0.1 * math.log10(lr)

    result = range_test(train_step, style="torch-lr-finder")
    assert result.stop_reason.startswith("non-finite loss")
    assert result.lrs[-1] > 1e-2 and not math.isfinite(result.losses[-1])
    assert np.all(np.isfinite(result.losses[:-1]))
    first, stop = result.window(skip_end=0)
    assert stop == len(result) - 1  # the window ends before the non-finite point
    assert math.isfinite(result.suggest("steepest", skip_end=0))


def test_too_few_points_is_a_clear_error():
    result = range_test(noisy_curve(1), num_iter=16, style="torch-lr-finder")
    with pytest.raises(ValueError, match=r"at least 2 finite losses.*at least 17 batches"):
        result.suggest()
    assert result.suggest(skip_start=0) > 0
    calls = []

    def blows_up_at_batch_5(lr):
        calls.append(lr)
        return 1.0 if len(calls) < 6 else 1e9

    short = range_test(blows_up_at_batch_5, num_iter=100)
    assert len(short) == 6
    with pytest.raises(ValueError, match="stopped early, diverged"):
        short.suggest("valley")


# -- adapters ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def _torch_setup(torch, seed=0):
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Dropout(0.2), torch.nn.Linear(4, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
    x = torch.randn(64, 3)
    y = x @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.1 * torch.randn(64, 1)
    batches = [(x[i : i + 16], y[i : i + 16]) for i in range(0, 64, 16)]
    return model, optimizer, batches


def _torch_train(torch, model, optimizer, batches):
    for x, y in batches:
        optimizer.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
        optimizer.step()


def test_torch_adapter_leaves_model_and_optimizer_bitwise_identical(torch):
    from lrcourse.lr_finder import torch_range_test

    model, optimizer, batches = _torch_setup(torch)
    _torch_train(torch, model, optimizer, batches[:2])  # momentum buffers exist
    model.eval()
    params = {k: v.clone() for k, v in model.state_dict().items()}
    state = {
        i: {k: v.clone() for k, v in s.items()} for i, s in optimizer.state_dict()["state"].items()
    }
    groups = [{k: v for k, v in g.items()} for g in optimizer.state_dict()["param_groups"]]
    grads = [p.grad.clone() for p in model.parameters()]

    result = torch_range_test(
        model, optimizer, torch.nn.functional.mse_loss, batches, start_lr=1e-5, num_iter=60
    )
    assert len(result) > 20 and not model.training
    assert all(torch.equal(params[k], v) for k, v in model.state_dict().items())
    after = optimizer.state_dict()
    assert after["param_groups"] == groups
    assert after["state"].keys() == state.keys()
    for i, s in after["state"].items():
        assert all(torch.equal(state[i][k], v) for k, v in s.items())
    assert all(torch.equal(g, p.grad) for g, p in zip(grads, model.parameters(), strict=True))


def test_torch_adapter_training_afterwards_is_unchanged_even_after_an_error(torch):
    from lrcourse.lr_finder import torch_range_test

    reference, ref_opt, batches = _torch_setup(torch)
    model, optimizer, _ = _torch_setup(torch)
    torch.manual_seed(123)
    _torch_train(torch, reference, ref_opt, batches * 3)

    torch.manual_seed(123)
    endless = (batches[i % 4] for i in range(10**9))  # a generator: consumed, not stored
    torch_range_test(model, optimizer, torch.nn.functional.mse_loss, endless, num_iter=30)
    calls = []

    def failing_loss(out, y):
        calls.append(1)
        if len(calls) == 7:
            raise RuntimeError("boom")
        return torch.nn.functional.mse_loss(out, y)

    with pytest.raises(RuntimeError, match="boom"):
        torch_range_test(model, optimizer, failing_loss, batches, num_iter=30)
    _torch_train(torch, model, optimizer, batches * 3)  # same dropout draws: RNG restored
    for a, b in zip(reference.parameters(), model.parameters(), strict=True):
        assert torch.equal(a, b)


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


def _keras_setup(keras, seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)]
    )
    model.compile(keras.optimizers.Adam(1e-3), "mse")
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]], "float32")).astype("float32")
    return model, [(x[i : i + 16], y[i : i + 16]) for i in range(0, 64, 16)]


def _keras_values(keras, model):
    values = keras.ops.convert_to_numpy
    return [values(v) for v in model.variables], [values(v) for v in model.optimizer.variables]


@pytest.mark.slow
def test_keras_adapter_leaves_weights_and_optimizer_identical(keras):
    from lrcourse.lr_finder import keras_range_test

    model, batches = _keras_setup(keras)
    for x, y in batches[:2]:
        model.train_on_batch(x, y)  # Adam moments and iteration count exist
    weights, slots = _keras_values(keras, model)
    result = keras_range_test(model, batches, start_lr=1e-5, num_iter=60)
    assert len(result) > 20
    weights_after, slots_after = _keras_values(keras, model)
    assert all(np.array_equal(a, b) for a, b in zip(weights, weights_after, strict=True))
    assert all(np.array_equal(a, b) for a, b in zip(slots, slots_after, strict=True))
    # a custom loss (TF GradientTape step) trains and reports the same numbers
    custom = keras_range_test(
        model, batches, loss_fn=keras.losses.MeanSquaredError(), start_lr=1e-5, num_iter=60
    )
    np.testing.assert_allclose(custom.losses, result.losses, rtol=1e-5)
    weights_after, slots_after = _keras_values(keras, model)
    assert all(np.array_equal(a, b) for a, b in zip(weights, weights_after, strict=True))
    assert all(np.array_equal(a, b) for a, b in zip(slots, slots_after, strict=True))


@pytest.mark.slow
def test_keras_adapter_on_a_fresh_model_changes_nothing_for_training(keras):
    from lrcourse.lr_finder import keras_range_test

    reference, batches = _keras_setup(keras)
    model, _ = _keras_setup(keras)
    keras_range_test(model, batches, num_iter=40)  # optimizer not built yet: built, zeros
    assert float(model.optimizer.learning_rate) == pytest.approx(1e-3)
    assert int(model.optimizer.iterations) == 0
    for x, y in batches * 2:
        reference.train_on_batch(x, y)
        model.train_on_batch(x, y)
    for a, b in zip(reference.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_keras_adapter_rejects_what_it_cannot_restore(keras):
    from lrcourse.lr_finder import keras_range_test

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="compiled"):
        keras_range_test(model, [])
    schedule = keras.optimizers.schedules.ExponentialDecay(1e-3, 10, 0.9)
    model.compile(keras.optimizers.SGD(schedule), "mse")
    with pytest.raises(ValueError, match="LearningRateSchedule"):
        keras_range_test(model, [(np.ones((2, 3)), np.ones((2, 1)))])
    with pytest.raises(TypeError, match="model"):
        keras_range_test("model", [])


# -- plot --------------------------------------------------------------------------------
def test_plot_returns_axes_with_log_lr_and_the_suggestion():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    result = range_test(noisy_curve(3), style="torch-lr-finder")
    ax = result.plot()
    assert ax.get_xscale() == "log" and "learning rate" in ax.get_xlabel()
    labels = [line.get_label() for line in ax.get_lines()]
    assert "smoothed loss" in labels and any(lab.startswith("steepest: ") for lab in labels)
    fig, ax2 = plt.subplots()
    assert result.plot(ax=ax2, suggestion="minimum", raw=False) is ax2
    assert any(line.get_label().startswith("minimum") for line in ax2.get_lines())
    assert result.plot(suggestion=None).get_legend() is not None
    plt.close("all")


def test_plot_without_a_possible_suggestion_still_draws_the_curve():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # 5 batches: fewer than the suggestion window needs (the CLI's --num-iter 5)
    short = range_test(noisy_curve(3), num_iter=5)
    with pytest.raises(ValueError, match="needs at least"):
        short.suggest()
    for suggestion in (True, "steepest"):
        ax = short.plot(suggestion=suggestion)
        labels = [line.get_label() for line in ax.get_lines()]
        assert "smoothed loss" in labels and len(ax.get_lines()[1].get_xdata()) == 5
        assert any(lab.startswith("no ") and "suggestion" in lab for lab in labels)
    with pytest.raises(ValueError, match="suggestion"):
        short.plot(suggestion="best")  # a misspelt method is still an error
    plt.close("all")


def test_an_exp_grid_that_overflows_is_refused():
    with pytest.raises(ValueError, match="overflows"):
        lr_grid(1e-7, 1e308, num_iter=5)


# -- bad input ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, exc, name",
    [
        (dict(start_lr=0.0), ValueError, "start_lr"),
        (dict(end_lr=1e-8), ValueError, "end_lr"),
        (dict(num_iter=1), ValueError, "num_iter"),
        (dict(num_iter=2.5), TypeError, "num_iter"),
        (dict(step_mode="cos"), ValueError, "step_mode"),
        (dict(style="keras"), ValueError, "style"),
        (dict(smooth=1.0), ValueError, "smooth"),
        (dict(diverge_th=0.5), ValueError, "diverge_th"),
        (dict(step_mode="doubling", double_every=0), ValueError, "double_every"),
        (dict(stop_div="yes"), TypeError, "stop_div"),
    ],
)
def test_range_test_bad_arguments(kwargs, exc, name):
    with pytest.raises(exc, match=name):
        range_test(lambda lr: 1.0, **kwargs)


def test_bad_train_step_and_batches():
    with pytest.raises(TypeError, match="train_step"):
        range_test("not callable")
    with pytest.raises(TypeError, match="train_step returned"):
        range_test(lambda lr: "1.0")
    with pytest.raises(ValueError, match="negative loss"):
        range_test(lambda lr: -1.0)
    assert range_test(lambda lr: -1.0, stop_div=False, num_iter=5).stop_reason is None
    with pytest.raises(ValueError, match="method"):
        range_test(noisy_curve(0)).suggest("fastest")
    with pytest.raises(TypeError, match="batches"):
        cycle_batches(42)
    with pytest.raises(TypeError, match=r"\(x, y\) pairs"):
        next(cycle_batches([1, 2]))
    with pytest.raises(ValueError, match="empty"):
        next(cycle_batches([]))
    cycled = cycle_batches([(1, 2), (3, 4)])
    assert [next(cycled) for _ in range(5)] == [(1, 2), (3, 4), (1, 2), (3, 4), (1, 2)]
    one_shot = cycle_batches(pair for pair in [(1, 2), (3, 4)])  # never stored
    assert [next(one_shot), next(one_shot)] == [(1, 2), (3, 4)]
    with pytest.raises(ValueError, match="ran out after 2 batches"):
        next(one_shot)


@pytest.mark.parametrize("module", ["grid", "smoothing", "suggestions", "range_test"])
def test_docstring_examples(module):
    import doctest
    import importlib

    mod = importlib.import_module(f"lrcourse.lr_finder.{module}")
    failures, tried = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert tried > 0 and failures == 0
