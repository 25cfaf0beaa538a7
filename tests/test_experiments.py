"""Named runs, the section-6 recipes, the scale rule, and a tiny comparison end to end."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest

from lrcourse.experiments import (
    GROUPS,
    RECIPES,
    RUNS,
    SGD_MOMENTUM,
    CompareSettings,
    RunLength,
    choose_scale,
    compare,
    format_recipes,
    format_table,
    get_recipe,
    select_runs,
)

LENGTH = RunLength(epochs=20, steps_per_epoch=10)


def test_the_articles_eight_runs_done_properly():
    assert GROUPS["reference"] == (
        "constant", "time_based", "step_decay", "exp_decay",
        "adagrad", "adadelta", "rmsprop", "adam",
    )  # fmt: skip
    sgd_runs = [r for r in RUNS.values() if type(r.optimizer()).__name__ == "SGD"]
    assert len(sgd_runs) >= 4 and {r.optimizer().momentum for r in sgd_runs} == {SGD_MOMENTUM}
    k = np.arange(LENGTH.total_steps)
    assert np.allclose(RUNS["time_based"].schedule(LENGTH)(k), 0.1 / (1 + (0.1 / 20) * k))
    step = RUNS["step_decay"].schedule(LENGTH)(k)
    assert step[19] == 0.1 and step[20] == 0.05 and step[40] == 0.025  # halve every 2 epochs
    exp = RUNS["exp_decay"].schedule(LENGTH)(k)
    epoch = k // 10
    assert np.allclose(exp, 0.1 * np.exp(-0.1 * (100 / 20) * epoch))  # article's k per epoch
    assert RUNS["constant"].schedule(LENGTH) is None and RUNS["adam"].schedule(LENGTH) is None
    defaults = {n: RUNS[n].optimizer() for n in ("adagrad", "adadelta", "rmsprop", "adam")}
    assert [o.lr for o in defaults.values()] == [0.01, 1.0, 1e-3, 1e-3]
    assert defaults["adadelta"].rho == 0.95 and defaults["rmsprop"].alpha == 0.9


def test_extra_runs_span_the_run():
    k = np.arange(LENGTH.total_steps)
    cosine = RUNS["cosine"].schedule(LENGTH)(k)
    assert cosine[0] == 0.1 and cosine[-1] < 1e-4
    one = RUNS["one_cycle"].schedule(LENGTH)(k)
    assert one.argmax() == pytest.approx(0.3 * len(k), abs=2) and one[-1] < one[0]
    warm = RUNS["warmup_cosine"].schedule(LENGTH)(k)
    assert warm[0] == pytest.approx(1e-3) and warm.argmax() == 20
    assert RUNS["lr_finder"].lr_from_finder


def test_select_runs():
    assert [r.name for r in select_runs("adam,reference")][:2] == ["adam", "constant"]
    assert len(select_runs(["all"])) == len(RUNS) == 13
    with pytest.raises(ValueError, match="unknown run 'sgd'"):
        select_runs("sgd")
    with pytest.raises(ValueError, match="empty"):
        select_runs(" , ")


def test_recipes_build_their_optimizer_and_schedule():
    assert list(RECIPES) == [
        "alexnet", "vgg", "resnet", "inception_v3", "densenet", "mobilenet", "transformer",
        "bert",
    ]  # fmt: skip
    spe = 100
    resnet = get_recipe("resnet").build(spe, 100)
    assert resnet.optimizer.momentum == 0.9 and resnet.optimizer.lr == 0.1
    assert resnet.schedule([0, 30 * spe - 1, 30 * spe, 60 * spe, 90 * spe]) == pytest.approx(
        [0.1, 0.1, 0.01, 0.001, 0.0001]
    )
    inception = get_recipe("inception_v3").build(spe, 10)
    assert inception.optimizer.alpha == 0.9 and inception.optimizer.momentum == 0.9
    assert inception.schedule(2 * spe) == pytest.approx(0.045 * 0.94)
    assert inception.schedule(2 * spe - 1) == pytest.approx(0.045)
    mobilenet = get_recipe("mobilenet").build(spe, 10)
    assert mobilenet.schedule(3 * spe) == pytest.approx(0.045 * 0.98**3)
    transformer = get_recipe("transformer").build(spe, 100)
    assert transformer.optimizer.betas == (0.9, 0.98) and transformer.optimizer.eps == 1e-9
    assert transformer.schedule(3999) == pytest.approx(0.001)
    bert = get_recipe("bert").build(spe, 200)
    assert bert.optimizer.eps == 1e-6 and bert.schedule(10_000) == pytest.approx(5e-5)
    assert bert.schedule(200 * spe) == 0.0
    with pytest.raises(ValueError, match="10,000 steps"):
        get_recipe("bert").build(spe, 10)
    alexnet = get_recipe("alexnet").build(spe, 100)
    assert alexnet.schedule is None and alexnet.plateau.mode == "max"
    assert alexnet.plateau.factor == 0.1 and alexnet.monitor == "val_accuracy"
    table = format_recipes()
    for model in ("AlexNet", "VGG16/19", "ResNet", "Inception-v3", "DenseNet", "MobileNet"):
        assert model in table
    with pytest.raises(ValueError, match="unknown recipe"):
        get_recipe("lenet")


def test_recipe_twins_build():
    torch = pytest.importorskip("torch")
    built = get_recipe("resnet").build(10, 100)
    params = [torch.nn.Parameter(torch.zeros(3))]
    opt = built.optimizer.to_torch(params)
    scheduler = built.schedule.to_torch(opt)
    assert type(opt).__name__ == "SGD" and scheduler is not None


def test_scale_rule():
    assert choose_scale("cifar10", gpu=True).scaled is False
    assert choose_scale("cifar10", gpu=True).epochs == 100
    cpu = choose_scale("cifar10", gpu=False)
    assert cpu.scaled and cpu.subset["train"] == 5000 and "no GPU" in cpu.reason
    digits = choose_scale("digits", gpu=True, epochs=4)
    assert digits.scaled and digits.epochs == 4 and "digits were asked for" in digits.reason
    assert choose_scale("digits", gpu=False, full=True).scaled is False


def test_settings_are_checked(tmp_path):
    with pytest.raises(ValueError, match="dataset must be one of"):
        CompareSettings(out_dir=tmp_path, dataset="imagenet")
    with pytest.raises(ValueError, match="epochs"):
        CompareSettings(out_dir=tmp_path, epochs=0)
    with pytest.raises(ValueError, match="unknown run"):
        CompareSettings(out_dir=tmp_path, runs=("fast",))


def test_one_seed_has_no_spread_to_report():
    from lrcourse.experiments.compare import summarise
    from lrcourse.experiments.runs import RUNS
    from lrcourse.train import History

    h = History(run="constant")
    h.record_epoch(train_loss=1.0, train_accuracy=0.5, val_loss=1.0, val_accuracy=0.5, lr=0.1,
                   time_s=1.0, train_time_s=1.0)  # fmt: skip
    rows = summarise([RUNS["constant"]], {"constant": [h]})
    assert math.isnan(rows[0]["final_val_accuracy_std"])  # not a reassuring 0.0
    assert rows[0]["final_val_accuracy_mean"] == 0.5
    line = format_table(rows).splitlines()[2]
    assert "±" not in line and line.split()[1] == "0.500" and line.split()[-1] == "1"


def test_a_corrupt_archive_is_named_in_the_scale_reason(tmp_path):
    from lrcourse.data import cifar10
    from lrcourse.data.choose import fallback_reason

    (tmp_path / cifar10.FILENAME).write_bytes(b"junk")
    scale = choose_scale("digits", gpu=False, fallback=fallback_reason(tmp_path))
    assert "is corrupt" in scale.reason and "not cached" not in scale.reason


def test_tiny_comparison_writes_table_and_figures(tmp_path):
    pytest.importorskip("torch")
    lines = []
    settings = CompareSettings(
        out_dir=tmp_path, runs=("constant", "cosine"), dataset="digits", epochs=2, seeds=2,
        progress=False,
    )  # fmt: skip
    result = compare(settings, say=lines.append)
    assert "scaled down" in lines[0] and result.scale.scaled
    with open(tmp_path / "results.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["run"] for r in rows] == ["constant", "cosine"]
    accs = [h.final("val_accuracy") for h in result.histories["constant"]]
    assert float(rows[0]["final_val_accuracy_mean"]) == pytest.approx(np.mean(accs), rel=1e-5)
    assert float(rows[0]["final_val_accuracy_std"]) == pytest.approx(np.std(accs, ddof=1), abs=1e-5)
    for name in ("lr_per_step", "loss_per_epoch", "accuracy_per_epoch", "comparison"):
        assert (tmp_path / f"{name}.png").stat().st_size > 10_000
    assert (tmp_path / "histories" / "cosine_seed1_steps.csv").exists()
    assert "constant" in format_table(result.rows) and not math.isnan(result.seconds)


def test_a_run_that_diverged_prints_no_nan():
    from lrcourse.experiments.compare import _one_line, summarise
    from lrcourse.train import History

    h = History(run="constant")
    h.record_steps([0.1], [2.3])
    h.mark_diverged(1, 1e3)
    assert _one_line(h, 0) == "  constant       seed 0: diverged at step 1 (lr=1000)"
    table = format_table(summarise(select_runs("constant"), {"constant": [h]}))
    assert "nan" not in table.lower() and table.splitlines()[-1].endswith("1")


def test_thirteen_runs_make_readable_small_multiples(tmp_path):
    """Every panel holds at most five runs in distinct colours, legends lie outside the
    data, epoch ticks are whole numbers (13 runs once shared 7 colours on one axes)."""
    from lrcourse.experiments import figures
    from lrcourse.experiments.compare import summarise
    from lrcourse.experiments.runs import RUNS
    from lrcourse.train import History

    by_run = {}
    for name in RUNS:
        h = History(run=name)
        h.record_steps([0.1] * 6, [1.0] * 6)
        for e in range(3):
            metrics = dict(val_loss=1.0 - 0.1 * e, val_accuracy=0.5 + 0.1 * e)
            h.record_epoch(train_loss=1.0, train_accuracy=0.5, lr=0.1, time_s=1.0,
                           train_time_s=1.0, **metrics)  # fmt: skip
        by_run[name] = [h]
    groups = figures.panels(by_run)
    assert sorted(n for _, members in groups for n in members) == sorted(RUNS)
    color = figures.colors(groups)
    for _, members in groups:
        assert len(members) <= 5 and len({color[n] for n in members}) == len(members)
    assert figures.panels(["adam", "mystery"]) == [
        ("adaptive optimizers", ["adam"]), ("other runs", ["mystery"])
    ]  # fmt: skip
    fig = figures._grid(by_run, groups, color, ["lr", "val_loss", "val_accuracy"],
                        bars_rows=summarise(list(RUNS.values()), by_run))  # fmt: skip
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    legends = [(ax, ax.get_legend()) for ax in fig.axes if ax.get_legend() is not None]
    assert len(legends) == len(groups) + 1  # one per row, and the bars'
    for ax, legend in legends:
        assert legend.get_window_extent(renderer).x0 >= ax.get_window_extent(renderer).x1
    for ax in fig.axes:
        if ax.get_xlabel() == "epoch":
            ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
            assert ticks and all(float(t).is_integer() for t in ticks)
    paths = figures.save_figures(by_run, summarise(list(RUNS.values()), by_run), tmp_path)
    assert [p.name for p in paths] == [f"{n}.png" for n in figures.FIGURES]
