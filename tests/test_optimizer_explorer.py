"""The optimizer explorer of assignment 03 (``lrcourse.widgets.optimizer_explorer``).

Importing it loads nothing heavy; under nbgrader it is built without computing or drawing
(and without torch); a slider change redraws with a caption naming the new value; the NumPy
paths equal their torch twins; Adam's effective step is the syllabus' formula.
"""

from __future__ import annotations

import numpy as np
import pytest
from module_probe import modules_loaded_by

from lrcourse.widgets import optimizer_explorer as oe


def test_importing_the_module_loads_nothing_heavy():
    assert modules_loaded_by("import lrcourse.widgets.optimizer_explorer") == []


def test_under_nbgrader_the_widget_is_built_without_drawing():
    code = (
        "from lrcourse.widgets.optimizer_explorer import optimizer_explorer, numpy_path\n"
        "box = optimizer_explorer()\n"
        "assert box.explorer.caption == '' and numpy_path.cache_info().currsize == 0\n"
        "assert box.explorer.chosen() == ['SGD + momentum', 'RMSprop', 'Adam']"
    )
    loaded = modules_loaded_by(code, {"NBGRADER_EXECUTION": "autograde"})
    assert not {"torch", "tensorflow", "keras"} & set(loaded), loaded


def test_adam_effective_step_is_the_syllabus_formula():
    got = oe.effective_step(1e-3, 0.9, 0.999, [1, 10, 100, 1000])
    assert np.allclose(got, [3.162e-4, 1.532e-4, 3.086e-4, 7.952e-4], rtol=1e-3)


@pytest.mark.parametrize("surface", list(oe.SURFACES))
def test_the_gradients_are_the_surfaces_derivatives(surface):
    s = oe.SURFACES[surface]
    x, y, h = 0.3, -0.7, 1e-6
    dx = (s.loss(x + h, y) - s.loss(x - h, y)) / (2 * h)
    dy = (s.loss(x, y + h) - s.loss(x, y - h)) / (2 * h)
    assert np.allclose(s.grad(x, y), (dx, dy), rtol=1e-5)


def test_a_path_that_diverges_is_cut_and_named():
    settings = oe.Settings(lr=0.5, steps=50)  # SGD on curvature 20: 2 / 20 = 0.1 is the limit
    path = oe.numpy_path("ill-conditioned quadratic", "SGD", settings)
    assert path.escaped_at is not None and len(path.points) == path.escaped_at
    assert np.all(np.isfinite(path.points))


def test_a_slider_redraws_and_the_torch_twins_agree(monkeypatch):
    pytest.importorskip("torch")
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: None)
    explorer = oe.optimizer_explorer(draw_now=True).explorer
    explorer.select(*oe.OPTIMIZERS)
    explorer.set(lr=0.01, steps=30)
    assert "lr=0.01 " in explorer.caption and "steps=30" in explorer.caption
    for name in oe.OPTIMIZERS:
        mine = oe.numpy_path(explorer.surface.value, name, explorer.settings())
        twin = oe.torch_path(explorer.surface.value, name, explorer.settings())
        assert oe.path_gap(mine, twin) < 1e-12, name
    explorer.set(surface="saddle")
    assert explorer.caption.startswith("surface=saddle")
