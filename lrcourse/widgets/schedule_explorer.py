"""The schedule explorer: one learning-rate schedule, its parameters, and its framework twins.

``schedule_explorer()`` returns an ipywidgets box: a Dropdown picks a schedule, sliders set
its parameters (learning rates on a log scale), and the plot shows the NumPy curve
(``lrcourse.schedules``) with the PyTorch scheduler's and the Keras schedule's values
overlaid as markers, so a learner sees that the three agree. The sliders carry the names of
the parameters of the assignment's exercises (``step_decay(step, lr0, drop, epochs_drop,
...)``: sliders ``lr0``, ``drop``, ``epochs_drop``); each entry translates them to its
``lrcourse.schedules`` class. The caption under the plot names the schedule, its parameter
values, the framework classes used and the largest difference from each twin::

    schedule=StepDecay lr0=0.1 drop=0.5 epochs_drop=10
    torch StepLR: max |numpy - torch| = 0.0e+00 | Keras ExponentialDecay: max |numpy -
    keras| = 1.5e-09 (float32) | 50 epochs

The first picture waits for PyTorch and Keras to load (seconds, once per kernel): the
explorer shows its controls and "loading PyTorch and Keras…" first (see ``explorer``).

Speed (a redraw should take well under 0.5 s): the twins are evaluated once per parameter
set (cached), the torch optimizer is created once, and a Keras schedule is called on all
steps in one batch (schedules whose Keras code cannot take a batch, such as ``CosineDecay``
with a warm-up, which branches with ``ops.cond``, are called at the marker steps only).
Under nbgrader (``NBGRADER_EXECUTION`` set) the widget is built but nothing is drawn and
no framework is imported.

ipywidgets, matplotlib, torch and keras are imported inside the functions that need them
(keras through ``lrcourse.frameworks.import_keras``, without TensorFlow's start-up lines).
"""

from __future__ import annotations

import functools
import math
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import plots, schedules
from ..frameworks import import_keras
from ..schedules.in_torch import torch_lr_trace
from .explorer import Explorer

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
    name: str = ""  # the lrcourse.schedules class, shown in the caption

    def schedule(self, values: dict) -> schedules.Schedule:
        return self.build(**dict(self.fixed_args), **values)

    def horizon(self, values: dict) -> int:
        """How many steps are shown (0 ... horizon - 1): the schedule's own plot horizon."""
        return min(self.schedule(values).horizon, MAX_STEPS)

    def describe(self, values: dict) -> str:
        """``schedule=StepDecay lr0=0.1 drop=0.5 epochs_drop=10``."""
        return " ".join(self.describe_items(values))

    def describe_items(self, values: dict) -> list[str]:
        shown = {**dict(self.fixed_args), **values}
        name = self.name or self.label
        return [f"schedule={name}", *(f"{k}={format_value(v)}" for k, v in shown.items())]


def lr_param(name: str, value: float, low: float = 1e-5, high: float = 1.0) -> Param:
    return Param(name, value, low, high, kind="lr")


def int_param(name: str, value: int, low: int, high: int) -> Param:
    return Param(name, value, low, high, kind="int", step=1)


# Each entry's sliders are named like the parameters of the exercise it matches; these
# translate them to the arguments of the lrcourse.schedules classes.
def time_based(lr0, decay):
    return schedules.InverseTimeDecay(lr0, decay_rate=decay)


def step_decay(lr0, drop, epochs_drop):
    return schedules.StepDecay(lr0, step_size=epochs_drop, gamma=drop)


def exponential(lr0, decay_steps, decay_rate, staircase):
    return schedules.ExponentialDecay(lr0, decay_steps, decay_rate, staircase=staircase)


def continuous_exponential(lr0, k):
    return schedules.ContinuousExponentialDecay(lr0, k)


def hold_then_drop(lr0, hold, drop):
    """Piecewise constant: ``lr0`` for ``hold`` epochs, then times ``drop`` every ``hold``
    epochs (three drops)."""
    boundaries = [hold, 2 * hold, 3 * hold]
    return schedules.PiecewiseConstant(boundaries, [lr0 * drop**i for i in range(4)])


def polynomial(lr0, decay_steps, end_lr, power):
    return schedules.PolynomialDecay(lr0, decay_steps, end_lr=end_lr, power=power)


def floor_fraction(lr_min, lr_max) -> float:
    """``lr_min`` as the fraction of ``lr_max`` that Keras' ``alpha`` is."""
    if lr_min > lr_max:
        shown = f"lr_min = {format_value(lr_min)}, lr_max = {format_value(lr_max)}"
        raise ValueError(f"{shown}: the floor must not be above the peak")
    return lr_min / lr_max


def cosine(lr_max, lr_min, decay_steps):
    return schedules.CosineDecay(lr_max, decay_steps, alpha=floor_fraction(lr_min, lr_max))


def cosine_restarts(lr_max, lr_min, first_period, t_mul):
    alpha = floor_fraction(lr_min, lr_max)
    return schedules.CosineRestarts(lr_max, first_period, t_mul=t_mul, alpha=alpha)


def cyclical(base_lr, max_lr, step_size, mode, gamma=1.0):
    return schedules.CyclicLR(base_lr, max_lr, step_size, mode=mode, gamma=gamma)


def one_cycle(max_lr, total_steps, pct_start, div_factor):
    return schedules.OneCycle(max_lr, total_steps, pct_start=pct_start, div_factor=div_factor)


def warmup_cosine(peak_lr, warmup_steps, total_steps, min_lr):
    """Linear warm-up from 0 to ``peak_lr``, then cosine down to ``min_lr`` at
    ``total_steps`` (Keras: ``CosineDecay`` with a warm-up)."""
    if total_steps <= warmup_steps:
        raise ValueError(f"total_steps = {total_steps} must exceed warmup_steps = {warmup_steps}")
    alpha = floor_fraction(min_lr, peak_lr)
    decay = schedules.CosineDecay(peak_lr, total_steps - warmup_steps, alpha=alpha)
    return schedules.LinearWarmup(decay, warmup_steps)


def inverse_sqrt(peak_lr, warmup_steps):
    return schedules.InverseSqrt(peak_lr, warmup_steps)


def warmup_linear(peak_lr, warmup_steps, total_steps):
    return schedules.WarmupLinearDecay(peak_lr, warmup_steps, total_steps)


def cyclical_choice(mode: str, *extra: Param) -> Choice:
    """CLR in one mode (the mode is fixed per Dropdown entry and shown in the caption)."""
    params = (
        lr_param("base_lr", 1e-3),
        lr_param("max_lr", 6e-3),
        int_param("step_size", 20, 5, 100),
        *extra,
    )
    return Choice(
        f"cyclical: {mode}",
        cyclical,
        params,
        fixed_args=(("mode", mode),),
        name="CyclicLR",
    )


def lr_floor(name: str, value: float = 0.0, high: float = 0.05) -> Param:
    """An absolute lower bound of a decay (0 allowed, so a linear slider)."""
    return Param(name, value, 0.0, high, step=0.005)


CHOICES = (
    Choice("constant", schedules.Constant, (lr_param("lr", 0.1),), "epoch", name="Constant"),
    Choice(
        "time-based (inverse time)",
        time_based,
        (lr_param("lr0", 0.1), lr_param("decay", 0.05, 1e-4, 1.0)),
        name="InverseTimeDecay",
    ),
    Choice(
        "step decay",
        step_decay,
        (
            lr_param("lr0", 0.1),
            Param("drop", 0.5, 0.05, 0.95),
            int_param("epochs_drop", 10, 1, 30),
        ),
        "epoch",
        name="StepDecay",
    ),
    Choice(
        "exponential (discrete)",
        exponential,
        (
            lr_param("lr0", 0.1),
            int_param("decay_steps", 1, 1, 20),
            Param("decay_rate", 0.96, 0.5, 0.99, step=0.01),
            Param("staircase", False, kind="bool"),
        ),
        "epoch",
        name="ExponentialDecay",
    ),
    Choice(
        "exponential (continuous)",
        continuous_exponential,
        (lr_param("lr0", 0.1), lr_param("k", 0.1, 1e-3, 1.0)),
        "epoch",
        name="ContinuousExponentialDecay",
    ),
    Choice(
        "piecewise constant",
        hold_then_drop,
        (lr_param("lr0", 0.1), int_param("hold", 10, 2, 20), Param("drop", 0.5)),
        "epoch",
        name="PiecewiseConstant",
    ),
    Choice(
        "polynomial",
        polynomial,
        (
            lr_param("lr0", 0.1),
            int_param("decay_steps", 100, 10, 300),
            lr_param("end_lr", 1e-4, 1e-6, 1e-2),
            Param("power", 2.0, 0.25, 5.0, step=0.25),
        ),
        name="PolynomialDecay",
    ),
    Choice(
        "cosine",
        cosine,
        (lr_param("lr_max", 0.1), lr_floor("lr_min"), int_param("decay_steps", 100, 10, 300)),
        name="CosineDecay",
    ),
    Choice(
        "cosine with warm restarts",
        cosine_restarts,
        (
            lr_param("lr_max", 0.1),
            lr_floor("lr_min"),
            int_param("first_period", 10, 2, 50),
            Param("t_mul", 2.0, 1.0, 3.0, step=1.0),
        ),
        name="CosineRestarts",
    ),
    cyclical_choice("triangular"),
    cyclical_choice("triangular2"),
    cyclical_choice("exp_range", Param("gamma", 0.99, 0.95, 1.0, step=0.001)),
    Choice(
        "1-cycle",
        one_cycle,
        (
            lr_param("max_lr", 0.1),
            int_param("total_steps", 200, 20, 1000),
            Param("pct_start", 0.3, 0.1, 0.9),
            Param("div_factor", 25.0, 5.0, 100.0, step=5.0),
        ),
        name="OneCycle",
    ),
    Choice(
        "linear warm-up + cosine",
        warmup_cosine,
        (
            lr_param("peak_lr", 0.01),
            int_param("warmup_steps", 5, 0, 50),
            int_param("total_steps", 100, 20, 350),
            lr_floor("min_lr", high=0.005),
        ),
        name="LinearWarmup+CosineDecay",
    ),
    Choice(
        "Transformer (inverse sqrt)",
        inverse_sqrt,
        (lr_param("peak_lr", 1e-3), int_param("warmup_steps", 100, 10, 300)),
        name="InverseSqrt",
    ),
    Choice(
        "BERT (warm-up + linear decay)",
        warmup_linear,
        (
            lr_param("peak_lr", 5e-5, 1e-6, 1e-3),
            int_param("warmup_steps", 100, 0, 500),
            int_param("total_steps", 1000, 600, 2000),
        ),
        name="WarmupLinearDecay",
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


def torch_values(schedule: schedules.Schedule, n: int) -> tuple[str, np.ndarray]:
    """The lr a torch scheduler gives updates 0 ... n - 1 (``scheduler.step()`` after each)."""
    with warnings.catch_warnings():  # torch's scheduler warnings concern training, not this
        warnings.simplefilter("ignore")
        scheduler, lrs = torch_lr_trace(schedule.to_torch, n)
    return type(scheduler).__name__, lrs


def keras_class_name(twin) -> str:
    """The Keras class a learner would use; lrcourse's own subclass is named as what it is."""
    name = type(twin).__name__
    return "LearningRateSchedule subclass" if name == "KerasSchedule" else name


def keras_values(schedule: schedules.Schedule, n: int) -> tuple[str, np.ndarray, np.ndarray]:
    """The lr Keras computes at steps 0 ... n - 1, in one batch call where the schedule allows
    it, else step by step at the marker steps."""
    import_keras()  # quietly, before to_keras() imports it
    twin = schedule.to_keras()
    steps = np.arange(n)
    try:
        values = np.asarray(twin(steps.astype("float32")), dtype=float)
    except Exception:  # noqa: BLE001 - e.g. ops.cond on a batch of steps (CosineDecay warm-up)
        values = None
    if values is None or values.shape != steps.shape:
        steps = marker_steps(n)
        values = np.array([float(twin(float(k))) for k in steps])
    return keras_class_name(twin), steps, values


@functools.lru_cache(maxsize=256)
def twins(schedule: schedules.Schedule, n: int) -> Twins:
    """Both twins of ``schedule`` over ``n`` steps (cached: schedules compare by their args)."""
    torch_name, torch_lr = torch_values(schedule, n)
    keras_name, keras_steps, keras_lr = keras_values(schedule, n)
    return Twins(torch_name, torch_lr, keras_name, keras_steps, keras_lr)


# -- one picture ----------------------------------------------------------------------------------
def draw(choice: Choice, values: dict, *, log: bool = False):
    """The figure and caption lines (see ``captions``) for one schedule with these values."""
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
    lines = [
        choice.describe_items(values),
        [
            f"torch {found.torch_name}: max |numpy - torch| = {torch_gap:.1e}",
            f"Keras {found.keras_name}: max |numpy - keras| = {keras_gap:.1e} (float32)",
            f"{n} {choice.unit}s",
        ],
    ]
    return fig, lines


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


def frameworks_loaded() -> bool:
    return "torch" in sys.modules and "keras" in sys.modules


class ScheduleExplorer(Explorer):
    """The explorer's state: ``widget`` (what the notebook shows), ``caption`` (the last one
    printed), ``select(label)``, ``set(**values)`` and ``redraw()``.

    ``draw_now=True`` draws at once; by default the first picture is drawn when the explorer
    is displayed (and never under nbgrader), see ``explorer``.
    """

    def __init__(self, choices=CHOICES, *, draw_now: bool = False, initial="step decay"):
        import ipywidgets as widgets

        super().__init__(draw_now=draw_now)
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
        self.widget = widgets.VBox(
            [widgets.HBox([self.dropdown, self.log_scale]), self.params_box, self.output]
        )
        self._show_controls()
        self.dropdown.observe(self._on_choice, names="value")
        self.observe(self.log_scale)
        for controls in self.controls.values():
            self.observe(*controls.values())
        self._ready()

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

    def figure(self):
        return draw(self.choice, self.values(), log=self.log_scale.value)

    def describe(self) -> list[list[str]]:
        return [self.choice.describe_items(self.values())]

    def loading_message(self) -> str | None:
        if frameworks_loaded():
            return None
        return "loading PyTorch and Keras… (the first time only: a few seconds)"


def schedule_explorer(**kwargs) -> ScheduleExplorer:
    """The schedule explorer; end a cell with it to show it (see the module docstring)."""
    return ScheduleExplorer(**kwargs)


__all__ = ["CHOICES", "ScheduleExplorer", "schedule_explorer", "twins"]
