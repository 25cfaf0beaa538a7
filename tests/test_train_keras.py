"""The Keras trainer (``model.fit`` with the lrcourse twins) on the embedded digits, and the
models: the same architecture and parameter count in PyTorch and Keras."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from training_setup import small_config  # noqa: E402

from lrcourse import optim, schedules  # noqa: E402
from lrcourse.callbacks import EarlyStopping, ReduceLROnPlateau  # noqa: E402
from lrcourse.models import MODELS, build_keras, build_torch, model_spec  # noqa: E402
from lrcourse.train import History, keras_trainer  # noqa: E402

_config = small_config


@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize("shape", [(32, 32, 3), (8, 8, 1)])
def test_same_parameter_count_in_both_frameworks(name, shape):
    pytest.importorskip("torch")
    from lrcourse.models import keras_net, torch_net

    options = {"width": 8} if name == "fast_resnet" else {}
    s = model_spec(name, shape, 10, **options)
    t, k = build_torch(s), build_keras(s)
    assert torch_net.count_params(t) == keras_net.count_params(k) == s.num_params
    layers = [type(m).__name__ for m in t.modules() if not list(m.children())]
    assert layers.count("Conv2d") == sum(type(x).__name__ == "Conv2D" for x in k.layers)
    assert k.output_shape == (None, 10)


def test_reference_parameter_counts():
    assert model_spec("article_cnn", (32, 32, 3), 10).num_params == 25_682
    assert model_spec("fast_resnet", (32, 32, 3), 10).num_params == 6_573_120
    with pytest.raises(ValueError, match="too small"):
        model_spec("fast_resnet", (4, 4, 1), 10)


def test_history_has_the_torch_format(digits, spec):
    h = keras_trainer.fit(spec, digits, _config(), run="smoke")
    assert h.num_steps == 20 and h.num_epochs == 2 and h.diverged is None
    assert set(h.to_dict()) == set(History().to_dict())
    assert set(h.epochs) == set(History().epochs)
    assert np.all(np.isfinite(h.step_loss)) and 0.0 <= h.test_accuracy <= 1.0
    assert h.meta["framework"] == "keras" and h.meta["images_per_s"] > 0
    assert int(h.model.optimizer.iterations.numpy()) == 20


def test_schedule_is_applied_at_every_update(digits, spec):
    schedule = schedules.OneCycle(0.2, total_steps=20)
    h = keras_trainer.fit(spec, digits, _config(schedule=schedule))
    assert np.allclose(h.step_lr, schedule(np.arange(20)), rtol=2e-6, atol=1e-9)
    assert h.epochs["lr"][-1] == h.step_lr[-1]


def test_divergence_is_reported_not_raised(digits, spec, capsys):
    h = keras_trainer.fit(spec, digits, _config(optimizer=optim.SGD(lr=1e6)))
    assert h.diverged is not None and h.diverged.startswith("diverged at step ")
    assert h.num_steps == int(h.diverged.split()[3]) and np.all(np.isfinite(h.step_loss))
    assert h.num_epochs == 0 and h.test_accuracy is None
    out = capsys.readouterr()
    assert "nan" not in (out.out + out.err).lower()


def test_plateau_and_early_stopping_twins(digits, spec):
    rule = dict(mode="min", factor=0.5, patience=0, threshold=10.0, threshold_mode="abs")
    h = keras_trainer.fit(spec, digits, _config(epochs=3, plateau=ReduceLROnPlateau(**rule)))
    replay, lr, expected = ReduceLROnPlateau(**rule), 0.1, []
    for val_loss in h.epochs["val_loss"]:
        expected.append(lr)
        lr = replay.update(val_loss, lr)
    assert np.allclose([h.step_lr[10 * e] for e in range(3)], expected, rtol=1e-6)

    stopper = EarlyStopping(mode="max", min_delta=1.0, patience=1)
    h = keras_trainer.fit(
        spec, digits, _config(epochs=5, early_stopping=stopper, monitor="val_accuracy")
    )
    assert h.stopped_early == 2 and h.num_epochs == 2


def test_reproducible_and_max_steps(digits, spec):
    a = keras_trainer.fit(spec, digits, _config(seed=5, max_steps=15))
    b = keras_trainer.fit(spec, digits, _config(seed=5, max_steps=15))
    assert a.step_loss == b.step_loss and a.num_steps == 15 and a.num_epochs == 1


def test_find_lr_leaves_the_model_unchanged(digits, spec):
    pytest.importorskip("lrcourse.lr_finder")
    model = keras_trainer.build_model(spec, seed=1)
    before = [w.copy() for w in model.get_weights()]
    result = keras_trainer.find_lr(model, digits, _config(), start_lr=1e-4, end_lr=10, num_iter=30)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))
    assert 1e-4 <= result.suggest("steep") <= 10 and len(result.lrs) >= 2


@pytest.mark.parametrize(
    "optimizer",
    [optim.SGDScheduleFree(), optim.AdamWScheduleFree(convention="keras")],
    ids=["SGDScheduleFree", "AdamWScheduleFree-keras"],
)
def test_schedule_free_is_refused_with_the_reason(digits, spec, optimizer):
    name = type(optimizer).__name__
    with pytest.raises(ValueError, match=f"cannot train {name}.*trainer\\('torch'\\)"):
        keras_trainer.fit(spec, digits, small_config(optimizer=optimizer))
