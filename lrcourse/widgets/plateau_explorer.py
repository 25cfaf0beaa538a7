"""The plateau explorer: ReduceLROnPlateau and EarlyStopping on a generated validation curve.

``plateau_explorer()`` returns an explorer (end a cell with it to show it). The validation
loss is ``lrcourse.callbacks.plateau_prone_metrics`` (it falls until ``plateau_epoch``, then
only lr cuts lower it, by ``lr_old - lr_new``) plus Gaussian noise of size ``noise`` (a fixed
draw, so a slider change only changes what it names). Sliders, named like the exercises'
arguments: ``plateau_patience``, ``factor`` and ``min_delta`` (EarlyStopping's), then
``stop_patience``, ``noise`` and ``plateau_epoch``; a Dropdown sets the lr floor
(``min_lr``) and one picks the metric EarlyStopping watches (val_loss, or val_accuracy
counted over 500 examples, the "different metric" fix).

The plot: the lr of every epoch (log scale) as the NumPy rules compute it
(``simulate_plateau_and_stopping``), with PyTorch's scheduler (circles) and Keras' two
callbacks (crosses) run on the same curve (``callbacks.twin_runs``); next to it the
validation loss with a mark at each stop. The caption names the settings, and per framework
the stop epoch (or "never" in ``MAX_EPOCHS``), the number of cuts and the final lr::

    plateau_patience = 2 | factor = 0.50 | min_delta = 0.0000 | stop_patience = 5 | ...
    NumPy: stopped at epoch 105, 23 cuts, final lr 1.2e-08 | torch: ... | Keras: ...

The first picture waits for PyTorch and Keras to load (seconds, once per kernel); under
nbgrader (``NBGRADER_EXECUTION`` set) it is built but nothing is drawn and neither framework
is imported. ipywidgets, matplotlib, torch and Keras are imported inside functions.
"""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass

import numpy as np

from .. import plots
from ..callbacks import (
    EarlyStopping,
    PlateauStoppingRun,
    ReduceLROnPlateau,
    plateau_prone_metrics,
    simulate_plateau_and_stopping,
)
from ..callbacks.improvement import resolve_mode
from .explorer import Explorer

MAX_EPOCHS = 150
START_LR = 0.1
LR_AXIS = (3e-10, 0.3)
PLATEAU_THRESHOLD = 1e-4  # absolute (Keras has no relative threshold)
LR_FLOORS = {"none (0)": 0.0, "1e-4": 1e-4, "1e-3": 1e-3}
STOP_MONITORS = ("val_loss", "val_accuracy")
NUMPY_COLOR, TORCH_COLOR, KERAS_COLOR = plots.PALETTE[0], "black", plots.PALETTE[3]


@dataclass(frozen=True)
class Settings:
    """What the controls set (the explorer's defaults show the never-stopping run)."""

    plateau_patience: int = 2
    factor: float = 0.5
    min_delta: float = 0.0
    stop_patience: int = 5
    noise: float = 0.0
    plateau_epoch: int = 20
    min_lr: float = 0.0
    stop_monitor: str = "val_loss"

    def rules(self) -> tuple[ReduceLROnPlateau, EarlyStopping]:
        plateau = ReduceLROnPlateau(
            factor=self.factor,
            patience=self.plateau_patience,
            threshold=PLATEAU_THRESHOLD,
            threshold_mode="abs",
            min_lr=self.min_lr,
        )
        # the direction of the watched metric, as Keras' "auto" takes it from the name
        stopper = EarlyStopping(
            mode=resolve_mode("auto", self.stop_monitor),
            patience=self.stop_patience,
            min_delta=self.min_delta,
        )
        return plateau, stopper


def metric_fn(noise: float, plateau_epoch: int, seed: int = 0):
    """``(epoch, lr) -> {"val_loss", "val_accuracy"}``: the caricature plus a fixed noise draw."""
    draws = np.random.default_rng(seed).normal(size=MAX_EPOCHS)

    def metrics(epoch, lr):
        clean = plateau_prone_metrics(epoch, lr, plateau_epoch=plateau_epoch)
        val_loss = clean["val_loss"] + noise * float(draws[epoch])
        return {"val_loss": val_loss, "val_accuracy": round(500 * (1 - val_loss / 2)) / 500}

    return metrics


def _run(engine, settings: Settings) -> PlateauStoppingRun:
    plateau, stopper = settings.rules()
    return engine(
        metric_fn(settings.noise, settings.plateau_epoch),
        lr=START_LR,
        plateau=plateau,
        stopper=stopper,
        max_epochs=MAX_EPOCHS,
        stop_monitor=settings.stop_monitor,
    )


@functools.lru_cache(maxsize=128)
def numpy_run(settings: Settings) -> PlateauStoppingRun:
    return _run(simulate_plateau_and_stopping, settings)


@functools.lru_cache(maxsize=128)
def torch_run(settings: Settings) -> PlateauStoppingRun:
    from ..callbacks.twin_runs import torch_run as engine

    return _run(engine, settings)


@functools.lru_cache(maxsize=128)
def keras_run(settings: Settings) -> PlateauStoppingRun:
    from ..callbacks.twin_runs import keras_run as engine

    return _run(engine, settings)


def outcome(run: PlateauStoppingRun) -> str:
    """``stopped at epoch 53, 7 cuts, final lr 0.001`` (or ``never stopped in 150 epochs``)."""
    end = (
        f"never stopped in {MAX_EPOCHS} epochs"
        if run.stopped_epoch is None
        else f"stopped at epoch {run.stopped_epoch}"
    )
    return f"{end}, {run.reductions} cuts, final lr {run.final_lr:.2g}"


def lr_gap(a: PlateauStoppingRun, b: PlateauStoppingRun) -> float:
    """The largest relative difference of the lrs over the epochs both runs reached."""
    n = min(len(a.lrs), len(b.lrs))
    x, y = np.asarray(a.lrs[:n]), np.asarray(b.lrs[:n])
    return float(np.max(np.abs(x - y) / np.maximum(np.abs(x), 1e-300)))


def settings_items(s: Settings) -> list[str]:
    floor = next(k for k, v in LR_FLOORS.items() if v == s.min_lr)
    return [
        f"plateau_patience = {s.plateau_patience}",
        f"factor = {s.factor:.2f}",
        f"min_delta = {s.min_delta:.4f}",
        f"stop_patience = {s.stop_patience}",
        f"noise = {s.noise:.3f}",
        f"plateau_epoch = {s.plateau_epoch}",
        f"min_lr = {floor}",
        f"EarlyStopping on {s.stop_monitor}",
    ]


def draw(settings: Settings):
    """The figure and caption lines for these settings."""
    import matplotlib.pyplot as plt

    runs = {"NumPy": numpy_run(settings), "torch": torch_run(settings)}
    runs["Keras"] = keras_run(settings)
    fig, (ax_lr, ax_loss) = plt.subplots(1, 2, figsize=(12, 3.6))
    fig.subplots_adjust(left=0.07, right=0.99, bottom=0.14, top=0.86, wspace=0.22)
    styles = {
        "NumPy": dict(color=NUMPY_COLOR, linewidth=1.8),
        "torch": dict(color=TORCH_COLOR, marker="o", markerfacecolor="none", linestyle="none",
                      markersize=4, markevery=3),
        "Keras": dict(color=KERAS_COLOR, marker="x", linestyle="none", markersize=4,
                      markevery=(1, 3)),
    }  # fmt: skip
    for name, run in runs.items():
        label = f"{name} ({'never stopped' if run.stopped_epoch is None else 'stop'})"
        ax_lr.plot(np.arange(run.epochs_run), run.lrs, label=label, **styles[name])
        if run.stopped_epoch is not None:
            ax_lr.axvline(run.stopped_epoch, color=styles[name]["color"], linestyle=":", lw=1)
    plots.style_lr_axis(ax_lr, log=True)
    ax_lr.set_ylim(LR_AXIS)  # fixed, so that moving a slider never rescales the picture
    # the titles name every setting, so that each control changes the picture itself
    ax_lr.set(xlabel="epoch", xlim=(-2, MAX_EPOCHS + 2))
    ax_lr.set_title(
        f"lr set by ReduceLROnPlateau\n(patience={settings.plateau_patience}, "
        f"factor={settings.factor:.2f}, min_lr={settings.min_lr:g})",
        fontsize=9,
    )
    ax_lr.legend(loc="lower left", frameon=False, fontsize=8)

    mine = runs["NumPy"]
    losses = np.array([m["val_loss"] for m in mine.metrics])
    ax_loss.plot(np.arange(len(losses)), losses, color=NUMPY_COLOR, label="val_loss")
    if mine.stopped_epoch is not None:
        ax_loss.axvline(mine.stopped_epoch, color="0.3", linestyle=":", label="EarlyStopping")
    ax_loss.set(xlabel="epoch", ylabel="val_loss", xlim=(-2, MAX_EPOCHS + 2))
    ax_loss.set_title(
        f"val_loss (noise {settings.noise:.3f}, flat from epoch {settings.plateau_epoch})\n"
        f"EarlyStopping(patience={settings.stop_patience}, min_delta={settings.min_delta:.4f}) "
        f"on {settings.stop_monitor}",
        fontsize=9,
    )
    ax_loss.grid(True, alpha=0.3)
    ax_loss.legend(loc="upper right", frameon=False, fontsize=8)
    lines = [
        settings_items(settings),
        [f"{name}: {outcome(run)}" for name, run in runs.items()],
        [
            f"max rel. lr difference numpy-torch {lr_gap(mine, runs['torch']):.1e}",
            f"numpy-Keras {lr_gap(mine, runs['Keras']):.1e} (float32, no eps)",
        ],
    ]
    return fig, lines


def frameworks_loaded() -> bool:
    return "torch" in sys.modules and "keras" in sys.modules


class PlateauExplorer(Explorer):
    """The explorer's state: ``widget``, ``caption``, ``settings()``, ``set(**values)``."""

    def __init__(self, *, draw_now: bool = False):
        import ipywidgets as widgets

        super().__init__(draw_now=draw_now)
        d = Settings()

        def int_slider(name, value, low, high):
            return widgets.IntSlider(
                value=value, min=low, max=high, description=name, continuous_update=False,
                style={"description_width": "initial"},
            )  # fmt: skip

        def float_slider(name, value, low, high, step, fmt):
            return widgets.FloatSlider(
                value=value, min=low, max=high, step=step, readout_format=fmt,
                description=name, continuous_update=False,
                style={"description_width": "initial"},
            )  # fmt: skip

        self.controls = {
            "plateau_patience": int_slider("plateau_patience", d.plateau_patience, 0, 10),
            "factor": float_slider("factor", d.factor, 0.05, 0.95, 0.05, ".2f"),
            "min_delta": float_slider("min_delta", d.min_delta, 0.0, 0.01, 0.0005, ".4f"),
            "stop_patience": int_slider("stop_patience", d.stop_patience, 1, 20),
            "noise": float_slider("noise", d.noise, 0.0, 0.02, 0.001, ".3f"),
            "plateau_epoch": int_slider("plateau_epoch", d.plateau_epoch, 5, 60),
        }
        self.min_lr = widgets.Dropdown(
            options=list(LR_FLOORS), description="min_lr", layout=widgets.Layout(width="200px")
        )
        self.stop_monitor = widgets.Dropdown(
            options=list(STOP_MONITORS),
            description="EarlyStopping on",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="260px"),
        )
        row = widgets.Layout(flex_flow="row wrap")
        self.widget = widgets.VBox(
            [
                widgets.HBox(list(self.controls.values()), layout=row),
                widgets.HBox([self.min_lr, self.stop_monitor], layout=row),
                self.output,
            ]
        )
        self.observe(*self.controls.values(), self.min_lr, self.stop_monitor)
        self._ready()

    def settings(self) -> Settings:
        values = {name: c.value for name, c in self.controls.items()}
        return Settings(
            **values, min_lr=LR_FLOORS[self.min_lr.value], stop_monitor=self.stop_monitor.value
        )

    def set(self, **values) -> None:
        """Set controls by name (each change redraws, as moving a slider would)."""
        for name, value in values.items():
            if name == "min_lr":
                self.min_lr.value = next(k for k, v in LR_FLOORS.items() if v == value)
            elif name == "stop_monitor":
                self.stop_monitor.value = value
            else:
                self.controls[name].value = value

    def figure(self):
        return draw(self.settings())

    def describe(self) -> list[list[str]]:
        return [settings_items(self.settings())]

    def loading_message(self) -> str | None:
        if frameworks_loaded():
            return None
        return "loading PyTorch and Keras… (the first time only: a few seconds)"


def plateau_explorer(**kwargs) -> PlateauExplorer:
    """The plateau explorer; end a cell with it to show it (see the module docstring)."""
    return PlateauExplorer(**kwargs)


__all__ = ["PlateauExplorer", "Settings", "metric_fn", "plateau_explorer"]
