"""One plotting style for the whole course.

Every figure in the course goes through these helpers so that learning-rate axes are
log-scaled where it helps, axes carry labels with units, and a run keeps its colour from
one figure to the next. matplotlib is imported on first use, never at ``import lrcourse``.
"""

from __future__ import annotations

import warnings
import zlib

# Tableau-10: distinguishable, colour-blind friendly, matplotlib's default cycle.
PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)


def color_for(name: str) -> str:
    """A stable colour for a run or schedule name (the same in every figure and session)."""
    return PALETTE[zlib.crc32(str(name).encode()) % len(PALETTE)]


def get_ax(ax=None, *, figsize=(6.4, 3.6)):
    """Return ``ax`` or a fresh Axes on a new figure."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def style_lr_axis(ax, *, axis: str = "y", log: bool = False, label: str = "learning rate"):
    """Label a learning-rate axis (optionally log-scaled)."""
    set_label = ax.set_ylabel if axis == "y" else ax.set_xlabel
    set_scale = ax.set_yscale if axis == "y" else ax.set_xscale
    set_label(label + (" (log scale)" if log else ""))
    if log:
        set_scale("log")
    ax.grid(True, which="major", alpha=0.3)
    return ax


def plot_lr_curve(
    steps, lrs, *, ax=None, label=None, log=False, xlabel="step", title=None, color=None,
    legend=True,
):  # fmt: skip
    """Draw a learning rate against steps (or epochs): the picture of every schedule.

    ``color``: default the label's stable colour; ``legend=False`` leaves the legend to
    the caller (e.g. outside a grid of panels)."""
    ax = get_ax(ax)
    name = label or "lr"
    ax.plot(steps, lrs, label=label, color=color or color_for(name), linewidth=1.8)
    ax.set_xlabel(xlabel)
    style_lr_axis(ax, axis="y", log=log)
    if title:
        ax.set_title(title)
    if label and legend:
        ax.legend(loc="best", frameon=False)
    return ax


# -- training histories (``lrcourse.train.History``: per-step lr/loss, per-epoch metrics) -----
def plot_step_lr(history, *, ax=None, label=None, log=True, color=None, legend=True):
    """The learning rate every update of a run used (from ``history.step_lr``)."""
    steps = range(len(history.step_lr))
    return plot_lr_curve(
        steps, history.step_lr, ax=ax, label=label or history.run, log=log, color=color,
        legend=legend,
    )  # fmt: skip


def plot_epoch_metric(
    histories, column, *, ax=None, label=None, linestyle="-", band=True, color=None,
    linewidth=1.6,
):  # fmt: skip
    """One metric per epoch (``"val_accuracy"``, ``"train_loss"``...) for a run repeated
    over seeds: the mean, with the min-max spread shaded. ``histories``: one History or a
    list of them (runs that stopped early contribute to the epochs they reached). The colour
    is ``color`` or the run's (``color_for(history.run)``); a ``label`` starting with "_"
    stays out of the legend. Epoch ticks are whole numbers."""
    import numpy as np
    from matplotlib.ticker import MaxNLocator

    if not isinstance(histories, (list, tuple)):
        histories = [histories]
    ax = get_ax(ax)
    name = histories[0].run or label or column
    longest = max((len(h.epochs[column]) for h in histories), default=0)
    if longest == 0:
        return ax
    table = np.full((len(histories), longest), np.nan)
    for i, h in enumerate(histories):
        table[i, : len(h.epochs[column])] = h.epochs[column]
    epochs = np.arange(1, longest + 1)
    color = color or color_for(name)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an epoch no seed reached: NaN
        mean = np.nanmean(table, axis=0)
        ax.plot(epochs, mean, linestyle, color=color, label=label or name, linewidth=linewidth)
        if band and len(histories) > 1:
            ax.fill_between(
                epochs, np.nanmin(table, axis=0), np.nanmax(table, axis=0), color=color, alpha=0.15
            )
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(column.replace("_", " "))
    ax.grid(True, alpha=0.3)
    return ax


def plot_run_bars(
    names, means, spreads=None, *, ax=None, ylabel="", title=None, colors=None,
    horizontal=False, positions=None,
):  # fmt: skip
    """One bar per run (its colour, or ``colors``), with error bars for the spread over
    seeds (a NaN spread -- one seed -- draws none). ``horizontal``: names down the side,
    readable for many runs; the first run on top. ``positions``: where the bars go (default
    0, 1, 2...; leave gaps to group them)."""
    import numpy as np

    ax = get_ax(ax)
    positions = np.arange(len(names)) if positions is None else np.asarray(positions, float)
    colors = colors or [color_for(n) for n in names]
    if horizontal:
        ax.barh(positions, means, xerr=spreads, color=colors, capsize=3, edgecolor="none")
        ax.set_yticks(list(positions), names)
        ax.invert_yaxis()
        ax.set_xlabel(ylabel)
        ax.grid(True, axis="x", alpha=0.3)
    else:
        ax.bar(positions, means, yerr=spreads, color=colors, capsize=3, edgecolor="none")
        ax.set_xticks(list(positions), names, rotation=45, ha="right")
        ax.set_ylabel(ylabel)
        ax.grid(True, axis="y", alpha=0.3)
    if title:
        ax.set_title(title)
    return ax
