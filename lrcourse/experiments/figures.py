"""The comparison's figures, drawn with ``lrcourse.plots`` and saved as PNG files.

Figures are built on ``matplotlib.figure.Figure`` directly (no pyplot), so saving them
works the same in a terminal, a notebook or a headless CI job, and leaves no open windows.
"""

from __future__ import annotations

from pathlib import Path

from .. import plots

FIGURES = ("lr_per_step", "loss_per_epoch", "accuracy_per_epoch", "comparison")


def _figure(rows=1, cols=1, size=(7.5, 4.2)):
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.subplots(rows, cols, squeeze=False)


def _legend(ax):
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize="small", frameon=False, ncols=2)


def linestyles(names) -> dict[str, str]:
    """Runs that share a colour (``plots.color_for`` has 10) get different line styles."""
    seen: dict[str, int] = {}
    styles = {}
    for name in names:
        color = plots.color_for(name)
        styles[name] = ("-", "-.", ":", (0, (5, 1)))[seen.get(color, 0) % 4]
        seen[color] = seen.get(color, 0) + 1
    return styles


def draw_lr(ax, by_run):
    styles = linestyles(by_run)
    for name, histories in by_run.items():
        if histories[0].step_lr:
            plots.plot_step_lr(histories[0], ax=ax, label=name)
            ax.get_lines()[-1].set_linestyle(styles[name])
    ax.set_title("learning rate per update (seed 0)")
    _legend(ax)


def draw_metric(ax, by_run, column, title, *, train_column=None):
    styles = linestyles(by_run)
    for name, histories in by_run.items():
        plots.plot_epoch_metric(histories, column, ax=ax, label=name, linestyle=styles[name])
        if train_column:  # same colour, dashed, no legend entry
            plots.plot_epoch_metric(
                histories, train_column, ax=ax, label="_train", linestyle="--", band=False
            )
    ax.set_title(title)
    _legend(ax)


def draw_bars(ax, rows):
    names = [r["run"] for r in rows]
    plots.plot_run_bars(
        names,
        [r["final_val_accuracy_mean"] for r in rows],
        [r["final_val_accuracy_std"] for r in rows],
        ax=ax,
        ylabel="final val accuracy",
        title="final validation accuracy (mean, std over seeds)",
    )


def save_figures(by_run: dict, rows: list[dict], folder: Path) -> list[Path]:
    """Write the four figures into ``folder``; return their paths.

    ``by_run``: run name -> list of Histories (one per seed); ``rows``: the results table.
    """
    folder = Path(folder)
    paths = []

    fig, ax = _figure()
    draw_lr(ax[0, 0], by_run)
    paths.append(_save(fig, folder / "lr_per_step.png"))

    fig, ax = _figure(1, 2, (12, 4.2))
    draw_metric(
        ax[0, 0],
        by_run,
        "val_loss",
        "loss per epoch (solid val, dashed train)",
        train_column="train_loss",
    )
    ax[0, 0].set_ylabel("loss")
    draw_metric(ax[0, 1], by_run, "val_accuracy", "validation accuracy per epoch")
    paths.append(_save(fig, folder / "loss_per_epoch.png"))

    fig, ax = _figure()
    draw_metric(ax[0, 0], by_run, "val_accuracy", "validation accuracy (mean, min-max band)")
    paths.append(_save(fig, folder / "accuracy_per_epoch.png"))

    fig, ax = _figure(2, 2, (13, 8.5))
    draw_lr(ax[0, 0], by_run)
    draw_metric(ax[0, 1], by_run, "val_loss", "validation loss per epoch")
    draw_metric(ax[1, 0], by_run, "val_accuracy", "validation accuracy per epoch")
    draw_bars(ax[1, 1], rows)
    fig.suptitle("all runs compared")
    paths.append(_save(fig, folder / "comparison.png"))
    return paths


def _save(fig, path: Path) -> Path:
    fig.savefig(path, dpi=110)
    return path
