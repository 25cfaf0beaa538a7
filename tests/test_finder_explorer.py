"""The LR-finder explorer of assignment 05 (``lrcourse.widgets.finder_explorer``) and the range
tests it replays (``lrcourse.lr_finder.recorded``).

Importing it loads nothing heavy; under nbgrader it is built without drawing, without torch
and without a live run; a slider change redraws with a caption naming the new value; a
replay is the range test the library would have run on those losses; the live run adds its
curve and reports the model restored (a real one, on torch, in the slow test).
"""

from __future__ import annotations

import numpy as np
import pytest
from module_probe import modules_loaded_by

from lrcourse import lr_finder
from lrcourse.lr_finder.recorded import RECORDINGS, Recording
from lrcourse.widgets import finder_explorer as fe


def test_importing_the_module_loads_nothing_heavy():
    assert modules_loaded_by("import lrcourse.widgets.finder_explorer") == []


def test_under_nbgrader_it_is_built_without_drawing_or_a_live_run():
    code = (
        "from lrcourse.widgets.finder_explorer import finder_explorer\n"
        "calls = []\n"
        "e = finder_explorer(live_run=lambda n: calls.append(n))\n"
        "e._ipython_display_()\n"
        "e.run_live()\n"
        "assert e.caption == '' and not e.drawn and e.run.disabled and calls == []"
    )
    loaded = modules_loaded_by(code, {"NBGRADER_EXECUTION": "autograde"})
    assert not {"torch", "tensorflow", "keras"} & set(loaded), loaded


@pytest.mark.parametrize("name", list(RECORDINGS))
def test_a_replay_is_the_range_test_of_the_recorded_losses(name):
    recording = RECORDINGS[name]
    assert len(recording.losses) == recording.num_iter
    np.testing.assert_array_equal(
        recording.lrs(), lr_finder.lr_grid(1e-7, 10.0, recording.num_iter, style="fastai")
    )
    raw = recording.replay(smooth=0.0, stop_div=False)
    np.testing.assert_array_equal(raw.smoothed, recording.losses)
    smoothed = recording.replay(smooth=0.98)
    expected = lr_finder.LossSmoother(0.98, bias_correction=True)
    want = [expected.update(loss) for loss in recording.losses[: len(smoothed)]]
    np.testing.assert_allclose(smoothed.smoothed, want, rtol=1e-12)
    if smoothed.stopped_early:  # the first batch above 4 x the best so far, and only that one
        best = np.minimum.accumulate(smoothed.smoothed)
        assert np.flatnonzero(smoothed.smoothed > 4 * best).tolist() == [len(smoothed) - 1]


def test_the_ramp_speed_changes_the_answer():
    """Section 6's point, on the recordings: a slower ramp suggests a smaller lr."""
    valleys = [RECORDINGS[n].replay().suggest("valley") for n in ("fast ramp", "slower ramp")]
    assert valleys[1] < valleys[0] / 3


@pytest.fixture
def quiet(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: None)


def fake_live_run(num_iter):
    losses = 2.3 - np.tanh(np.linspace(-3, 3, num_iter)) + np.linspace(0, 3, num_iter) ** 4
    return Recording("live fake", "a fake run", 1e-7, 10.0, num_iter, 64, tuple(losses)), 0.0


def test_the_sliders_and_the_live_run_redraw_with_their_values(quiet):
    explorer = fe.FinderExplorer(draw_now=True, live_run=fake_live_run)
    assert "smooth = 0.98 | skip_start = 10 | skip_end = 5" in explorer.caption
    assert "valley: " in explorer.caption and "minimum/10: " in explorer.caption
    explorer.smooth.value = 0.5
    explorer.skip_start.value = 37
    explorer.curve.value = "slow ramp"
    assert explorer.caption.startswith("slow ramp: ")
    assert "smooth = 0.50 | skip_start = 37" in explorer.caption
    assert "stopped after" in explorer.caption  # the slow ramp diverges at 4 x its best
    result = RECORDINGS["slow ramp"].replay(smooth=0.5)
    assert f"valley: {result.suggest('valley', skip_start=37, skip_end=5):.2e}" in explorer.caption
    explorer.skip_start.value = 200  # more than the fast ramp has: no suggestion, a reason
    explorer.curve.value = "fast ramp"
    assert "steepest: none (0 points left after the skips)" in explorer.caption
    explorer.live_batches.value = 150
    explorer.run_live()
    assert explorer.curve.value == "live fake" and "live fake" in explorer.curve.options
    assert "the model after the test: restored" in explorer.caption


@pytest.mark.slow
def test_the_live_run_trains_the_notebooks_model_and_restores_it():
    pytest.importorskip("torch")
    recording, moved = fe.live_range_test(50)
    assert len(recording.losses) == 50 and np.all(np.isfinite(recording.losses))
    assert moved == 0.0
    assert recording.replay().suggest("valley") > 0


def test_shown_at_the_end_of_a_cell_it_draws_once_without_capturing_output(quiet):
    explorer = fe.FinderExplorer()
    explorer._ipython_display_()
    assert explorer.drawn and explorer.caption.startswith("fast ramp: ")
    assert [o["output_type"] for o in explorer.output.outputs] == ["display_data"] * 2
    assert "lrcourse-caption" in explorer.output.outputs[-1]["data"]["text/html"]
