"""Train a planned comparison in memory, under one progress bar, and draw it: what a notebook
runs.

``run_comparison`` writes every history, ``results.csv`` and four figures to disk, which is
right for ``lrcourse compare`` and slow for a notebook cell (the figures alone take longer
than a scaled-down run). ``train_plan(plan)`` trains the same runs the same way -- the
LR-finder run gets its lr from a range test on each seed's initial weights -- and returns
the histories and the rows of ``results.csv`` (``compare.summarise``), writing nothing. One
bar counts the runs x seeds, with the last run's final validation accuracy in its postfix.
"""

from __future__ import annotations

from collections.abc import Callable

from .compare import Plan, _with_finder_lr, summarise


def train_plan(
    plan: Plan, *, progress: bool = True, say: Callable[[str], None] | None = None
) -> tuple[dict, list[dict]]:
    """``(histories, rows)``: ``{run name: [History per seed]}`` and one summary row per run.

    ``say`` receives the LR finder's suggestions (default: none; the lr each update used is
    in the run's history anyway)."""
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(plan.runs), desc="runs x seeds", unit="run", leave=True)
    histories: dict[str, list] = {}
    try:
        for run, seed, config in plan.runs:
            config = config.with_(progress=False)
            if run.lr_from_finder:
                config = _with_finder_lr(
                    plan.module, plan.spec, plan.dataset, config, say or (lambda line: None)
                )
            history = plan.module.fit(plan.spec, plan.dataset, config, run=run.name)
            history.meta["title"] = run.title
            histories.setdefault(run.name, []).append(history)
            if bar is not None:
                bar.set_postfix(
                    run=f"{run.name} seed {seed}", val_acc=f"{history.final('val_accuracy'):.3f}"
                )
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    runs = list(dict.fromkeys(run for run, _, _ in plan.runs))
    return histories, summarise(runs, histories)


def comparison_figure(histories: dict, rows: list[dict]):
    """``lrcourse compare``'s comparison figure (one row per family of runs: the lr of every
    update, the validation loss and accuracy per epoch; the final accuracies as bars), as a
    ``matplotlib.figure.Figure`` to show rather than a file."""
    from . import figures

    groups = figures.panels(histories)
    fig = figures._grid(
        histories,
        groups,
        figures.colors(groups),
        ["lr", "val_loss", "val_accuracy"],
        bars_rows=rows,
    )
    fig.suptitle("all runs compared (mean over seeds, min-max band)")
    return fig
