"""LambdaSchedule's checks (issue 10, library item 11) and its Keras twin saved inside a model
and loaded back (item 6)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lrcourse import schedules as S


@pytest.mark.parametrize(
    ("fn", "shown"),
    [
        (lambda t: 0.1 - 0.02 * t, "at step 6"),
        (lambda t: np.where(t == 3, np.nan, 0.1), "nan at step 3"),
        (lambda t: 0.1 / (t - 5.5), "-0.01818"),  # negative before t = 5.5
        (lambda t: np.where(t > 7, np.inf, 0.1), "inf at step 8"),
    ],
)
def test_a_bad_learning_rate_is_an_error_naming_the_step(fn, shown):
    s = S.LambdaSchedule(fn)
    with pytest.raises(ValueError, match="finite number >= 0") as error:
        s(np.arange(20))
    assert shown in str(error.value)


def test_a_bad_learning_rate_is_caught_one_step_at_a_time_too():
    s = S.LambdaSchedule(lambda t: 0.1 if t < 10 else -0.1, vectorized=False)
    assert s(9) == 0.1
    with pytest.raises(ValueError, match=r"-0.1 at step 10"):
        s(10)


def test_the_torch_twin_checks_every_step():
    torch = pytest.importorskip("torch")
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    sched = S.LambdaSchedule(lambda t: 0.1 - 0.05 * t).to_torch(opt)
    for _ in range(2):  # steps 1 and 2: lr 0.05, then 0.0
        opt.step()
        sched.step()
    assert opt.param_groups[0]["lr"] == 0.0
    opt.step()
    with pytest.raises(ValueError, match="at step 3"):
        sched.step()


@pytest.mark.parametrize(
    ("fn", "exc"),
    [
        (lambda t: 0.1 if t < 10 else 0.01, ValueError),  # truth value of an array
        (lambda t: 0.1 * 0.5 ** math.floor(t / 10), TypeError),  # math on an array
        (lambda t: 0.1 * math.exp(-0.01 * t), TypeError),
    ],
)
def test_a_scalar_only_function_is_told_to_pass_vectorized_false(fn, exc):
    s = S.LambdaSchedule(fn)
    assert s(3) == S.LambdaSchedule(fn, vectorized=False)(3)  # one step works
    with pytest.raises(exc, match="vectorized=False"):
        s(np.arange(20))
    np.testing.assert_allclose(
        S.LambdaSchedule(fn, vectorized=False)(np.arange(20)), [fn(k) for k in range(20)]
    )


def test_an_error_of_the_function_itself_is_left_alone():
    def broken(t):
        raise TypeError("my own bug")

    with pytest.raises(TypeError, match="^my own bug$"):
        S.LambdaSchedule(broken)(np.arange(3))


def halving(t):
    """A named module-level lr function (reloads through custom_objects)."""
    return 0.1 * 0.5 ** (t / 10)


def _compiled_model(schedule):
    import keras

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(learning_rate=schedule.to_keras()), loss="mse")
    model.fit(np.ones((8, 2)), np.ones((8, 1)), batch_size=2, epochs=1, verbose=0)  # 4 updates
    return model


def _lr_after_load(path, **kwargs):
    import keras

    back = keras.saving.load_model(path, **kwargs)
    schedule = back.optimizer._learning_rate.schedule
    return schedule, float(keras.ops.convert_to_numpy(back.optimizer.learning_rate))


@pytest.mark.slow
def test_a_model_with_a_lambda_schedule_saves_and_loads(tmp_path):
    pytest.importorskip("keras")
    import warnings

    fn = lambda t: 0.1 * 0.5 ** (t / 10)  # noqa: E731 - a lambda is the hard case
    path = tmp_path / "model.keras"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras warns that lambdas need safe_mode=False
        _compiled_model(S.LambdaSchedule(fn)).save(path)
    with pytest.raises(ValueError, match="safe_mode=False"):
        _lr_after_load(path)  # Keras' own refusal, which names the way out
    schedule, lr = _lr_after_load(path, safe_mode=False)
    assert isinstance(schedule, S.LambdaSchedule) and schedule.vectorized
    np.testing.assert_allclose(schedule(np.arange(30)), fn(np.arange(30)), rtol=1e-15)
    assert lr == pytest.approx(fn(4), rel=1e-6)  # iterations were saved too

    path = tmp_path / "named.keras"
    _compiled_model(S.LambdaSchedule(halving)).save(path)
    schedule, lr = _lr_after_load(path, custom_objects={"halving": halving})
    assert schedule.fn is halving and lr == pytest.approx(halving(4), rel=1e-6)


@pytest.mark.slow
def test_a_model_with_a_nested_lambda_schedule_loads(tmp_path):
    pytest.importorskip("keras")
    schedule = S.join([S.LinearWarmup(0.1, 5), S.LambdaSchedule(halving)], [20])
    path = tmp_path / "joined.keras"
    _compiled_model(schedule).save(path)
    back, _ = _lr_after_load(path, custom_objects={"halving": halving})
    assert back == schedule
