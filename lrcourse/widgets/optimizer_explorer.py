"""The optimizer explorer: paths of several optimizers on a 2-D loss surface.

``optimizer_explorer()`` returns an ipywidgets box: a Dropdown picks a surface (an
ill-conditioned quadratic, Rosenbrock's valley, a saddle), checkboxes pick optimizers, and
sliders set the learning rate, the momentum, Adam's betas and the number of steps. The
figure has three panels:

1. the contour lines of the surface with each optimizer's path, computed by the NumPy
   optimizers of ``lrcourse.optim``, and the path of its PyTorch twin (``torch.optim``, fed
   the same gradients) as circles every few steps;
2. the loss along each path (log scale);
3. Adam's effective step size ``lr * sqrt(1 - beta2**t) / (1 - beta1**t)`` for the current
   lr and betas, next to the length of the steps Adam really took on this surface.

The caption under the plot names the surface, the settings, each optimizer's final loss and
the largest difference between its NumPy and torch paths::

    surface=quadratic lr=0.05 momentum=0.9 beta1=0.9 beta2=0.999 steps=100
    SGD: loss 1.2e-05, max |numpy - torch| 0.0e+00 | Adam: loss 3.1e-03, ...

A path that leaves the plotted region (a learning rate too large) is cut where it left and
the caption says at which step. Under nbgrader (``NBGRADER_EXECUTION`` set) the widget is
built but nothing is computed or drawn, and torch is not imported.

ipywidgets, matplotlib and torch are imported inside the functions that need them.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import optim, plots

TWIN_MARKERS = 12  # how many points of each torch path are drawn
ESCAPED = 1e6  # a coordinate beyond this: the path has diverged


# -- the surfaces --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Surface:
    """A 2-D loss ``f(x, y)`` (vectorised) with its gradient, start and view."""

    name: str
    formula: str
    loss: Callable
    grad: Callable  # (x, y) -> (dx, dy)
    start: tuple[float, float]
    xlim: tuple[float, float]
    ylim: tuple[float, float]


QUADRATIC_CURVATURES = (1.0, 20.0)  # condition number 20


def _quadratic_loss(x, y):
    a, b = QUADRATIC_CURVATURES
    return 0.5 * (a * x**2 + b * y**2)


def _quadratic_grad(x, y):
    a, b = QUADRATIC_CURVATURES
    return a * x, b * y


def _rosenbrock_loss(x, y):
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _rosenbrock_grad(x, y):
    return -2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)


def _saddle_loss(x, y):
    return 0.5 * x**2 - 0.5 * y**2 + 0.25 * y**4 + 0.25  # saddle at 0, minima at (0, +-1)


def _saddle_grad(x, y):
    return x, -y + y**3


SURFACES = {
    s.name: s
    for s in (
        Surface(
            "ill-conditioned quadratic",
            "(x² + 20 y²) / 2",
            _quadratic_loss,
            _quadratic_grad,
            (-4.0, 1.0),
            (-4.5, 1.5),
            (-1.5, 1.5),
        ),
        Surface(
            "Rosenbrock",
            "(1 - x)² + 100 (y - x²)²",
            _rosenbrock_loss,
            _rosenbrock_grad,
            (-1.2, 1.0),
            (-2.0, 2.0),
            (-1.0, 3.0),
        ),
        Surface(
            "saddle",
            "x²/2 - y²/2 + y⁴/4 + 1/4",
            _saddle_loss,
            _saddle_grad,
            (-2.0, 1e-3),
            (-2.5, 1.0),
            (-1.5, 1.5),
        ),
    )
}


# -- the optimizers --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Settings:
    """What the sliders set."""

    lr: float = 0.05
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    steps: int = 100


OPTIMIZERS: dict[str, Callable[[Settings], optim.Optimizer]] = {
    "SGD": lambda s: optim.SGD(lr=s.lr),
    "SGD + momentum": lambda s: optim.SGD(lr=s.lr, momentum=s.momentum),
    "Nesterov": lambda s: optim.SGD(lr=s.lr, momentum=s.momentum, nesterov=True),
    "Adagrad": lambda s: optim.Adagrad(lr=s.lr),
    "RMSprop": lambda s: optim.RMSprop(lr=s.lr),
    "Adam": lambda s: optim.Adam(lr=s.lr, betas=(s.beta1, s.beta2)),
    "AdamW": lambda s: optim.AdamW(lr=s.lr, betas=(s.beta1, s.beta2)),
}
DEFAULT_OPTIMIZERS = ("SGD + momentum", "RMSprop", "Adam")
# one colour each, fixed (the course palette; a hash of the name could give two the same)
COLORS = dict(zip(OPTIMIZERS, plots.PALETTE, strict=False))


def effective_step(lr: float, beta1: float, beta2: float, steps) -> np.ndarray:
    """Adam's step size at updates ``t`` (from 1): ``lr * sqrt(1 - beta2**t) / (1 - beta1**t)``,
    the factor in front of ``m / (sqrt(v) + eps)`` once both bias corrections are folded in."""
    t = np.asarray(steps, dtype=float)
    return lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)


# -- the paths -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Path:
    """Points 0 ... n of one run (row 0 is the start), cut where it left the region."""

    points: np.ndarray  # (n + 1, 2)
    escaped_at: int | None  # the step at which it diverged, or None


def _grad_fn(surface: Surface):
    def grad_fn(params, k):
        x, y = params[0]
        with np.errstate(all="ignore"):
            return [np.array(surface.grad(x, y), dtype=np.float64)]

    return grad_fn


def _cut(start, steps: list) -> Path:
    points = [np.asarray(start, dtype=float)]
    for k, step in enumerate(steps, start=1):
        point = np.asarray(step[0], dtype=float)
        if not np.all(np.isfinite(point)) or np.max(np.abs(point)) > ESCAPED:
            return Path(np.array(points), k)
        points.append(point)
    return Path(np.array(points), None)


@functools.lru_cache(maxsize=256)
def numpy_path(surface_name: str, optimizer: str, settings: Settings) -> Path:
    """The path of ``lrcourse.optim``'s optimizer from the surface's start."""
    from ..optim.compare import trajectory

    surface = SURFACES[surface_name]
    opt = OPTIMIZERS[optimizer](settings)
    start = [np.array(surface.start, dtype=np.float64)]
    with np.errstate(all="ignore"):
        run = trajectory("numpy", opt, start, _grad_fn(surface), [settings.lr] * settings.steps)
    return _cut(surface.start, run)


@functools.lru_cache(maxsize=256)
def torch_path(surface_name: str, optimizer: str, settings: Settings) -> Path:
    """The same run with the torch twin (``opt.to_torch``), fed the gradients at its own path."""
    from ..optim.compare import trajectory

    surface = SURFACES[surface_name]
    opt = OPTIMIZERS[optimizer](settings)
    start = [np.array(surface.start, dtype=np.float64)]
    with np.errstate(all="ignore"):
        run = trajectory("torch", opt, start, _grad_fn(surface), [settings.lr] * settings.steps)
    return _cut(surface.start, run)


def path_gap(a: Path, b: Path) -> float:
    """max |a - b| over the steps both paths reached."""
    n = min(len(a.points), len(b.points))
    return float(np.max(np.abs(a.points[:n] - b.points[:n])))


# -- one picture -----------------------------------------------------------------------------
def describe(surface: str, settings: Settings) -> str:
    return (
        f"surface={surface} lr={settings.lr:.3g} momentum={settings.momentum:.3g} "
        f"beta1={settings.beta1:.3g} beta2={settings.beta2:.4g} steps={settings.steps}"
    )


def draw(surface_name: str, chosen, settings: Settings):
    """The figure and caption for these optimizers on this surface."""
    import matplotlib.pyplot as plt

    surface = SURFACES[surface_name]
    fig, (ax_path, ax_loss, ax_step) = plt.subplots(
        1, 3, figsize=(13, 3.9), gridspec_kw={"width_ratios": [1.3, 1, 1]}
    )
    fig.subplots_adjust(left=0.05, right=0.99, bottom=0.14, top=0.88, wspace=0.28)
    xs = np.linspace(*surface.xlim, 200)
    ys = np.linspace(*surface.ylim, 200)
    grid_x, grid_y = np.meshgrid(xs, ys)
    heights = surface.loss(grid_x, grid_y)
    levels = np.quantile(heights, np.linspace(0.0, 0.95, 14) ** 2)
    ax_path.contour(
        grid_x, grid_y, heights, levels=np.unique(levels), colors="0.75", linewidths=0.8
    )
    ax_path.plot(*surface.start, "k*", markersize=9)
    ax_path.set(xlim=surface.xlim, ylim=surface.ylim, xlabel="x", ylabel="y")
    ax_path.set_title(f"{surface.name}: {surface.formula}", fontsize=9)

    parts = []
    for name in chosen:
        color = COLORS[name]
        mine, twin = (
            numpy_path(surface_name, name, settings),
            torch_path(surface_name, name, settings),
        )
        ax_path.plot(*mine.points.T, "-", color=color, linewidth=1.5, label=name)
        every = max(1, math.ceil(len(twin.points) / TWIN_MARKERS))
        ax_path.plot(
            *twin.points[::every].T, "o", markerfacecolor="none", color=color, markersize=5
        )
        losses = surface.loss(*mine.points.T)
        ax_loss.plot(np.arange(len(losses)), np.maximum(losses, 1e-12), color=color, label=name)
        end = (
            f"left the region at step {mine.escaped_at}"
            if mine.escaped_at
            else f"loss {losses[-1]:.2g}"
        )
        parts.append(f"{name}: {end}, max |numpy - torch| {path_gap(mine, twin):.1e}")
    ax_loss.set_yscale("log")
    if chosen:
        ax_loss.legend(loc="best", frameon=False, fontsize=8)
    ax_loss.set(xlabel="step", ylabel="loss (log scale)", title="loss along the path")
    ax_loss.grid(True, alpha=0.3)

    t = np.arange(1, settings.steps + 1)
    ax_step.plot(
        t,
        effective_step(settings.lr, settings.beta1, settings.beta2, t),
        color=COLORS["Adam"],
        label="lr·√(1−β2ᵗ)/(1−β1ᵗ), times m/(√v+ε)",
    )
    adam = numpy_path(surface_name, "Adam", settings)
    taken = np.linalg.norm(np.diff(adam.points, axis=0), axis=1) / math.sqrt(2)
    ax_step.plot(t[: len(taken)], taken, ":", color="black", label="Adam's step here (per coord.)")
    ax_step.axhline(settings.lr, color="0.6", linewidth=0.8, linestyle="--", label="lr")
    plots.style_lr_axis(ax_step, log=True, label="step size")
    ax_step.set(xlabel="update t (from 1)", title="Adam's effective step")
    ax_step.legend(loc="best", frameon=False, fontsize=8)
    caption = describe(surface_name, settings) + "\n" + " | ".join(parts)
    caption += "\n(lines: lrcourse.optim in NumPy; circles: the torch.optim twin)"
    return fig, caption


# -- the widget ------------------------------------------------------------------------------
class OptimizerExplorer:
    """The explorer's state: ``widget``, ``caption`` (the last one printed), ``settings()``,
    ``set(**values)`` (as the sliders would), ``select(*optimizers)`` and ``redraw()``."""

    def __init__(self, *, draw_now: bool | None = None, surface="ill-conditioned quadratic"):
        import ipywidgets as widgets

        def log_slider(name, value, low, high):
            return widgets.FloatLogSlider(
                value=value,
                base=10,
                min=low,
                max=high,
                step=0.1,
                description=name,
                readout_format=".3g",
                continuous_update=False,
            )

        def slider(name, value, low, high, step, fmt):
            return widgets.FloatSlider(
                value=value,
                min=low,
                max=high,
                step=step,
                description=name,
                readout_format=fmt,
                continuous_update=False,
            )

        self.surface = widgets.Dropdown(
            options=list(SURFACES),
            value=surface,
            description="surface",
            layout=widgets.Layout(width="300px"),
        )
        self.checks = {
            name: widgets.Checkbox(
                value=name in DEFAULT_OPTIMIZERS,
                description=name,
                indent=False,
                layout=widgets.Layout(width="140px"),
            )
            for name in OPTIMIZERS
        }
        self.controls = {
            "lr": log_slider("lr", Settings.lr, -4, 0),
            "momentum": slider("momentum", Settings.momentum, 0.0, 0.99, 0.01, ".2f"),
            "beta1": slider("beta1", Settings.beta1, 0.0, 0.99, 0.01, ".2f"),
            "beta2": slider("beta2", Settings.beta2, 0.9, 0.9999, 0.0001, ".4f"),
            "steps": widgets.IntSlider(
                value=Settings.steps,
                min=10,
                max=400,
                step=10,
                description="steps",
                continuous_update=False,
            ),
        }
        self.output = widgets.Output()
        self.caption = ""
        self.widget = widgets.VBox(
            [
                self.surface,
                widgets.HBox(
                    list(self.checks.values()), layout=widgets.Layout(flex_flow="row wrap")
                ),
                widgets.HBox(
                    list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap")
                ),
                self.output,
            ]
        )
        for control in (self.surface, *self.checks.values(), *self.controls.values()):
            control.observe(self.redraw, names="value")
        if draw_now is None:
            draw_now = not os.environ.get("NBGRADER_EXECUTION")
        if draw_now:
            self.redraw()

    def settings(self) -> Settings:
        values = {name: c.value for name, c in self.controls.items()}
        return Settings(**{**values, "steps": int(values["steps"])})

    def chosen(self) -> list[str]:
        return [name for name, box in self.checks.items() if box.value]

    def set(self, **values) -> None:
        for name, value in values.items():
            if name == "surface":
                self.surface.value = value
            else:
                self.controls[name].value = value

    def select(self, *optimizers: str) -> None:
        unknown = set(optimizers) - set(OPTIMIZERS)
        if unknown:
            raise ValueError(
                f"unknown optimizers {sorted(unknown)}; choose from {list(OPTIMIZERS)}"
            )
        for name, box in self.checks.items():
            box.value = name in optimizers

    def redraw(self, change=None) -> None:
        import matplotlib.pyplot as plt
        from IPython.display import display

        with self.output:
            self.output.clear_output(wait=True)
            fig, caption = draw(self.surface.value, self.chosen(), self.settings())
            display(fig)
            plt.close(fig)
            print(caption)
        self.caption = caption


def optimizer_explorer(**kwargs):
    """The optimizer explorer widget (an ipywidgets VBox); see the module docstring.

    Its ``explorer`` attribute is the :class:`OptimizerExplorer` behind it.
    """
    explorer = OptimizerExplorer(**kwargs)
    explorer.widget.explorer = explorer
    return explorer.widget
