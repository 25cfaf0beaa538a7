"""One plotting style for the whole course.

Every figure in the course goes through these helpers so that learning-rate axes are
log-scaled where it helps, axes carry labels with units, and a run keeps its colour from
one figure to the next. matplotlib is imported on first use, never at ``import lrcourse``.
"""

from __future__ import annotations

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


def plot_lr_curve(steps, lrs, *, ax=None, label=None, log=False, xlabel="step", title=None):
    """Draw a learning rate against steps (or epochs): the picture of every schedule."""
    ax = get_ax(ax)
    name = label or "lr"
    ax.plot(steps, lrs, label=label, color=color_for(name), linewidth=1.8)
    ax.set_xlabel(xlabel)
    style_lr_axis(ax, axis="y", log=log)
    if title:
        ax.set_title(title)
    if label:
        ax.legend(loc="best", frameon=False)
    return ax
