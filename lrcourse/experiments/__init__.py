"""Experiments: named runs, the section-6 recipes, and the comparison that runs them.

- ``RUNS`` / ``select_runs``: the reference article's eight runs done properly (all 10
  classes, a validation split, one SGD momentum, several seeds) plus cosine, cyclical,
  1-cycle, warm-up + cosine and an LR-finder run (see ``lrcourse.experiments.runs``).
- ``RECIPES``: AlexNet, VGG, ResNet, Inception-v3, DenseNet, MobileNet, Transformer and
  BERT settings as data; ``RECIPES["resnet"].build(steps_per_epoch, epochs)``;
  ``scale_recipe(name, steps_per_epoch, epochs)`` moves their lr changes to the same
  fractions of a shorter run (``recipe_scaling``).
- ``search``: grid, random and TPE search of the lr and a warm-up with Optuna (imported
  only when used), on ``digits_mlp``'s NumPy network, in a study stored in a database.
- ``compare(CompareSettings(...))``: train the runs over seeds with PyTorch or Keras, write
  ``results.csv`` and figures. ``lrcourse compare`` is its command line.
- ``seeds``: mean, sample std (ddof=1) and t interval of a run's seeds, ``rank`` and
  ``tied_with_best`` (within k standard errors of the difference); ``confounds``: the
  article's four confounds; ``conclusions``: its two conclusions judged against the spread.
- ``train_plan(plan_comparison(...))``: train in memory under one bar (a notebook's run);
  ``load_measured()``: the full GPU comparison, or "not yet measured on a GPU".
- ``plateau_runs.train_plateau_runs()``: ReduceLROnPlateau and EarlyStopping in real
  training, the never-stopping failure and its fixes (assignment 04).

Importing this package imports neither torch nor TensorFlow.
"""

from .compare import (
    CompareSettings,
    Comparison,
    Plan,
    compare,
    format_table,
    plan_comparison,
    run_comparison,
)
from .measured import Measured, NotMeasured, load_measured
from .recipe_scaling import ScaledRecipe, scale_recipe
from .recipes import RECIPES, BuiltRecipe, Recipe, format_recipes, get_recipe
from .runs import GROUPS, RUNS, SGD_MOMENTUM, RunLength, RunSpec, select_runs
from .scale import Scale, choose_scale
from .seeds import SeedSummary, summarise_seeds, tied_with_best
from .train_plan import train_plan

__all__ = [
    "GROUPS",
    "RECIPES",
    "RUNS",
    "SGD_MOMENTUM",
    "BuiltRecipe",
    "CompareSettings",
    "Comparison",
    "Measured",
    "NotMeasured",
    "Plan",
    "Recipe",
    "RunLength",
    "RunSpec",
    "Scale",
    "ScaledRecipe",
    "SeedSummary",
    "choose_scale",
    "compare",
    "format_recipes",
    "format_table",
    "get_recipe",
    "load_measured",
    "plan_comparison",
    "run_comparison",
    "scale_recipe",
    "select_runs",
    "summarise_seeds",
    "tied_with_best",
    "train_plan",
]
