"""The WSD explorer of assignment 08: Warmup-Stable-Decay, its branches, and a cosine.

``wsd_explorer()`` returns an explorer (end a cell with it to show it): sliders set the
arguments of the assignment's ``wsd_lr(step, peak_lr, warmup_steps, stable_steps,
decay_steps, decay_type, min_lr_ratio)`` and a Dropdown the decay's shape. The plot shows
the schedule (``lrcourse.schedules.WarmupStableDecay``, Hugging Face's ``get_wsd_schedule``),
the decays one would branch off the stable phase at a half and at three quarters of it
(dashed: shorter runs that share every step before their decay), and a cosine decay over
the same total length (dotted), which must be planned for that length from its first step.
The caption prints the values, the lr where the run ends and the sum of the lr over the run
(the distance a constant gradient would move the weights) for WSD and for the cosine::

    peak_lr = 0.01 | warmup_steps = 50 | stable_steps = 750 | decay_steps = 200 |
    decay_type = 1-sqrt | min_lr_ratio = 0.00 | total = 1000 steps | ...

NumPy and matplotlib only; one redraw takes a few hundredths of a second.
"""

from __future__ import annotations

import numpy as np

from .. import plots, schedules
from ..schedules.warmup import WSD_SHAPES
from .explorer import Explorer


def draw_wsd(peak_lr, warmup_steps, stable_steps, decay_steps, decay_type, min_lr_ratio):
    """Figure and caption lines for one WSD schedule, two of its branches and a cosine."""
    import matplotlib.pyplot as plt

    total = warmup_steps + stable_steps + decay_steps
    steps = np.arange(int(1.05 * total) + 1)
    options = {"decay_type": decay_type, "min_lr_ratio": min_lr_ratio}
    wsd = schedules.WarmupStableDecay(peak_lr, warmup_steps, stable_steps, decay_steps, **options)
    cosine = schedules.CosineDecay(peak_lr, total)
    fig, ax = plt.subplots(figsize=(9, 3.4))
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.15, top=0.9)
    for share in (0.5, 0.75):  # decays branched off a checkpoint inside the stable phase
        stable = int(share * stable_steps)
        branch = schedules.WarmupStableDecay(peak_lr, warmup_steps, stable, decay_steps, **options)
        end = warmup_steps + stable + decay_steps
        ax.plot(steps[:end], branch(steps[:end]), ls="--", lw=1, color=plots.color_for("branch"))
    ax.plot(steps, cosine(steps), ls=":", color=plots.color_for("cosine"), label="cosine")
    ax.plot(steps, wsd(steps), color=plots.color_for("WSD"), label="WSD (dashed: branches)")
    plots.style_lr_axis(ax)
    ax.set(xlabel="step", title=f"Warmup-Stable-Decay, {decay_type} decay")
    ax.legend(frameon=False, fontsize=8)
    run = steps[:total]
    lines = [
        [
            f"peak_lr = {peak_lr:.3g}",
            f"warmup_steps = {warmup_steps}",
            f"stable_steps = {stable_steps}",
            f"decay_steps = {decay_steps}",
        ],
        [
            f"decay_type = {decay_type}",
            f"min_lr_ratio = {min_lr_ratio:.2f}",
            f"total = {total} steps",
            f"last lr = {float(wsd(total - 1)):.3g}",
        ],
        [
            f"sum of lr: WSD {float(np.sum(wsd(run))):.4g}",
            f"cosine {float(np.sum(cosine(run))):.4g}",
        ],
    ]
    return fig, lines


class WSDExplorer(Explorer):
    """Sliders ``peak_lr``, ``warmup_steps``, ``stable_steps``, ``decay_steps``,
    ``min_lr_ratio``, Dropdown ``decay_type``; ``widget``, ``caption``."""

    def __init__(self, *, draw_now: bool = False):
        import ipywidgets as widgets

        super().__init__(draw_now=draw_now)
        style = {"continuous_update": False}
        self.peak_lr = widgets.FloatLogSlider(
            value=0.01, base=10, min=-4, max=0, step=0.1, description="peak_lr",
            readout_format=".3g", **style,
        )  # fmt: skip
        self.warmup_steps = widgets.IntSlider(
            value=50, min=1, max=300, step=10, description="warmup_steps", **style
        )
        self.stable_steps = widgets.IntSlider(
            value=750, min=0, max=3000, step=50, description="stable_steps", **style
        )
        self.decay_steps = widgets.IntSlider(
            value=200, min=10, max=1000, step=10, description="decay_steps", **style
        )
        self.min_lr_ratio = widgets.FloatSlider(
            value=0.0, min=0.0, max=0.5, step=0.05, description="min_lr_ratio",
            readout_format=".2f", **style,
        )  # fmt: skip
        self.decay_type = widgets.Dropdown(
            options=list(WSD_SHAPES), value="1-sqrt", description="decay_type"
        )
        wide = {"style": {"description_width": "100px"}, "layout": widgets.Layout(width="360px")}
        controls = [
            self.peak_lr, self.warmup_steps, self.stable_steps, self.decay_steps,
            self.min_lr_ratio, self.decay_type,
        ]  # fmt: skip
        for control in controls:
            control.style, control.layout = wide["style"], wide["layout"]
        box = widgets.VBox([widgets.HBox(controls[i : i + 3]) for i in (0, 3)])
        self.widget = widgets.VBox([box, self.output])
        self.observe(*controls)
        self._ready()

    def figure(self):
        return draw_wsd(
            self.peak_lr.value,
            self.warmup_steps.value,
            self.stable_steps.value,
            self.decay_steps.value,
            self.decay_type.value,
            self.min_lr_ratio.value,
        )


def wsd_explorer(**kwargs) -> WSDExplorer:
    """The WSD explorer; end a cell with it to show it (see the module docstring)."""
    return WSDExplorer(**kwargs)
