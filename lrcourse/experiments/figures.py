"""The comparison's figures, drawn with ``lrcourse.plots`` and saved as PNG files.

Thirteen runs on one axes are unreadable (ten colours at most, curves on top of each
other, the legend over the data), so every figure is small multiples: one panel per
*family* of runs (``PANELS``: SGD with the article's schedules, the adaptive optimizers,
SGD with the newer schedules), at most five runs a panel, each with its own distinct
colour. The ``constant`` run (the article's baseline) is repeated in every other panel as
a thin grey dashed line, so each family is read against the same reference. Legends sit
outside the data (right of each row), epoch axes have integer ticks, learning-rate axes
are log-scaled.

Figures are built on ``matplotlib.figure.Figure`` directly (no pyplot), so saving them
works the same in a terminal, a notebook or a headless CI job, and leaves no open windows.
"""

from __future__ import annotations

from pathlib import Path

from .. import plots

FIGURES = ("lr_per_step", "loss_per_epoch", "accuracy_per_epoch", "comparison")

PANELS = (
    ("SGD, the article's schedules", ("constant", "time_based", "step_decay", "exp_decay")),
    ("adaptive optimizers", ("adagrad", "adadelta", "rmsprop", "adam")),
    ("SGD, newer schedules", ("cosine", "cyclic", "one_cycle", "warmup_cosine", "lr_finder")),
)
BASELINE = "constant"
BASELINE_STYLE = dict(color="0.45", linestyle="--", linewidth=1.0)


def panels(names) -> list[tuple[str, list[str]]]:
    """``[(title, run names)]`` for the runs present, in ``PANELS`` order; runs of no known
    family go to an "other runs" panel (five a panel at most)."""
    names = list(names)
    known = {n for _, members in PANELS for n in members}
    chosen = [(title, [n for n in members if n in names]) for title, members in PANELS]
    others = [n for n in names if n not in known]
    chosen += [("other runs", others[i : i + 5]) for i in range(0, len(others), 5)]
    return [(title, members) for title, members in chosen if members]


def colors(groups) -> dict[str, str]:
    """A distinct colour for each run within its panel (the same one in every figure)."""
    return {name: plots.PALETTE[i] for _, members in groups for i, name in enumerate(members)}


def _legend_outside(ax):
    """The legend right of the axes, clear of the data."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(
            handles,
            labels,
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
            fontsize="small",
            frameon=False,
            borderaxespad=0.0,
        )


def _integer_epochs(ax):
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def draw_lr(ax, by_run, members, color):
    """The learning rate of every update (seed 0) of the panel's runs."""
    if BASELINE in by_run and BASELINE not in members and by_run[BASELINE][0].step_lr:
        h = by_run[BASELINE][0]
        ax.plot(range(len(h.step_lr)), h.step_lr, label=f"{BASELINE} (baseline)", **BASELINE_STYLE)
    for name in members:
        history = by_run[name][0]
        if history.step_lr:
            plots.plot_step_lr(history, ax=ax, label=name, color=color[name], legend=False)
    ax.set_yscale("log")
    ax.set_xlabel("update (seed 0)")


def draw_metric(ax, by_run, members, color, column, *, train_column=None):
    """A per-epoch metric of the panel's runs: mean over seeds, min-max band."""
    if BASELINE in by_run and BASELINE not in members:
        plots.plot_epoch_metric(
            by_run[BASELINE], column, ax=ax, label=f"{BASELINE} (baseline)", band=False,
            linestyle="--", color=BASELINE_STYLE["color"], linewidth=1.0,
        )  # fmt: skip
    for name in members:
        plots.plot_epoch_metric(by_run[name], column, ax=ax, label=name, color=color[name])
        if train_column:  # same colour, dotted, no legend entry
            plots.plot_epoch_metric(
                by_run[name], train_column, ax=ax, label="_train", linestyle=":",
                band=False, color=color[name],
            )  # fmt: skip
    if train_column:
        ax.set_ylabel(column.removeprefix("val_").replace("_", " "))
    _integer_epochs(ax)


FAMILY_COLORS = ("#4c72b0", "#dd8452", "#55a868", "#8172b3", "#937860")


def draw_bars(ax, rows, groups):
    """Final validation accuracy of every run: one horizontal bar each, in panel order,
    one colour per family, a gap between families (legend outside, right)."""
    from matplotlib.patches import Patch

    by_name = {r["run"]: r for r in rows}
    names, positions, colors, handles = [], [], [], []
    position = 0.0
    for family, (title, members) in enumerate(groups):
        color = FAMILY_COLORS[family % len(FAMILY_COLORS)]
        handles.append(Patch(color=color, label=title))
        for name in members:
            if name in by_name:
                names.append(name)
                positions.append(position)
                colors.append(color)
                position += 1.0
        position += 0.6  # the gap between families
    plots.plot_run_bars(
        names,
        [by_name[n]["final_val_accuracy_mean"] for n in names],
        [by_name[n]["final_val_accuracy_std"] for n in names],
        ax=ax,
        ylabel="final val accuracy",
        title="final validation accuracy (mean over seeds; whisker: std)",
        colors=colors,
        horizontal=True,
        positions=positions,
    )
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False,
              fontsize="small", borderaxespad=0.0)  # fmt: skip


COLUMNS = {
    "lr": ("learning rate", lambda ax, by_run, m, c: draw_lr(ax, by_run, m, c)),
    "val_loss": (
        "validation loss",
        lambda ax, by_run, m, c: draw_metric(ax, by_run, m, c, "val_loss"),
    ),
    "loss": (
        "loss (solid val, dotted train)",
        lambda ax, by_run, m, c: draw_metric(
            ax, by_run, m, c, "val_loss", train_column="train_loss"
        ),
    ),
    "val_accuracy": (
        "validation accuracy",
        lambda ax, by_run, m, c: draw_metric(ax, by_run, m, c, "val_accuracy"),
    ),
}


def _grid(by_run, groups, color, columns, *, size_per_panel=(4.2, 2.9), bars_rows=None):
    """One row per family, one column per quantity; the legend right of each row."""
    from matplotlib.figure import Figure

    width = size_per_panel[0] * len(columns) + 1.8
    height = size_per_panel[1] * len(groups)
    bars_height = 0.0 if bars_rows is None else 0.3 * len(bars_rows) + 0.2 * len(groups) + 1.2
    fig = Figure(figsize=(width, height + bars_height), layout="constrained")
    ratios = [size_per_panel[1]] * len(groups) + ([bars_height] if bars_rows else [])
    grid = fig.add_gridspec(len(ratios), len(columns), height_ratios=ratios)
    for row, (title, members) in enumerate(groups):
        for col, key in enumerate(columns):
            heading, draw = COLUMNS[key]
            ax = fig.add_subplot(grid[row, col])
            draw(ax, by_run, members, color)
            ax.set_title(f"{title}: {heading}" if col == 0 else heading, fontsize="medium")
            if row < len(groups) - 1 and key != "lr":
                ax.set_xlabel("")
            if col == len(columns) - 1:
                _legend_outside(ax)
    if bars_rows:
        draw_bars(fig.add_subplot(grid[len(groups), :]), bars_rows, groups)
    return fig


def save_figures(by_run: dict, rows: list[dict], folder: Path) -> list[Path]:
    """Write the four figures into ``folder``; return their paths.

    ``by_run``: run name -> list of Histories (one per seed); ``rows``: the results table.
    """
    folder = Path(folder)
    groups = panels(by_run)
    color = colors(groups)
    figures = {
        "lr_per_step": _grid(by_run, groups, color, ["lr"]),
        "loss_per_epoch": _grid(by_run, groups, color, ["loss", "val_accuracy"]),
        "accuracy_per_epoch": _grid(by_run, groups, color, ["val_accuracy"]),
        "comparison": _grid(
            by_run, groups, color, ["lr", "val_loss", "val_accuracy"], bars_rows=rows
        ),
    }
    figures["comparison"].suptitle("all runs compared (mean over seeds, min-max band)")
    return [_save(fig, folder / f"{name}.png") for name, fig in figures.items()]


def _save(fig, path: Path) -> Path:
    fig.savefig(path, dpi=100)
    return path
