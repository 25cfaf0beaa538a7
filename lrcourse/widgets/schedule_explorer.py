"""The schedule explorer: one learning-rate schedule, its parameters, and its framework twins.

``schedule_explorer()`` returns an ipywidgets box: a Dropdown picks a schedule, sliders set
its parameters (learning rates on a log scale), and the plot shows the NumPy curve
(``lrcourse.schedules``) with the PyTorch scheduler's and the Keras schedule's values
overlaid as markers, so a learner sees that the three agree. The caption under the plot
names the schedule, its parameter values, the framework classes used and the largest
difference from each twin::

    schedule=StepDecay initial_lr=0.1 step_size=10 gamma=0.5
    torch StepLR: max |numpy - torch| = 0.0e+00 | Keras ExponentialDecay: max |numpy -
    keras| = 1.5e-09 (float32) | 50 epochs

Speed (a redraw should take well under 0.5 s): the twins are evaluated once per parameter
set (cached), the torch optimizer is created once, and a Keras schedule is called on all
steps in one batch (schedules whose Keras code cannot take a batch, such as ``CosineDecay``
with a warm-up, which branches with ``ops.cond``, are called at the marker steps only).
Under nbgrader (``NBGRADER_EXECUTION`` set) the widget is built but nothing is drawn and
no framework is imported.

ipywidgets, matplotlib, torch and keras are imported inside the functions that need them.
"""

from __future__ import annotations

import functools
import math
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import plots, schedules

MARKERS = 40  # how many steps of each twin are drawn as markers
MAX_STEPS = 5000  # the longest curve drawn (a slow decay's horizon can be far longer)
NUMPY_COLOR, TORCH_COLOR, KERAS_COLOR = plots.PALETTE[0], "black", plots.PALETTE[3]


# -- what can be explored -----------------------------------------------------------------------
@dataclass(frozen=True)
class Param:
    """One parameter of a schedule and its control.

    kind: "lr" (a FloatLogSlider between ``low`` and ``high``), "int" (IntSlider), "float"
    (FloatSlider with ``step``) or "bool" (Checkbox).
    """

    name: str
    value: float
    low: float = 0.0
    high: float = 1.0
    kind: str = "float"
    step: float = 0.05


@dataclass(frozen=True)
class Choice:
    """A Dropdown entry: how to build the schedule from its parameters."""

    label: str
    build: Callable[..., schedules.Schedule]
    params: tuple[Param, ...]
    unit: str = "step"
    fixed_args: tuple[tuple[str, object], ...] = ()  # passed to build, shown in the caption
    name: str = ""  # shown in the caption; default: the schedule's class name

    def schedule(self, values: dict) -> schedules.Schedule:
        return self.build(**dict(self.fixed_args), **values)

    def horizon(self, values: dict) -> int:
        """How many steps are shown (0 ... horizon - 1): the schedule's own plot horizon."""
        return min(self.schedule(values).horizon, MAX_STEPS)

    def describe(self, values: dict) -> str:
        """``schedule=StepDecay initial_lr=0.1 step_size=10 gamma=0.5``."""
        name = self.name or getattr(self.build, "__name__", self.label)
        shown = {**dict(self.fixed_args), **values}
        return " ".join([f"schedule={name}", *(f"{k}={format_value(v)}" for k, v in shown.items())])


def lr_param(name: str, value: float, low: float = 1e-5, high: float = 1.0) -> Param:
    return Param(name, value, low, high, kind="lr")


def int_param(name: str, value: int, low: int, high: int) -> Param:
    return Param(name, value, low, high, kind="int", step=1)


def hold_then_drop(initial_lr, hold, factor):
    """Piecewise constant: ``initial_lr`` for ``hold`` epochs, then times ``factor`` every
    ``hold`` epochs (three drops)."""
    boundaries = [hold, 2 * hold, 3 * hold]
    return schedules.PiecewiseConstant(boundaries, [initial_lr * factor**i for i in range(4)])


def warmup_cosine(peak_lr, warmup_steps, decay_steps):
    """Linear warm-up from 0, then cosine decay (Keras: ``CosineDecay`` with a warm-up)."""
    return schedules.LinearWarmup(schedules.CosineDecay(peak_lr, decay_steps), warmup_steps)


def cyclical_choice(mode: str, *extra: Param) -> Choice:
    """CLR in one mode (the mode is fixed per Dropdown entry and shown in the caption)."""
    params = (
        lr_param("base_lr", 1e-3),
        lr_param("max_lr", 6e-3),
        int_param("step_size_up", 20, 5, 100),
        *extra,
    )
    return Choice(f"cyclical: {mode}", schedules.CyclicLR, params, fixed_args=(("mode", mode),))


CHOICES = (
    Choice("constant", schedules.Constant, (lr_param("lr", 0.1),), "epoch"),
    Choice(
        "time-based (inverse time)",
        schedules.InverseTimeDecay,
        (lr_param("initial_lr", 0.1), lr_param("decay_rate", 0.05, 1e-4, 1.0)),
    ),
    Choice(
        "step decay",
        schedules.StepDecay,
        (
            lr_param("initial_lr", 0.1),
            int_param("step_size", 10, 1, 30),
            Param("gamma", 0.5, 0.05, 0.95),
        ),
        "epoch",
    ),
    Choice(
        "exponential (discrete)",
        schedules.ExponentialDecay,
        (
            lr_param("initial_lr", 0.1),
            int_param("decay_steps", 1, 1, 20),
            Param("decay_rate", 0.96, 0.5, 0.99, step=0.01),
            Param("staircase", False, kind="bool"),
        ),
        "epoch",
    ),
    Choice(
        "exponential (continuous)",
        schedules.ContinuousExponentialDecay,
        (lr_param("initial_lr", 0.1), lr_param("k", 0.1, 1e-3, 1.0)),
        "epoch",
    ),
    Choice(
        "piecewise constant",
        hold_then_drop,
        (lr_param("initial_lr", 0.1), int_param("hold", 10, 2, 20), Param("factor", 0.5)),
        "epoch",
        name="PiecewiseConstant",
    ),
    Choice(
        "polynomial",
        schedules.PolynomialDecay,
        (
            lr_param("initial_lr", 0.1),
            int_param("decay_steps", 100, 10, 300),
            lr_param("end_lr", 1e-4, 1e-6, 1e-2),
            Param("power", 2.0, 0.25, 5.0, step=0.25),
        ),
    ),
    Choice(
        "cosine",
        schedules.CosineDecay,
        (
            lr_param("initial_lr", 0.1),
            int_param("decay_steps", 100, 10, 300),
            Param("alpha", 0.0, 0.0, 0.5),
        ),
    ),
    Choice(
        "cosine with warm restarts",
        schedules.CosineRestarts,
        (
            lr_param("initial_lr", 0.1),
            int_param("first_decay_steps", 10, 2, 50),
            Param("t_mul", 2.0, 1.0, 3.0, step=1.0),
            Param("alpha", 0.0, 0.0, 0.5),
        ),
    ),
    cyclical_choice("triangular"),
    cyclical_choice("triangular2"),
    cyclical_choice("exp_range", Param("gamma", 0.99, 0.95, 1.0, step=0.001)),
    Choice(
        "1-cycle",
        schedules.OneCycle,
        (
            lr_param("max_lr", 0.1),
            int_param("total_steps", 200, 20, 1000),
            Param("pct_start", 0.3, 0.1, 0.9),
            Param("div_factor", 25.0, 5.0, 100.0, step=5.0),
        ),
    ),
    Choice(
        "linear warm-up + cosine",
        warmup_cosine,
        (
            lr_param("peak_lr", 0.01),
            int_param("warmup_steps", 5, 0, 50),
            int_param("decay_steps", 95, 10, 300),
        ),
        name="LinearWarmup+CosineDecay",
    ),
    Choice(
        "Transformer (inverse sqrt)",
        schedules.InverseSqrt,
        (lr_param("peak_lr", 1e-3), int_param("warmup_steps", 100, 10, 300)),
    ),
    Choice(
        "BERT (warm-up + linear decay)",
        schedules.WarmupLinearDecay,
        (
            lr_param("peak_lr", 5e-5, 1e-6, 1e-3),
            int_param("warmup_steps", 100, 0, 500),
            int_param("total_steps", 1000, 600, 2000),
        ),
    ),
)


def format_value(value) -> str:
    """As precise as the sliders' readouts (or more): 0.1259, 10, 2, True, triangular."""
    if isinstance(value, bool | str):
        return str(value)
    if float(value).is_integer() and abs(value) >= 1:
        return str(int(value))
    return f"{value:.4g}"


# -- the framework twins, evaluated once per parameter set -------------------------------------
@dataclass(frozen=True)
class Twins:
    """What the frameworks compute for one schedule over steps 0 ... n - 1."""

    torch_name: str
    torch_lr: np.ndarray  # every step
    keras_name: str
    keras_steps: np.ndarray  # every step, or the marker steps only (see ``keras_values``)
    keras_lr: np.ndarray


def marker_steps(n: int, count: int = MARKERS) -> np.ndarray:
    """Evenly spaced steps in 0 ... n - 1, at most about ``count`` of them."""
    return np.arange(0, n, max(1, math.ceil(n / count)))


@functools.lru_cache(maxsize=1)
def torch_optimizer():
    """One SGD optimizer over one parameter, reused by every torch twin."""
    import torch

    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)


def torch_values(schedule: schedules.Schedule, n: int) -> tuple[str, np.ndarray]:
    """The lr a torch scheduler gives updates 0 ... n - 1 (``scheduler.step()`` after each)."""
    optimizer = torch_optimizer()
    lrs = np.empty(n)
    with warnings.catch_warnings():  # "lr_scheduler.step() before optimizer.step()": no training
        warnings.simplefilter("ignore")
        scheduler = schedule.to_torch(optimizer)
        for k in range(n):
            lrs[k] = optimizer.param_groups[0]["lr"]
            if k < n - 1:
                scheduler.step()
    return type(scheduler).__name__, lrs


def keras_values(schedule: schedules.Schedule, n: int) -> tuple[str, np.ndarray, np.ndarray]:
    """The lr Keras computes at steps 0 ... n - 1, in one batch call where the schedule allows
    it, else step by step at the marker steps."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras  # noqa: F401 (imported here, with TensorFlow's chatter turned down)

    twin = schedule.to_keras()
    steps = np.arange(n)
    try:
        values = np.asarray(twin(steps.astype("float32")), dtype=float)
    except Exception:  # noqa: BLE001 - e.g. ops.cond on a batch of steps (CosineDecay warm-up)
        values = None
    if values is None or values.shape != steps.shape:
        steps = marker_steps(n)
        values = np.array([float(twin(float(k))) for k in steps])
    return type(twin).__name__, steps, values


@functools.lru_cache(maxsize=256)
def twins(schedule: schedules.Schedule, n: int) -> Twins:
    """Both twins of ``schedule`` over ``n`` steps (cached: schedules compare by their args)."""
    torch_name, torch_lr = torch_values(schedule, n)
    keras_name, keras_steps, keras_lr = keras_values(schedule, n)
    return Twins(torch_name, torch_lr, keras_name, keras_steps, keras_lr)


# -- one picture ----------------------------------------------------------------------------------
def draw(choice: Choice, values: dict, *, log: bool = False):
    """The figure and caption for one schedule with these parameter values."""
    import matplotlib.pyplot as plt

    schedule = choice.schedule(values)
    n = choice.horizon(values)
    steps = np.arange(n)
    lr = schedule(steps)
    found = twins(schedule, n)
    torch_gap = float(np.max(np.abs(found.torch_lr - lr)))
    keras_gap = float(np.max(np.abs(found.keras_lr - lr[found.keras_steps])))

    # fixed margins instead of a layout engine: the explorer redraws faster
    fig, ax = plt.subplots(figsize=(8, 3.4))
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.15, top=0.88)
    # the lr is constant during an update: draw steps; markers sit where each update starts
    ax.plot(steps, lr, drawstyle="steps-post", color=NUMPY_COLOR, label="NumPy (lrcourse)")
    shown = marker_steps(n)
    ax.plot(
        shown,
        found.torch_lr[shown],
        "o",
        markerfacecolor="none",
        color=TORCH_COLOR,
        label=f"torch {found.torch_name}",
    )
    keras_shown = np.isin(found.keras_steps, shown)
    ax.plot(
        found.keras_steps[keras_shown],
        found.keras_lr[keras_shown],
        "x",
        color=KERAS_COLOR,
        label=f"Keras {found.keras_name}",
    )
    plots.style_lr_axis(ax, log=log)
    ax.set_xlabel(f"{choice.unit} (0-based)")
    ax.set_title(choice.describe(values), fontsize=9)
    ax.legend(loc="best", frameon=False, fontsize=8)
    caption = (
        f"{choice.describe(values)}\ntorch {found.torch_name}: max |numpy - torch| = "
        f"{torch_gap:.1e} | Keras {found.keras_name}: max |numpy - keras| = {keras_gap:.1e} "
        f"(float32) | {n} {choice.unit}s"
    )
    return fig, caption


# -- the widget ------------------------------------------------------------------------------------
def make_control(param: Param):
    import ipywidgets as widgets

    common = {
        "value": param.value,
        "description": param.name,
        "style": {"description_width": "initial"},
    }
    if param.kind == "bool":
        return widgets.Checkbox(**common, indent=False)
    common["continuous_update"] = False
    if param.kind == "lr":
        return widgets.FloatLogSlider(
            **common,
            base=10,
            min=math.log10(param.low),
            max=math.log10(param.high),
            step=0.1,
            readout_format=".3g",
        )
    if param.kind == "int":
        return widgets.IntSlider(**common, min=param.low, max=param.high, step=1)
    decimals = len(f"{param.step:g}".partition(".")[2])  # 0.25 -> 2, 5.0 -> 0
    return widgets.FloatSlider(
        **common, min=param.low, max=param.high, step=param.step, readout_format=f".{decimals}f"
    )


class ScheduleExplorer:
    """The explorer's state: ``widget`` (what the notebook shows), ``caption`` (the last one
    printed), ``select(label)``, ``set(**values)`` and ``redraw()``."""

    def __init__(self, choices=CHOICES, *, draw_now: bool | None = None, initial="step decay"):
        import ipywidgets as widgets

        self.choices = {c.label: c for c in choices}
        self.controls = {
            label: {p.name: make_control(p) for p in c.params} for label, c in self.choices.items()
        }
        self.dropdown = widgets.Dropdown(
            options=list(self.choices),
            value=initial,
            description="schedule",
            layout=widgets.Layout(width="330px"),
        )
        self.log_scale = widgets.Checkbox(value=False, description="log scale", indent=False)
        self.params_box = widgets.HBox(layout=widgets.Layout(flex_flow="row wrap"))
        self.output = widgets.Output()
        self.caption = ""
        self.widget = widgets.VBox(
            [widgets.HBox([self.dropdown, self.log_scale]), self.params_box, self.output]
        )
        self._show_controls()
        self.dropdown.observe(self._on_choice, names="value")
        self.log_scale.observe(self.redraw, names="value")
        for controls in self.controls.values():
            for control in controls.values():
                control.observe(self.redraw, names="value")
        if draw_now is None:
            draw_now = not os.environ.get("NBGRADER_EXECUTION")
        if draw_now:
            self.redraw()

    @property
    def choice(self) -> Choice:
        return self.choices[self.dropdown.value]

    def values(self) -> dict:
        return {name: c.value for name, c in self.controls[self.dropdown.value].items()}

    def select(self, label: str) -> None:
        self.dropdown.value = label  # redraws (through the observer) when it changes

    def set(self, **values) -> None:
        """Set parameters of the current schedule (each change redraws, as a slider would)."""
        for name, value in values.items():
            self.controls[self.dropdown.value][name].value = value

    def _show_controls(self) -> None:
        self.params_box.children = tuple(self.controls[self.dropdown.value].values())

    def _on_choice(self, change=None) -> None:
        self._show_controls()
        self.redraw()

    def redraw(self, change=None) -> None:
        import matplotlib.pyplot as plt
        from IPython.display import display

        with self.output:
            self.output.clear_output(wait=True)
            try:
                fig, caption = draw(self.choice, self.values(), log=self.log_scale.value)
            except ValueError as error:  # a parameter combination the schedule rejects
                caption = f"{self.choice.describe(self.values())} | {error}"
            else:
                display(fig)
                plt.close(fig)
            print(caption)
        self.caption = caption


def schedule_explorer(**kwargs):
    """The schedule explorer widget (an ipywidgets VBox); see the module docstring.

    Its ``explorer`` attribute is the :class:`ScheduleExplorer` behind it.
    """
    explorer = ScheduleExplorer(**kwargs)
    explorer.widget.explorer = explorer
    return explorer.widget
