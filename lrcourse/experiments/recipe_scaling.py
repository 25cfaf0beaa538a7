"""The section-6 recipes scaled to a shorter run: every lr change at the same fraction of it.

``RECIPES[name].build(steps_per_epoch, epochs)`` keeps the papers' numbers as they are:
ResNet divides the lr at epochs 30, 60 and 90 whatever the run's length, the Transformer
warms up for 4,000 steps, BERT for 10,000. On a 10-epoch CIFAR-10 run of 391 steps per
epoch (3,910 updates) that means ResNet never decays, the Transformer never finishes its
warm-up and BERT cannot be built at all. :func:`scale_recipe` rescales the *time axis* of
each recipe to the run at hand, and changes nothing else (optimizer, initial lr, factors):

    documented run       what is scaled                               scaled to T = E * S updates
    100 epochs           milestones 30, 60, 90 (ResNet, DenseNet)      0.3 E, 0.6 E, 0.9 E epochs
    100 epochs           "x r every k epochs" (Inception, MobileNet)   x r every k E / 100 epochs
    100 epochs           plateau patience 5 epochs (AlexNet, VGG)      max(1, round(5 E / 100))
    100,000 steps        4,000 warm-up steps (Transformer)             4% of T
    1,000,000 steps      10,000 warm-up steps (BERT), linear to 0      1% of T, then linear to 0

so the final lr of a run equals the documented run's final lr (ResNet ends at lr0 / 1000,
Inception at lr0 * 0.94^50). A milestone or a decay period shorter than one update is
rounded to whole updates (at least 1).

>>> scaled = scale_recipe("resnet", steps_per_epoch=391, epochs=10)
>>> scaled.built.schedule.milestones
[1173, 2346, 3519]
>>> scaled.changes[0]
'/10 at epochs 30, 60, 90 of 100 -> at epochs 3, 6, 9 of 10 (steps 1173, 2346, 3519)'
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import validation
from .recipes import BuiltRecipe, get_recipe

DOCUMENTED_EPOCHS = 100  # the epoch-based recipes' run (30, 60, 90 are its milestones)
DOCUMENTED_STEPS = {"transformer": 100_000, "bert": 1_000_000}  # base Transformer, BERT
MILESTONES = (30, 60, 90)
EXPONENTIAL = {"inception_v3": (0.94, 2), "mobilenet": (0.98, 1)}  # rate, every k epochs


@dataclass(frozen=True)
class ScaledRecipe:
    """The recipe built for the run, and a sentence per scaled quantity."""

    name: str
    built: BuiltRecipe
    changes: tuple[str, ...]


def scale_recipe(name: str, steps_per_epoch: int, epochs: int) -> ScaledRecipe:
    """Recipe ``name`` built for ``epochs`` epochs of ``steps_per_epoch`` updates, its lr
    changes moved to the same fractions of this run as of the documented one."""
    from .. import optim, schedules
    from ..callbacks import ReduceLROnPlateau

    recipe = get_recipe(name)
    spe = validation.check_int("steps_per_epoch", steps_per_epoch, low=1)
    epochs = validation.check_int("epochs", epochs, low=1)
    total, lr = spe * epochs, recipe.initial_lr
    optimizer = getattr(optim, recipe.optimizer_name)(lr=lr, **recipe.optimizer_kwargs)
    fraction = epochs / DOCUMENTED_EPOCHS
    if name in ("resnet", "densenet"):
        steps = [max(1, round(m * fraction * spe)) for m in MILESTONES]
        schedule = schedules.MultiStepDecay(lr, steps, gamma=0.1)
        at = ", ".join(f"{s / spe:g}" for s in steps)
        change = (
            f"/10 at epochs 30, 60, 90 of 100 -> at epochs {at} of {epochs} "
            f"(steps {', '.join(map(str, steps))})"
        )
        return ScaledRecipe(name, BuiltRecipe(optimizer, schedule, None), (change,))
    if name in EXPONENTIAL:
        rate, every = EXPONENTIAL[name]
        period = max(1, round(every * fraction * spe))
        schedule = schedules.ExponentialDecay(lr, period, rate, staircase=True)
        change = (
            f"x{rate:g} every {every} epoch{'s' * (every > 1)} of 100 -> x{rate:g} every "
            f"{period} steps ({period / spe:.3g} epochs): the final lr is still "
            f"lr0 * {rate:g}^{DOCUMENTED_EPOCHS // every}"
        )
        return ScaledRecipe(name, BuiltRecipe(optimizer, schedule, None), (change,))
    if name in ("alexnet", "vgg"):
        documented = recipe.plateau_kwargs["patience"]
        patience = max(1, round(documented * fraction))
        plateau = ReduceLROnPlateau(**{**recipe.plateau_kwargs, "patience": patience})
        change = (
            f"/10 when val accuracy has not improved for {documented} of 100 "
            f"epochs -> for {patience} of {epochs}"
        )
        return ScaledRecipe(name, BuiltRecipe(optimizer, None, plateau), (change,))
    documented = DOCUMENTED_STEPS[name]
    warmup = max(1, round(total * (4_000 if name == "transformer" else 10_000) / documented))
    if name == "transformer":
        schedule = schedules.InverseSqrt(lr, warmup_steps=warmup)
        change = f"4,000 of {documented:,} warm-up steps -> {warmup} of {total} (4%)"
    else:
        schedule = schedules.WarmupLinearDecay(lr, warmup_steps=warmup, total_steps=total)
        change = (
            f"10,000 of {documented:,} warm-up steps -> {warmup} of {total} (1%), then linear to 0"
        )
    return ScaledRecipe(name, BuiltRecipe(optimizer, schedule, None), (change,))
