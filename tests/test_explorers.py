"""What all explorers share (``lrcourse.widgets.explorer``, ``captions``) and the bowl
explorer of assignment 01 (``lrcourse.widgets.bowl_explorer``); the schedule explorer's own
tests are in ``test_schedule_explorer.py``."""

from __future__ import annotations

import html
import inspect
import io
import re

import numpy as np
import pytest

from lrcourse import quadratic_bowls
from lrcourse.widgets.captions import caption_markup, caption_text


# -- captions -------------------------------------------------------------------------------------
def test_a_caption_wraps_between_items_only():
    lines = [["1-D: L = 2 w²", "lr = 0.1", "200 steps"], ["final loss = 1e-12 (converging)"]]
    assert (
        caption_text(lines)
        == "1-D: L = 2 w² | lr = 0.1 | 200 steps\nfinal loss = 1e-12 (converging)"
    )
    markup = caption_markup(lines)
    items = re.findall(r'<span style="white-space: nowrap">(.*?)</span>', markup)
    assert [html.unescape(i) for i in items] == [*lines[0], *lines[1]]
    # between the unbreakable items only the separator, which holds the spaces to wrap at
    between = re.sub(r"<span[^>]*>.*?</span>", "#", markup)
    assert re.sub(r"<[^>]+>", "", between) == "# | # | ##"
    assert "<" not in caption_markup([["a < b"]]).split('nowrap">')[1].split("</span>")[0]


# -- the shared explorer behaviour ----------------------------------------------------------------
@pytest.fixture
def shown(monkeypatch):
    """Record what IPython displays (figures rendered to PNG, HTML kept as text)."""
    import matplotlib

    matplotlib.use("Agg")
    import IPython.display

    seen = []

    def record(obj, **kwargs):
        if hasattr(obj, "savefig"):
            obj.savefig(io.BytesIO(), format="png")
            seen.append("figure")
        elif hasattr(obj, "data"):
            seen.append(re.sub(r"<[^>]+>", " ", html.unescape(obj.data)))
        else:
            seen.append(obj)

    monkeypatch.setattr(IPython.display, "display", record)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    return seen


def test_an_explorer_shows_its_controls_before_the_first_draw(shown):
    from lrcourse.widgets.schedule_explorer import ScheduleExplorer

    explorer = ScheduleExplorer()
    assert explorer.caption == "" and not explorer.drawn  # nothing drawn when built
    events = []
    explorer.redraw = lambda change=None: events.append("redraw")
    explorer.loading_message = lambda: "loading PyTorch and Keras…"
    explorer._ipython_display_()
    assert shown[0] is explorer.widget
    assert "loading PyTorch and Keras…" in shown[1]
    assert events == ["redraw"]


def test_the_schedule_explorer_says_it_is_loading_only_while_frameworks_are_missing(monkeypatch):
    from lrcourse.widgets import schedule_explorer as module

    explorer = module.ScheduleExplorer()
    monkeypatch.setattr(module, "frameworks_loaded", lambda: False)
    assert "loading PyTorch and Keras" in explorer.loading_message()
    monkeypatch.setattr(module, "frameworks_loaded", lambda: True)
    assert explorer.loading_message() is None


def test_under_nbgrader_a_displayed_explorer_draws_nothing(shown, monkeypatch):
    from lrcourse.widgets.bowl_explorer import bowl_explorer

    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    explorer = bowl_explorer()
    explorer._ipython_display_()
    assert shown == [explorer.widget] and explorer.caption == ""


# -- the bowl explorer (01) -----------------------------------------------------------------------
def test_the_bowl_explorer_follows_its_controls(shown):
    from lrcourse.widgets.bowl_explorer import BowlExplorer

    explorer = BowlExplorer()
    explorer._ipython_display_()
    assert shown[1] == "figure" and "lr = 0.1" in shown[2]  # the plot, then its caption
    assert explorer.caption.startswith("1-D: L = 2 w² | lr = 0.1 | steps = 30 | bound 2/λmax = 0.5")
    assert "(converging)" in explorer.caption
    explorer.lr.value = 0.55
    assert "lr = 0.55" in explorer.caption and "(diverging)" in explorer.caption
    explorer.bowl.value = "2-D rotated: curvatures 1 and 10"
    assert "bound 2/λmax = 0.2" in explorer.caption and "lr / bound = 2.75" in explorer.caption
    explorer.steps.value = 50
    assert "steps = 50" in explorer.caption
    assert shown.count("figure") == 4


# -- the library behind 01 ------------------------------------------------------------------------
def test_descend_runs_the_worked_example():
    path = quadratic_bowls.descend(lambda w: quadratic_bowls.H_1D @ w, [1.0], 0.1, 3)
    np.testing.assert_allclose(path[:, 0], [1.0, 0.6, 0.36, 0.216])
    np.testing.assert_allclose(
        quadratic_bowls.quadratic_loss(path[:2], quadratic_bowls.H_1D), [2.0, 0.72]
    )


def test_the_rotated_bowl_has_the_curvatures_of_the_axis_aligned_one():
    np.testing.assert_allclose(np.linalg.eigvalsh(quadratic_bowls.H_ROTATED), [1.0, 10.0])


def test_the_diabetes_problem_is_the_standardised_regression():
    problem = quadratic_bowls.LeastSquares.diabetes()
    assert problem.X.shape == (442, 11) and np.all(problem.X[:, -1] == 1)
    np.testing.assert_allclose(problem.X[:, :-1].mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(problem.y.std(), 1)
    w = np.linalg.lstsq(problem.X, problem.y, rcond=None)[0]
    np.testing.assert_allclose(problem.grad(w), 0, atol=1e-12)
    assert problem.best_loss() == pytest.approx(0.2411, abs=1e-4)
    assert 2 / np.linalg.eigvalsh(problem.hessian).max() == pytest.approx(0.497, abs=1e-3)
    from sklearn.datasets import load_diabetes

    X_raw, y_raw = load_diabetes(return_X_y=True)  # the scaled variant: same after standardising
    np.testing.assert_allclose(problem.X[:, :-1], (X_raw - X_raw.mean(0)) / X_raw.std(0), atol=1e-9)


# -- torch_lrs (02) -------------------------------------------------------------------------------
def test_torch_lrs_runs_the_worked_example():
    torch = pytest.importorskip("torch")
    from lrcourse.schedules.in_torch import torch_lrs

    def step_lr(opt):
        return torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)

    np.testing.assert_allclose(torch_lrs(step_lr, 5), [0.1, 0.1, 0.05, 0.05, 0.025])
    per_epoch = torch_lrs(step_lr, 10, updates_per_step=2)  # 2 updates make an epoch
    np.testing.assert_allclose(per_epoch[::2], [0.1, 0.1, 0.05, 0.05, 0.025])
    assert list(inspect.signature(torch_lrs).parameters) == [
        "make_scheduler",
        "updates",
        "updates_per_step",
        "lr",
    ]
