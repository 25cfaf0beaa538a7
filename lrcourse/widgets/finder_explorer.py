"""The LR-finder explorer of assignment 05: a range test's curve, its smoothing and suggestions.

``finder_explorer()`` returns an explorer (end a cell with it to show it). A Dropdown picks a
recorded range test (``lrcourse.lr_finder.recorded``: the article's CNN on the digits, with a
fast and slower ramps and a noisier batch size); sliders set the smoothing ``smooth`` (fastai's
bias-corrected average, 0 = none), ``skip_start`` and ``skip_end`` (the batches the suggestions
leave out). The left panel shows the raw and smoothed loss against the lr (log axis), the
skipped batches greyed, where the stop rule (4 x the best smoothed loss) ends the test, and the
three suggestions: ``steepest`` (torch-lr-finder), ``valley`` (fastai's default) and
``minimum`` (a tenth of the lr at the lowest loss). The right panel shows the lr each batch
used, so a fast and a slow ramp can be told apart. The caption prints the values::

    fast ramp: 100 batches of 64 | smooth = 0.98 | skip_start = 10 | skip_end = 5
    ran all 100 batches (never above 4 x the best smoothed loss)
    steepest: 6.31e-01 | valley: 1.20e-01 | minimum/10: 1.32e-01

The button runs a range test now, on the notebook's model (``live_range_test``: the
article's CNN on the digits, a second or two on a CPU once torch is loaded), adds it to the
Dropdown and shows it; the caption then also says whether the model was restored. The live
run happens only on a press, never while the notebook is graded (``NBGRADER_EXECUTION``),
where nothing is drawn either. NumPy and matplotlib for the replays; torch only for the live
run, imported then.
"""

from __future__ import annotations

import numpy as np

from .. import plots
from ..lr_finder.recorded import RECORDINGS, Recording
from .captions import caption_html, caption_text
from .explorer import Explorer, grading

SUGGESTIONS = ("steepest", "valley", "minimum")
# one colour each, fixed (a hash of the name can give two rules the same)
COLORS = dict(zip(SUGGESTIONS, plots.PALETTE[1:4], strict=True)) | {"smoothed": plots.PALETTE[0]}
LIVE_START_LR, LIVE_END_LR = 1e-7, 10.0


def suggestion_items(result, skip_start: int, skip_end: int) -> tuple[dict, list[str]]:
    """``({method: (index, lr)}, caption items)``; a method that cannot suggest says why."""
    found, items = {}, []
    for method in SUGGESTIONS:
        label = "minimum/10" if method == "minimum" else method
        try:
            index = result.suggestion_index(method, skip_start=skip_start, skip_end=skip_end)
            lr = result.suggest(method, skip_start=skip_start, skip_end=skip_end)
        except ValueError:
            first, stop = result.window(skip_start, skip_end)
            items.append(f"{label}: none ({stop - first} points left after the skips)")
            continue
        found[method] = (index, lr)
        items.append(f"{label}: {lr:.2e}")
    return found, items


def stop_text(result) -> str:
    if result.stop_reason is None:
        return f"ran all {len(result)} batches (never above 4 x the best smoothed loss)"
    return f"stopped after {len(result)} of {result.num_iter} batches: {result.stop_reason}"


def draw_replay(recording: Recording, smooth: float, skip_start: int, skip_end: int):
    """Figure and caption lines for ``recording`` replayed with these settings."""
    import matplotlib.pyplot as plt

    result = recording.replay(smooth=smooth)
    found, items = suggestion_items(result, skip_start, skip_end)
    fig, (ax_loss, ax_lr) = plt.subplots(
        1, 2, figsize=(12, 3.8), gridspec_kw={"width_ratios": [1.6, 1]}
    )
    fig.subplots_adjust(left=0.06, right=0.98, bottom=0.14, top=0.9, wspace=0.22)
    every_lr = recording.lrs()
    ax_loss.plot(every_lr, recording.losses, color="0.75", linewidth=0.8, label="raw loss")
    ax_loss.plot(result.lrs, result.smoothed, color=COLORS["smoothed"], label="smoothed")
    first, stop = (min(i, len(result)) for i in result.window(skip_start, skip_end))
    for low, high in ((0, first), (stop, len(result))):
        if high > low:
            ax_loss.axvspan(result.lrs[low], result.lrs[high - 1], color="0.9", zorder=0)
    if result.stopped_early:
        ax_loss.axvline(result.lrs[-1], color="black", linewidth=1, label="the test stops")
    for method, (index, lr) in found.items():
        color = COLORS[method]
        label = "minimum/10" if method == "minimum" else method
        ax_loss.axvline(lr, color=color, linestyle="--", linewidth=1.2, label=label)
        ax_loss.plot(result.lrs[index], result.smoothed[index], "o", color=color)
    finite = result.smoothed[np.isfinite(result.smoothed)]
    if finite.size:  # as LRFinderResult.plot: the blow-up must not squash the valley
        low, high = float(finite.min()), float(finite[0])
        span = max(high - low, 1e-3)
        ax_loss.set_ylim(low - 0.1 * span, high + 0.6 * span)
    plots.style_lr_axis(ax_loss, axis="x", log=True)
    _plain_decades(ax_loss.xaxis)
    ax_loss.set(ylabel="loss", title=f"{recording.name}: loss against lr (grey: skipped)")
    ax_loss.legend(loc="lower left", frameon=False, fontsize=8)

    batches = np.arange(len(every_lr))
    ax_lr.plot(batches, every_lr, color="0.75", label="the grid")
    ax_lr.plot(batches[: len(result)], result.lrs, color=COLORS["smoothed"], label="tried")
    plots.style_lr_axis(ax_lr, log=True)
    _plain_decades(ax_lr.yaxis)
    ax_lr.set(xlabel="batch", title="the lr of each batch")
    ax_lr.legend(loc="upper left", frameon=False, fontsize=8)
    lines = [
        [
            f"{recording.name}: {recording.description}",
            f"smooth = {smooth:.2f}",
            f"skip_start = {skip_start}",
            f"skip_end = {skip_end}",
        ],
        [stop_text(result)],
        items,
    ]
    return fig, lines


def _plain_decades(axis) -> None:
    """One tick per decade, labelled 1e-07 ... 1e+01 without mathtext and without minor
    ticks: the log axes' default labels take most of a redraw's time."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

    axis.set_major_locator(LogLocator(numticks=12))
    axis.set_minor_locator(NullLocator())
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:.0e}"))


def live_range_test(num_iter: int = 100, *, seed: int = 0) -> tuple[Recording, float]:
    """A range test run now on the notebook's model: the article's CNN on the digits, SGD
    with momentum 0.8, batch 64, fastai's grid from 1e-7 to 10, raw losses (``stop_div=False``;
    a non-finite loss still stops it). Returns the recording and the largest change of any
    weight after the test (0.0: the model was restored). Imports torch."""
    import torch

    from .. import optim
    from ..data import load_digits
    from ..models import model_spec
    from ..train import TrainConfig, torch_trainer

    dataset = load_digits()
    spec = model_spec("article_cnn", dataset.image_shape, dataset.num_classes)
    config = TrainConfig(
        optimizer=optim.SGD(lr=0.1, momentum=0.8), seed=seed, progress=False, cpu_threads=1
    )
    model = torch_trainer.build_model(spec, seed, "cpu")
    before = [p.detach().clone() for p in model.parameters()]
    result = torch_trainer.find_lr(
        model,
        dataset,
        config.with_(device="cpu"),
        start_lr=LIVE_START_LR,
        end_lr=LIVE_END_LR,
        num_iter=num_iter,
        smooth=0.0,
        stop_div=False,
    )
    with torch.no_grad():
        after = list(model.parameters())
        moved = max(float((p - b).abs().max()) for p, b in zip(after, before, strict=True))
    recording = Recording(
        f"live {num_iter}",
        f"your run now, {num_iter} batches of 64",
        LIVE_START_LR,
        LIVE_END_LR,
        num_iter,
        64,
        tuple(float(loss) for loss in result.losses),
    )
    return recording, moved


class FinderExplorer(Explorer):
    """``curve`` (Dropdown), ``smooth``, ``skip_start``, ``skip_end`` (sliders), ``run``
    (the live run's Button) with ``live_batches``; ``widget``, ``caption``, ``recordings``."""

    def __init__(self, *, draw_now: bool = False, live_run=live_range_test):
        import ipywidgets as widgets

        super().__init__(draw_now=draw_now)
        self.recordings = dict(RECORDINGS)
        self.live_run = live_run
        self.restored: dict[str, float] = {}
        self.curve = widgets.Dropdown(
            options=list(self.recordings),
            description="curve",
            layout=widgets.Layout(width="260px"),
        )
        self.smooth = widgets.FloatSlider(
            value=0.98,
            min=0.0,
            max=0.99,
            step=0.01,
            description="smooth",
            readout_format=".2f",
            continuous_update=False,
        )
        self.skip_start = widgets.IntSlider(
            value=10, min=0, max=200, description="skip_start", continuous_update=False
        )
        self.skip_end = widgets.IntSlider(
            value=5, min=0, max=100, description="skip_end", continuous_update=False
        )
        self.run = widgets.Button(
            description="run a range test now",
            tooltip="a range test of the article's CNN on the digits (a few seconds)",
            disabled=grading(),
            layout=widgets.Layout(width="220px"),
        )
        self.live_batches = widgets.IntSlider(
            value=100, min=50, max=800, step=50, description="batches", continuous_update=False
        )
        self.run.on_click(self.run_live)
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.curve, self.smooth]),
                widgets.HBox([self.skip_start, self.skip_end]),
                widgets.HBox([self.run, self.live_batches]),
                self.output,
            ]
        )
        self.observe(self.curve, self.smooth, self.skip_start, self.skip_end)
        self._ready()

    def figure(self):
        recording = self.recordings[self.curve.value]
        fig, lines = draw_replay(
            recording, self.smooth.value, self.skip_start.value, self.skip_end.value
        )
        if recording.name in self.restored:
            moved = self.restored[recording.name]
            state = "restored" if moved == 0.0 else "NOT restored"
            lines.append([f"the model after the test: {state} (largest change {moved:.1e})"])
        return fig, lines

    def _ipython_display_(self) -> None:
        """The controls, then the first picture written straight into the Output's
        ``outputs``: captured with ``with self.output:`` inside IPython's display hook (a cell
        ending with the explorer), it leaves nbclient waiting for its timeout after the cell.
        Later redraws (the controls' callbacks) go through ``redraw``."""
        from IPython.display import display

        display(self.widget)
        if self.drawn or grading():
            return
        self.output.outputs = tuple(_display_outputs(self._first_picture()))
        self.drawn = True

    def _first_picture(self):
        import matplotlib.pyplot as plt

        try:
            fig, lines = self.figure()
        except ValueError as error:  # as in Explorer.redraw
            fig, lines = None, [*self.describe(), [str(error)]]
        else:
            plt.close(fig)
        self.caption = caption_text(lines)
        return [fig, caption_html(lines)] if fig else [caption_html(lines)]

    def run_live(self, button=None) -> None:
        """Run ``live_run`` now and show its curve (never while grading)."""
        if grading():
            return
        from IPython.display import display

        self.run.disabled = True
        with self.output:
            display(caption_html([[f"running a range test of {self.live_batches.value} batches"]]))
        try:
            recording, moved = self.live_run(self.live_batches.value)
        finally:
            self.run.disabled = False
        self.recordings[recording.name] = recording
        self.restored[recording.name] = moved
        self.curve.options = list(self.recordings)
        if self.curve.value == recording.name:
            self.redraw()
        else:
            self.curve.value = recording.name  # redraws


def _display_outputs(objects):
    """``objects`` as the output dicts of an ``Output`` widget (what ``display`` would send)."""
    from IPython.core.formatters import format_display_data

    for obj in objects:
        data, metadata = format_display_data(obj)
        yield {"output_type": "display_data", "data": data, "metadata": metadata}


def finder_explorer(**kwargs) -> FinderExplorer:
    """The LR-finder explorer; end a cell with it to show it (see the module docstring)."""
    return FinderExplorer(**kwargs)
