"""Seeds (mean, spread, t interval, ties), the article's confounds and conclusions, and the
measured-results loader in both of its branches (a CSV in the real format, and none)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lrcourse.experiments.compare import METRICS, write_results
from lrcourse.experiments.conclusions import adadelta_is_best, adaptive_beat_sgd
from lrcourse.experiments.confounds import ARTICLE, CONFOUNDS, COURSE, find_confounds
from lrcourse.experiments.measured import (
    MEASURE_COMMAND,
    Measured,
    NotMeasured,
    default_path,
    load_measured,
    write_measured,
)
from lrcourse.experiments.runs import select_runs
from lrcourse.experiments.seeds import rank, summarise_seeds, t_quantile, tied_with_best


def test_the_worked_example_of_a_t_interval():
    s = summarise_seeds([0.62, 0.65, 0.59])
    assert (s.n, s.mean, s.std) == (3, pytest.approx(0.62), pytest.approx(0.03))
    assert s.sem == pytest.approx(0.03 / math.sqrt(3))
    assert s.t == pytest.approx(4.302653, rel=1e-6)
    assert s.low == pytest.approx(0.5455, abs=1e-4) and s.high == pytest.approx(0.6945, abs=1e-4)
    assert t_quantile(0.95, 10**6) == pytest.approx(1.959966, rel=1e-5)


def test_the_spread_is_the_sample_std():
    x = np.array([0.1, 0.4, 0.2, 0.9])
    assert summarise_seeds(x).std == pytest.approx(np.std(x, ddof=1))
    assert summarise_seeds(x).std != pytest.approx(np.std(x))


@pytest.mark.parametrize(
    "bad, message",
    [([0.5], "at least 2"), ([[0.1, 0.2]], "1-D"), ([0.1, float("nan")], "finite")],
)
def test_summarise_seeds_rejects_what_has_no_spread(bad, message):
    with pytest.raises(ValueError, match=message):
        summarise_seeds(bad)


def test_t_quantile_checks_its_arguments():
    with pytest.raises(ValueError, match="confidence"):
        t_quantile(1.0, 3)
    with pytest.raises(ValueError, match="dof"):
        t_quantile(0.95, 0)


def test_rank_is_stable_and_follows_the_direction():
    assert rank([0.7, 0.8, 0.7, 0.9]).tolist() == [3, 1, 0, 2]
    assert rank([1.2, 0.9, 1.2], higher_is_better=False).tolist() == [1, 0, 2]


def test_tied_with_best_adds_standard_errors_in_quadrature():
    # best 0.80 (sd 0.03); run 1 is 0.05 lower with sd 0.04: se of the difference
    # sqrt((0.03**2 + 0.04**2) / 3) = 0.02887, so 0.05 is within 2 se but not within 1.5 se
    means, stds = [0.80, 0.75, 0.60], [0.03, 0.04, 0.01]
    assert tied_with_best(means, stds, 3, k=2.0).tolist() == [0, 1]
    assert tied_with_best(means, stds, 3, k=1.5).tolist() == [0]
    assert tied_with_best(means, stds, 3, k=0.0).tolist() == [0]
    with pytest.raises(ValueError, match="one value per run"):
        tied_with_best(means, stds[:2], 3)
    with pytest.raises(ValueError, match="n_seeds"):
        tied_with_best(means, stds, 1)


def test_the_articles_four_confounds_and_none_in_the_course():
    assert find_confounds(**ARTICLE) == list(CONFOUNDS)
    assert find_confounds(**COURSE) == []
    assert set(COURSE["sgd_momenta"]) == {0.8} and len(COURSE["sgd_momenta"]) == 9
    assert find_confounds(100, 100, "validation split", [0.9, 0.9], 2) == ["too_few_seeds"]
    assert find_confounds(10, 100, "validation split", [], 5) == ["subset_of_classes"]
    with pytest.raises(ValueError, match="validation_data must be one of"):
        find_confounds(10, 10, "Test", [0.9], 3)
    with pytest.raises(ValueError, match="classes_in_dataset"):
        find_confounds(10, 2, "test", [0.9], 3)


def row(run, mean, std, seeds=3):
    """A row of ``compare``'s results in its column order (``summarise``), every metric's
    mean ``mean``, the final validation accuracy's std ``std``, the other spreads NaN."""
    out = {"run": run, "title": f"the {run} run", "seeds": seeds}
    for metric in METRICS:
        out[f"{metric}_mean"] = mean
        out[f"{metric}_std"] = std if metric == "final_val_accuracy" else math.nan
        out[f"{metric}_min"] = out[f"{metric}_max"] = mean
    out.update(epochs_mean=100.0, diverged=0, time_s_mean=812.5, images_per_s_mean=24000.0)
    return out


def test_the_conclusions_are_judged_against_the_spread():
    rows = [row("constant", 0.70, 0.01), row("adadelta", 0.74, 0.01), row("adam", 0.71, 0.01)]
    assert adaptive_beat_sgd(rows).verdict == "supported"
    assert adadelta_is_best(rows).verdict == "supported"
    rows[2] = row("adam", 0.735, 0.01)
    assert adadelta_is_best(rows).verdict == "not distinguishable"
    rows[0] = row("constant", 0.80, 0.01)
    assert adaptive_beat_sgd(rows).verdict == "contradicted"
    assert adadelta_is_best(rows).verdict == "contradicted"
    one_seed = [row("constant", 0.7, math.nan, 1), row("adadelta", 0.8, math.nan, 1)]
    assert adaptive_beat_sgd(one_seed).verdict == "cannot tell"
    assert "one seed" in str(adadelta_is_best(one_seed))


def test_not_measured_says_so_plainly(tmp_path):
    result = load_measured(tmp_path / "reference_comparison.csv")
    assert isinstance(result, NotMeasured) and not result.measured
    assert str(result).startswith("not yet measured on a GPU")
    assert MEASURE_COMMAND in str(result)


def test_the_package_file_is_where_the_loader_looks():
    assert default_path().parent.name == "measured"
    assert (default_path().parent / "README.md").is_file()
    result = load_measured()
    assert isinstance(result, Measured | NotMeasured)  # whichever is committed


def test_a_measurement_in_the_real_format_reads_back(tmp_path):
    runs = select_runs("constant,adadelta")
    rows = [row("constant", 0.71, 0.004), row("adadelta", 0.69, 0.006)]
    assert [r["run"] for r in rows] == [r.name for r in runs]
    path = write_measured(
        rows,
        tmp_path / "sub" / "reference_comparison.csv",
        command="lrcourse compare --runs constant,adadelta --full",
        device="NVIDIA H200",
        date="2026-12-02",
    )
    text = path.read_text()
    assert text.startswith("# command: lrcourse compare --runs constant,adadelta --full\n")
    assert "run,title,seeds,final_val_accuracy_mean" in text  # the header of results.csv
    result = load_measured(path)
    assert isinstance(result, Measured) and result.measured
    assert (result.command, result.device, result.notes["date"]) == (
        "lrcourse compare --runs constant,adadelta --full",
        "NVIDIA H200",
        "2026-12-02",
    )
    assert result.row("adadelta")["final_val_accuracy_mean"] == pytest.approx(0.69)
    assert result.row("constant")["seeds"] == 3 and math.isnan(result.rows[0]["test_accuracy_std"])
    assert "measured on NVIDIA H200" in str(result) and "0.710 ± 0.004" in str(result)
    with pytest.raises(KeyError, match="'adam' was not measured"):
        result.row("adam")


def test_a_measurement_must_name_its_command_and_device(tmp_path):
    path = tmp_path / "m.csv"
    write_measured([row("constant", 0.7, 0.01)], path, command="lrcourse compare", device="x")
    path.write_text(path.read_text().replace("# device: x\n", ""))
    with pytest.raises(ValueError, match="device"):
        load_measured(path)
    path.write_text("# command: c\n# device: d\n")
    with pytest.raises(ValueError, match="no result rows"):
        load_measured(path)
    with pytest.raises(ValueError, match="device must be"):
        write_measured([row("constant", 0.7, 0.01)], path, command="c", device=" ")
    with pytest.raises(ValueError, match="rows is empty"):
        write_measured([], path, command="c", device="d")


def test_the_command_line_turns_results_csv_into_a_measurement(tmp_path, capsys):
    from lrcourse.experiments import measured

    results = write_results([row("constant", 0.71, 0.004)], tmp_path / "results.csv")
    out = tmp_path / "reference_comparison.csv"
    assert measured.main([str(results), "--device", "NVIDIA H200", "--out", str(out)]) == 0
    loaded = load_measured(out)
    assert loaded.device == "NVIDIA H200" and loaded.command == MEASURE_COMMAND
    assert loaded.row("constant")["final_val_accuracy_mean"] == 0.71
    assert "1 runs measured on NVIDIA H200" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        measured.main([str(tmp_path / "missing.csv"), "--device", "x"])
    assert "is not a file" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        measured.main([str(results), "--device", " ", "--out", str(out)])
    assert "device must be a one-line, non-empty string" in capsys.readouterr().err
