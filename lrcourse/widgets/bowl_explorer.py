"""The bowl explorer of assignment 01: gradient descent on a quadratic bowl, live.

``bowl_explorer()`` returns an explorer (end a cell with it to show it): a Dropdown picks
one of ``quadratic_bowls.BOWLS``, sliders set the learning rate (log scale) and the number
of steps, and the plot shows the loss curve and the path of the weights (for a 2-D bowl on
its contour lines). The caption under the plot prints the values and the verdict::

    1-D: L = 2 w² | lr = 0.1 | steps = 30 | bound 2/λmax = 0.5 | lr / bound = 0.20 |
    final loss = 1.3e-12 (converging)

NumPy and matplotlib only; one redraw takes a few hundredths of a second.
"""

from __future__ import annotations

import numpy as np

from .. import plots
from ..quadratic_bowls import BOWLS, descend, draw_bowl, quadratic_loss
from .explorer import Explorer


def draw_run(bowl: str, lr: float, steps: int):
    """Figure (loss curve + trajectory) and caption lines for one run on ``BOWLS[bowl]``."""
    import matplotlib.pyplot as plt

    hessian, w0 = BOWLS[bowl]
    path = descend(lambda w: hessian @ w, w0, lr, steps)
    losses = quadratic_loss(path, hessian)
    bound = 2 / np.linalg.eigvalsh(hessian).max()
    # fixed margins instead of a layout engine: the explorer redraws faster
    fig, (ax_loss, ax_path) = plt.subplots(1, 2, figsize=(10, 3.4))
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.15, top=0.9, wspace=0.3)
    ax_loss.semilogy(losses, marker=".", color=plots.color_for("loss"))
    ax_loss.set(xlabel="step", ylabel="loss (log scale)", title=bowl)
    if len(w0) == 1:
        ax_path.plot(path[:, 0], marker=".", color=plots.color_for("w"))
        ax_path.axhline(0, color="black", linewidth=0.8)
        ax_path.set(xlabel="step", ylabel="w", ylim=(-3, 3))
    else:
        draw_bowl(ax_path, hessian)
        ax_path.plot(
            path[:, 0], path[:, 1], marker=".", markersize=4, color=plots.color_for("path")
        )
    state = "diverging" if not losses[-1] <= losses[0] else "converging"
    lines = [
        [bowl, f"lr = {lr:.3g}", f"steps = {steps}", f"bound 2/λmax = {bound:.3g}"],
        [f"lr / bound = {lr / bound:.2f}", f"final loss = {losses[-1]:.3g} ({state})"],
    ]
    return fig, lines


class BowlExplorer(Explorer):
    """``bowl`` (Dropdown), ``lr`` and ``steps`` (sliders), ``widget``, ``caption``."""

    def __init__(self, *, draw_now: bool = False, lr: float = 0.1, steps: int = 30):
        import ipywidgets as widgets

        super().__init__(draw_now=draw_now)
        self.bowl = widgets.Dropdown(
            options=list(BOWLS), description="bowl", layout=widgets.Layout(width="330px")
        )
        self.lr = widgets.FloatLogSlider(
            value=lr,
            base=10,
            min=-3,
            max=0,
            step=0.02,
            description="lr",
            readout_format=".3g",
            continuous_update=False,
        )
        self.steps = widgets.IntSlider(
            value=steps, min=5, max=100, step=5, description="steps", continuous_update=False
        )
        controls = widgets.HBox([self.bowl, self.lr, self.steps])
        self.widget = widgets.VBox([controls, self.output])
        self.observe(self.bowl, self.lr, self.steps)
        self._ready()

    def figure(self):
        return draw_run(self.bowl.value, self.lr.value, self.steps.value)


def bowl_explorer(**kwargs) -> BowlExplorer:
    """The bowl explorer; end a cell with it to show it (see the module docstring)."""
    return BowlExplorer(**kwargs)
