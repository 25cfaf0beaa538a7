"""train_plan: the planned comparison trained in memory (no files), the LR-finder run's lr
from its range test, the same rows as compare's results, and the comparison figure."""

from __future__ import annotations

import numpy as np
import pytest

from lrcourse.experiments import CompareSettings, plan_comparison, train_plan
from lrcourse.experiments.train_plan import comparison_figure


def test_a_tiny_plan_trains_in_memory(tmp_path):
    pytest.importorskip("torch")
    settings = CompareSettings(
        out_dir=tmp_path / "never-written", runs=("constant", "lr_finder"), dataset="digits",
        epochs=2, seeds=2, progress=False,
    )  # fmt: skip
    plan = plan_comparison(settings, say=lambda line: None)
    lines = []
    histories, rows = train_plan(plan, progress=False, say=lines.append)
    assert not (tmp_path / "never-written").exists()
    assert list(histories) == ["constant", "lr_finder"] and all(
        len(h) == 2 for h in histories.values()
    )
    assert [r["run"] for r in rows] == ["constant", "lr_finder"]
    accs = [h.final("val_accuracy") for h in histories["constant"]]
    assert rows[0]["final_val_accuracy_mean"] == pytest.approx(np.mean(accs))
    assert rows[0]["final_val_accuracy_std"] == pytest.approx(np.std(accs, ddof=1))
    assert len(lines) == 2 and "suggestion 'valley'" in lines[0]
    finder = histories["lr_finder"][0]
    assert set(finder.step_lr) == {finder.step_lr[0]} and finder.step_lr[0] != 0.1
    assert set(histories["constant"][0].step_lr) == {0.1}
    fig = comparison_figure(histories, rows)
    assert fig.get_suptitle().startswith("all runs compared") and len(fig.axes) >= 7
