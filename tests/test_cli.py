"""The ``lrcourse`` command: a tiny comparison end to end, recipes, and bad input (one line
on stderr, exit status 2, no traceback)."""

from __future__ import annotations

import csv
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from lrcourse.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "lrcourse.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "PATH": "/usr/bin:/bin",
            "HOME": str(cwd),  # an empty user cache: no CIFAR-10
            "PYTHONPATH": str(ROOT),
        },
    )


def test_tiny_compare_writes_csv_and_figures(tmp_path):
    pytest.importorskip("torch")
    out = tmp_path / "results"
    done = _run(
        "compare", "--dataset", "digits", "--runs", "constant,adam", "--epochs", "1",
        "--seeds", "1", "--out", str(out), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "scaled down" in done.stdout and "Traceback" not in done.stderr
    with open(out / "results.csv") as f:
        assert [row["run"] for row in csv.DictReader(f)] == ["constant", "adam"]
    for name in ("lr_per_step", "loss_per_epoch", "accuracy_per_epoch", "comparison"):
        assert (out / f"{name}.png").is_file()
    assert "done in" in done.stdout


def test_recipes_table_and_build(capsys):
    shown_before = warnings.showwarning
    assert main(["recipes"]) == 0
    assert warnings.showwarning is shown_before  # a notebook's kernel keeps its warnings
    assert "Inception-v3" in capsys.readouterr().out
    assert main(["recipes", "--build", "resnet", "--steps-per-epoch", "10", "--epochs", "100"]) == 0
    out = capsys.readouterr().out
    assert "MultiStepDecay" in out and "momentum=0.9" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["compare", "--runs", "sgd_fast"], "unknown run 'sgd_fast'"),
        (["compare", "--dataset", "imagenet"], "invalid choice: 'imagenet'"),
        (["compare", "--epochs", "0"], "must be a positive integer, got 0"),
        (["compare", "--epochs", "-3"], "must be a positive integer, got -3"),
        (["compare", "--seeds", "two"], "expected a positive integer, got 'two'"),
        (["compare", "--framework", "jax"], "invalid choice: 'jax'"),
        (["recipes", "--build", "lenet"], "invalid choice: 'lenet'"),
        (["recipes", "--build", "bert", "--epochs", "1"], "10,000 steps"),
        (["lr-find", "--optimizer", "Nope"], "unknown optimizer 'Nope'"),
        (["lr-find", "--optimizer", "Optimizer"], "unknown optimizer 'Optimizer'"),
        (["lr-find", "--optimizer", "Lion"], "torch 2.13 has no Lion"),
        (["lr-find", "--num-iter", "1"], "argument --num-iter: must be an integer >= 2, got 1"),
        (["lr-find", "--seed", "-1"], "argument --seed: must be an integer >= 0, got -1"),
        (["lr-find", "--end-lr", "1e308"], "overflows"),
        (["lr-find", "--end-lr", "inf"], "must be a positive number"),
        (
            ["compare", "--runs", "one_cycle", "--epochs", "1", "--batch-size", "5000"],
            "run 'one_cycle' cannot be built for 1 epoch(s)",
        ),  # fmt: skip
        (["fly"], "invalid choice: 'fly'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, expected, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stop:
        main(args)
    err = capsys.readouterr().err
    assert stop.value.code == 2
    assert expected in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    command = args[0] if args[0] in ("compare", "lr-find", "recipes") else None
    assert err.startswith(f"lrcourse {command}: error: " if command else "lrcourse: error: ")
    assert list(tmp_path.iterdir()) == []  # no empty output folder left behind


def test_compare_checks_every_run_before_training_any(tmp_path, capsys, monkeypatch):
    # one_cycle cannot be built from 1 update per epoch: constant must not train first
    from lrcourse.train import torch_trainer

    monkeypatch.setattr(torch_trainer, "fit", lambda *a, **k: pytest.fail("trained"))
    args = ["compare", "--dataset", "digits", "--runs", "constant,one_cycle", "--epochs", "1",
            "--batch-size", "5000", "--seeds", "1", "--out", str(tmp_path / "out")]  # fmt: skip
    with pytest.raises(SystemExit) as stop:
        main(args)
    assert stop.value.code == 2 and "run 'one_cycle'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_an_interrupted_compare_leaves_no_empty_folder(tmp_path, monkeypatch, capsys):
    from lrcourse.train import torch_trainer

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(torch_trainer, "fit", interrupted)
    out = tmp_path / "new" / "results"
    args = ["compare", "--dataset", "digits", "--runs", "constant", "--epochs", "1",
            "--seeds", "1", "--out", str(out)]  # fmt: skip
    with pytest.raises(SystemExit) as stop:
        main(args)
    assert stop.value.code == 130 and "interrupted" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_optimizer_names_are_case_insensitive():
    from lrcourse import optim
    from lrcourse.cli import _optimizer_class

    assert _optimizer_class("sgd") is optim.SGD and _optimizer_class("ADAMW") is optim.AdamW


def test_unwritable_output_folder(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for out in (blocker / "results", blocker):
        with pytest.raises(SystemExit) as stop:
            main(["compare", "--out", str(out)])
        err = capsys.readouterr().err
        assert stop.value.code == 2 and "cannot write to" in err and len(err.splitlines()) == 1
        assert "not a folder" in err


def test_bad_input_from_a_real_process(tmp_path):
    done = _run("compare", "--epochs", "0", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        "lrcourse compare: error: argument --epochs: must be a positive integer, got 0"
    ]


def test_lr_find_prints_suggestions_and_saves_the_plot(tmp_path, capsys):
    pytest.importorskip("torch")
    pytest.importorskip("lrcourse.lr_finder")
    args = ["lr-find", "--dataset", "digits", "--num-iter", "30", "--out", str(tmp_path)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "suggestion valley" in out and (tmp_path / "lr_find.png").stat().st_size > 5_000
    # too short a test for any suggestion: the plot is still saved (it is needed most then)
    short = tmp_path / "short"
    assert main([*args[:-1], str(short), "--num-iter", "5", "--optimizer", "adam"]) == 0
    out = capsys.readouterr().out
    assert "suggestion valley   none" in out and (short / "lr_find.png").is_file()
    with pytest.raises(SystemExit) as stop:
        main([*args, "--start-lr", "1", "--end-lr", "0.5"])
    assert stop.value.code == 2 and "--end-lr" in capsys.readouterr().err


def test_a_corrupt_cached_archive_is_one_warning_line(tmp_path):
    from lrcourse.data import cifar10

    (tmp_path / cifar10.FILENAME).write_bytes(b"junk")
    done = _run("compare", "--runs", "sgd_fast", "--data-dir", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 2  # bad input is still found first
    done = _run("lr-find", "--data-dir", str(tmp_path), "--num-iter", "2", "--end-lr", "0.1",
                "--out", str(tmp_path / "o"), cwd=tmp_path)  # fmt: skip
    warning = [line for line in done.stderr.splitlines() if "warning" in line]
    assert done.returncode == 0, done.stderr
    assert warning == [warning[0]] and warning[0].startswith("lrcourse lr-find: warning: ")
    assert "is corrupt" in warning[0] and "Traceback" not in done.stderr
