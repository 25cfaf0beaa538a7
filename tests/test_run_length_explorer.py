"""The run-length explorer of assignment 07 (``lrcourse.widgets.run_length_explorer``):
light to import, built without drawing under nbgrader, the lr of every update of each run
at the chosen length, and a caption that follows the controls."""

from __future__ import annotations

import numpy as np
import pytest
from module_probe import modules_loaded_by

from lrcourse.experiments.runs import RunLength
from lrcourse.widgets import run_length_explorer as rle


def test_importing_the_module_loads_nothing_heavy():
    assert modules_loaded_by("import lrcourse.widgets.run_length_explorer") == []


def test_under_nbgrader_the_widget_is_built_without_drawing():
    code = (
        "import IPython.display\n"
        "IPython.display.display = lambda *a, **k: None\n"
        "from lrcourse.widgets.run_length_explorer import run_length_explorer\n"
        "explorer = run_length_explorer()\n"
        "explorer._ipython_display_()\n"
        "assert explorer.caption == '' and not explorer.drawn\n"
        "assert list(explorer.controls) == ['epochs', 'steps_per_epoch']"
    )
    loaded = modules_loaded_by(code, {"NBGRADER_EXECUTION": "autograde"})
    assert not {"torch", "tensorflow", "keras"} & set(loaded), loaded


def test_lr_per_update_follows_the_runs_schedules():
    length = RunLength(4, 21)
    time_based = rle.lr_per_update("time_based", length)
    assert time_based.size == 84 and time_based[0] == 0.1
    assert time_based[-1] == pytest.approx(0.1 / (1 + 0.025 * 83))
    assert np.all(rle.lr_per_update("adam", length) == 1e-3)
    assert np.all(rle.lr_per_update("lr_finder", length) == 0.1)


def test_the_caption_follows_the_controls():
    pytest.importorskip("ipywidgets")
    explorer = rle.run_length_explorer(draw_now=True)
    assert "epochs = 4" in explorer.caption and "84 updates" in explorer.caption
    explorer.controls["epochs"].value = 100
    explorer.controls["steps_per_epoch"].value = 704
    assert "epochs = 100 | steps_per_epoch = 704 | 70400 updates" in explorer.caption
    assert "time_based: 0.0587 after 1 epoch, 0.0014 at the end" in explorer.caption
    explorer.family.value = "SGD, newer schedules"
    assert explorer.caption.startswith("SGD, newer schedules") and "one_cycle" in explorer.caption
