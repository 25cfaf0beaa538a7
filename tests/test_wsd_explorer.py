"""The WSD explorer of assignment 08 (``lrcourse.widgets.wsd_explorer``)."""

from __future__ import annotations

import numpy as np
import pytest
from module_probe import modules_loaded_by

from lrcourse import schedules
from lrcourse.widgets import wsd_explorer as we


@pytest.fixture
def quiet(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: None)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)


def test_importing_the_module_loads_nothing_heavy():
    assert modules_loaded_by("import lrcourse.widgets.wsd_explorer") == []


def test_under_nbgrader_the_widget_is_built_without_drawing(monkeypatch, quiet):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    explorer = we.wsd_explorer()
    explorer._ipython_display_()
    assert explorer.caption == "" and not explorer.drawn


def test_the_caption_follows_every_control(quiet):
    explorer = we.WSDExplorer()
    explorer._ipython_display_()
    assert explorer.caption.startswith(
        "peak_lr = 0.01 | warmup_steps = 50 | stable_steps = 750 | decay_steps = 200"
    )
    assert "total = 1000 steps" in explorer.caption
    explorer.peak_lr.value = 0.05
    explorer.stable_steps.value = 1000
    explorer.decay_type.value = "linear"
    explorer.min_lr_ratio.value = 0.1
    for shown in ("peak_lr = 0.05", "stable_steps = 1000", "decay_type = linear",
                  "min_lr_ratio = 0.10", "total = 1250 steps"):  # fmt: skip
        assert shown in explorer.caption, explorer.caption


def test_the_sums_in_the_caption_are_the_schedules():
    _, lines = we.draw_wsd(0.01, 50, 750, 200, "cosine", 0.0)
    run = np.arange(1000)
    wsd = np.sum(schedules.WarmupStableDecay(0.01, 50, 750, 200)(run))
    cosine = np.sum(schedules.CosineDecay(0.01, 1000)(run))
    assert lines[2] == [f"sum of lr: WSD {wsd:.4g}", f"cosine {cosine:.4g}"]
    assert wsd > cosine  # the stable phase moves the weights further
