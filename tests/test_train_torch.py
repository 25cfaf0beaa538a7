"""The PyTorch trainer on the embedded digits: history format, the schedule really applied
at every update, native schedulers, plateau / early stopping, divergence, reproducibility."""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch.optim.optimizer import register_optimizer_step_pre_hook  # noqa: E402
from training_setup import small_config  # noqa: E402

from lrcourse import optim, schedules  # noqa: E402
from lrcourse.callbacks import EarlyStopping, ReduceLROnPlateau  # noqa: E402
from lrcourse.models import model_spec  # noqa: E402
from lrcourse.train import History, TrainConfig, torch_trainer  # noqa: E402
from lrcourse.train.history import EPOCH_COLUMNS  # noqa: E402

_config = small_config


@pytest.fixture
def applied_lrs():
    """The lr of param group 0 at every optimizer.step() (seen by the optimizer itself)."""
    seen = []
    handle = register_optimizer_step_pre_hook(
        lambda opt, args, kwargs: seen.append(opt.param_groups[0]["lr"])
    )
    yield seen
    handle.remove()


def test_history_records_steps_and_epochs(digits, spec, tmp_path):
    h = torch_trainer.fit(spec, digits, _config(), run="smoke")
    assert h.run == "smoke" and h.num_steps == 20 and h.num_epochs == 2
    assert all(len(h.epochs[c]) == 2 for c in EPOCH_COLUMNS)
    assert np.all(np.isfinite(h.step_loss)) and h.diverged is None
    assert 0.0 <= h.test_accuracy <= 1.0 and 0.0 <= h.final("val_accuracy") <= 1.0
    assert h.meta["framework"] == "torch" and h.meta["device"] == "cpu"
    assert h.meta["images_per_s"] > 0
    again = History.from_dict(json.loads(json.dumps(h.to_dict())))
    assert again.step_loss == h.step_loss and again.epochs == h.epochs
    steps_csv, epochs_csv = h.to_csv(tmp_path / "smoke")
    assert steps_csv.read_text().splitlines()[0] == "step,lr,loss"
    assert len(epochs_csv.read_text().splitlines()) == 3


def test_schedule_is_applied_at_every_update(digits, spec, applied_lrs):
    schedule = schedules.OneCycle(0.2, total_steps=20)
    h = torch_trainer.fit(spec, digits, _config(schedule=schedule))
    expected = schedule(np.arange(20))
    assert np.array_equal(h.step_lr, expected)  # recorded
    assert np.array_equal(applied_lrs, expected)  # and what the optimizer really used
    assert h.epochs["lr"] == [expected[9], expected[19]]


def test_native_torch_scheduler(digits, spec, applied_lrs):
    def make(optimizer):
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)

    h = torch_trainer.fit(spec, digits, _config(schedule=make))
    expected = 0.1 * 0.5 ** (np.arange(20) // 3)
    assert np.allclose(h.step_lr, expected, rtol=1e-15) and np.allclose(applied_lrs, expected)


def test_reproducible_on_cpu(digits, spec):
    a = torch_trainer.fit(spec, digits, _config(seed=3))
    b = torch_trainer.fit(spec, digits, _config(seed=3))
    c = torch_trainer.fit(spec, digits, _config(seed=4))
    assert a.step_loss == b.step_loss and a.epochs["val_loss"] == b.epochs["val_loss"]
    assert a.step_loss != c.step_loss


def test_divergence_is_reported_not_raised(digits, spec, capsys):
    h = torch_trainer.fit(spec, digits, _config(optimizer=optim.SGD(lr=1e6)))
    assert h.diverged is not None and h.diverged.startswith("diverged at step ")
    k = int(h.diverged.split()[3])
    assert h.num_steps == k and np.all(np.isfinite(h.step_loss))
    assert "lr=1e+06" in h.diverged and h.num_epochs == 0 and h.test_accuracy is None
    out = capsys.readouterr()
    assert "nan" not in (out.out + out.err).lower()


def test_plateau_lowers_the_lr_between_epochs(digits, spec):
    rule = dict(mode="min", factor=0.5, patience=0, threshold=10.0)  # never "improves" enough
    h = torch_trainer.fit(spec, digits, _config(epochs=3, plateau=ReduceLROnPlateau(**rule)))
    replay, lr, expected = ReduceLROnPlateau(**rule), 0.1, []
    for val_loss in h.epochs["val_loss"]:
        expected.append(lr)
        lr = replay.update(val_loss, lr)
    assert [h.step_lr[10 * e] for e in range(3)] == expected
    assert expected[2] < expected[0]


def test_early_stopping_ends_the_run(digits, spec):
    stopper = EarlyStopping(mode="max", min_delta=1.0, patience=1)  # nothing improves by 1.0
    h = torch_trainer.fit(
        spec, digits, _config(epochs=5, early_stopping=stopper, monitor="val_accuracy")
    )
    assert h.stopped_early == 2 and h.num_epochs == 2 and h.test_accuracy is not None


def test_max_steps_and_bad_arguments(digits, spec):
    h = torch_trainer.fit(spec, digits, _config(max_steps=15))
    assert h.num_steps == 15 and h.num_epochs == 1
    with pytest.raises(ValueError, match="epochs must be an integer >= 1"):
        TrainConfig(epochs=0)
    with pytest.raises(ValueError, match="plateau"):
        TrainConfig(schedule=schedules.CosineDecay(0.1, 100), plateau=ReduceLROnPlateau())
    with pytest.raises(ValueError, match="monitor"):
        TrainConfig(monitor="loss")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA GPU"):
            torch_trainer.fit(spec, digits, _config(device="cuda"))


def test_fast_resnet_trains_a_few_steps(digits):
    spec = model_spec("fast_resnet", digits.image_shape, digits.num_classes, width=8)
    h = torch_trainer.fit(spec, digits, _config(max_steps=3, optimizer=optim.SGD(lr=0.05)))
    assert h.num_steps == 3 and np.all(np.isfinite(h.step_loss))


def test_find_lr_leaves_the_model_unchanged(digits, spec):
    pytest.importorskip("lrcourse.lr_finder")
    model = torch_trainer.build_model(spec, seed=1, device="cpu")
    before = {k: v.clone() for k, v in model.state_dict().items()}
    result = torch_trainer.find_lr(model, digits, _config(), start_lr=1e-4, end_lr=10, num_iter=30)
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert 1e-4 <= result.suggest("steep") <= 10 and len(result.lrs) >= 2


def test_progress_bar_shows_lr_and_loss(digits, spec, monkeypatch):
    # the bar is tqdm.auto's, given a stream of the test's own: in the whole suite, reading
    # sys.stderr (capsys) or fd 2 (capfd) after the run saw nothing, alone it saw the bar
    import functools
    import io

    import tqdm.auto
    import tqdm.std

    stream = io.StringIO()
    monkeypatch.setattr(tqdm.auto, "tqdm", functools.partial(tqdm.std.tqdm, file=stream))
    torch_trainer.fit(spec, digits, _config(progress=True, epochs=1))
    shown = stream.getvalue()
    assert "lr=0.1" in shown and "loss=" in shown and "val_acc=" in shown
    stream.seek(0)
    stream.truncate()
    torch_trainer.fit(spec, digits, _config(progress=False, epochs=1))
    assert stream.getvalue() == ""


@pytest.mark.parametrize("schedule", ["cosine", "0.1", True, [0.1, 0.01]])
def test_a_schedule_that_is_no_schedule_is_refused(schedule):
    # a string used to pass np.isscalar and train silently at the optimizer's own lr
    with pytest.raises(TypeError, match="schedule must be None, a number"):
        TrainConfig(schedule=schedule)


def test_a_schedule_name_gets_a_hint():
    with pytest.raises(TypeError, match="CosineDecay"):
        TrainConfig(schedule="cosine")


def test_runs_sharing_a_config_share_no_plateau_or_stopping_state(digits, spec):
    # one config looped over several runs: the second must not start from the first's
    # best / patience counters (it used to stop after one epoch)
    config = _config(
        epochs=4,
        plateau=ReduceLROnPlateau(factor=0.5, patience=0, threshold=0.0),
        early_stopping=EarlyStopping(patience=1),
    )
    first = torch_trainer.fit(spec, digits, config)
    second = torch_trainer.fit(spec, digits, config)
    assert second.num_epochs == first.num_epochs and second.stopped_early == first.stopped_early
    assert second.step_lr == first.step_lr and second.step_loss == first.step_loss
    assert config.plateau.last_epoch == 0 and config.early_stopping.epoch == -1  # untouched


def test_plateau_on_accuracy_follows_the_metric_by_default(digits, spec):
    # mode="auto": an accuracy is maximised, so a rising accuracy never cuts the lr
    config = _config(epochs=4, plateau=ReduceLROnPlateau(factor=0.5, patience=0, threshold=0.0),
                     monitor="val_accuracy")  # fmt: skip
    h = torch_trainer.fit(spec, digits, config)
    replay, lr, expected = (
        ReduceLROnPlateau(mode="max", factor=0.5, patience=0, threshold=0.0),
        0.1,
        [],
    )
    for acc in h.epochs["val_accuracy"]:
        expected.append(lr)
        lr = replay.update(acc, lr)
    assert [h.step_lr[10 * e] for e in range(4)] == expected


@pytest.mark.parametrize(
    "rule, monitor",
    [
        (ReduceLROnPlateau(mode="min"), "val_accuracy"),
        (ReduceLROnPlateau(mode="max"), "val_loss"),
    ],
)
def test_a_mode_against_the_monitored_metric_is_refused(rule, monitor):
    with pytest.raises(ValueError, match=f"mode='{rule.mode}'.*monitor='{monitor}'"):
        TrainConfig(plateau=rule, monitor=monitor)
    with pytest.raises(ValueError, match="early_stopping has mode"):
        TrainConfig(early_stopping=EarlyStopping(mode=rule.mode), monitor=monitor)


def test_schedule_free_validates_and_returns_the_averaged_weights(digits, spec, monkeypatch):
    """schedulefree's twin trains in train mode (params hold y) and is switched to eval
    mode (params hold the average x) for validation, test and the returned model."""
    import torch

    optimizers, evaluated = [], []
    handle = register_optimizer_step_pre_hook(
        lambda opt, args, kwargs: optimizers.append(opt) if not optimizers else None
    )
    real_evaluate = torch_trainer.evaluate

    def evaluate(model, data, split, *args, **kwargs):
        result = real_evaluate(model, data, split, *args, **kwargs)
        opt = optimizers[0]
        evaluated.append((split, opt.param_groups[0]["train_mode"], result))
        return result

    monkeypatch.setattr(torch_trainer, "evaluate", evaluate)
    config = _config(optimizer=optim.SGDScheduleFree(lr=0.05, momentum=0.9), epochs=2)
    try:
        history = torch_trainer.fit(spec, digits, config)
    finally:
        handle.remove()
    opt, model = optimizers[0], history.model
    assert type(opt).__name__ == "SGDScheduleFree"
    assert [e[:2] for e in evaluated] == [("val", False), ("val", False), ("test", False)]
    assert not opt.param_groups[0]["train_mode"]  # the returned model holds x
    data = torch_trainer._Data(digits, torch.device("cpu"))
    x_weights = [p.detach().clone() for p in model.parameters()]
    assert (
        real_evaluate(model, data, "val")
        == evaluated[1][2]
        == (
            history.epochs["val_loss"][-1],
            history.epochs["val_accuracy"][-1],
        )
    )
    opt.train()  # the training point y: other weights, another validation loss
    assert (
        max((p - x).abs().max().item() for p, x in zip(model.parameters(), x_weights, strict=True))
        > 1e-3
    )
    assert real_evaluate(model, data, "val")[0] != evaluated[1][2][0]
    opt.eval()
    for p, x in zip(model.parameters(), x_weights, strict=True):
        torch.testing.assert_close(p, x)
