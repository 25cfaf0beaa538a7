"""The run-length explorer: the comparison's schedules, scaled to a run of any length.

Every schedule of ``lrcourse.experiments.RUNS`` is written relative to the run's length
(``RunLength(epochs, steps_per_epoch)``): a scaled-down run keeps the shape of the
100-epoch one, but not its pace per epoch or per update. ``run_length_explorer()`` returns
an explorer (end a cell with it to show it): a Dropdown picks a family of runs (the panels
of ``lrcourse.experiments.figures.PANELS``), sliders set ``epochs`` and ``steps_per_epoch``,
and the plot shows the lr of every update of each run of the family (log scale, against the
epoch). The caption names the length and each run's lr after one epoch and at the last
update::

    SGD, the article's schedules | epochs = 4 | steps_per_epoch = 21 | 84 updates
    time_based: 0.0488 after 1 epoch, 0.0323 at the end | step_decay: ...

Pure NumPy: nothing is trained, no framework is imported; under nbgrader
(``NBGRADER_EXECUTION`` set) it is built but nothing is drawn.
"""

from __future__ import annotations

import numpy as np

from .. import plots
from ..experiments.figures import PANELS
from ..experiments.runs import RUNS, RunLength
from .explorer import Explorer

DEFAULT_EPOCHS = 4  # the notebook's scaled-down run: 4 epochs of 21 updates (the digits)
DEFAULT_STEPS_PER_EPOCH = 21
MAX_POINTS = 4000  # updates drawn per curve (every k-th of a long run)


def lr_per_update(name: str, length: RunLength) -> np.ndarray:
    """The lr of every update of run ``name`` at ``length`` (the optimizer's own lr when
    the run has no schedule; the LR-finder run is drawn at SGD's 0.1)."""
    k = np.arange(length.total_steps)
    schedule = RUNS[name].schedule(length)
    if schedule is None:
        return np.full(k.size, float(RUNS[name].optimizer().lr))
    return np.asarray(schedule(k), dtype=float)


class RunLengthExplorer(Explorer):
    """``widget``, ``caption``, ``controls`` (``epochs``, ``steps_per_epoch``), ``family``."""

    def __init__(self, *, draw_now: bool = False):
        import ipywidgets as widgets

        super().__init__(draw_now=draw_now)
        style = {"description_width": "initial"}
        self.family = widgets.Dropdown(
            options=[title for title, _ in PANELS], description="runs", style=style,
            layout=widgets.Layout(width="320px"),
        )  # fmt: skip
        self.controls = {
            "epochs": widgets.IntSlider(
                value=DEFAULT_EPOCHS, min=1, max=100, description="epochs",
                continuous_update=False, style=style,
            ),
            "steps_per_epoch": widgets.IntSlider(
                value=DEFAULT_STEPS_PER_EPOCH, min=1, max=704, description="steps_per_epoch",
                continuous_update=False, style=style,
            ),
        }  # fmt: skip
        row = widgets.Layout(flex_flow="row wrap")
        self.widget = widgets.VBox(
            [widgets.HBox([self.family, *self.controls.values()], layout=row), self.output]
        )
        self.observe(self.family, *self.controls.values())
        self._ready()

    def length(self) -> RunLength:
        return RunLength(self.controls["epochs"].value, self.controls["steps_per_epoch"].value)

    def members(self) -> tuple[str, ...]:
        return dict(PANELS)[self.family.value]

    def describe(self) -> list[list[str]]:
        length = self.length()
        return [
            [
                self.family.value,
                f"epochs = {length.epochs}",
                f"steps_per_epoch = {length.steps_per_epoch}",
                f"{length.total_steps} updates",
            ]
        ]

    def figure(self):
        from matplotlib.figure import Figure

        length = self.length()
        fig = Figure(figsize=(7.5, 3.4), layout="constrained")
        ax = fig.add_subplot()
        stride = max(1, length.total_steps // MAX_POINTS)
        notes = []
        for i, name in enumerate(self.members()):
            lr = lr_per_update(name, length)
            k = np.arange(0, lr.size, stride)
            ax.plot(k / length.steps_per_epoch, lr[k], color=plots.PALETTE[i], label=name)
            first = lr[min(length.steps_per_epoch, lr.size - 1)]
            notes.append(f"{name}: {first:.3g} after 1 epoch, {lr[-1]:.3g} at the end")
        plots.style_lr_axis(ax, log=True)
        ax.set(xlabel="epoch", title=f"{self.family.value}: the lr of every update")
        ax.legend(frameon=False, fontsize=8, loc="lower left")
        return fig, [*self.describe(), notes]


def run_length_explorer(**kwargs) -> RunLengthExplorer:
    """The run-length explorer; end a cell with it to show it (see the module docstring)."""
    return RunLengthExplorer(**kwargs)


__all__ = ["RunLengthExplorer", "lr_per_update", "run_length_explorer"]
