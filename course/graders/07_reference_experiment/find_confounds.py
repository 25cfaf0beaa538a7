"""07_reference_experiment, exercise 1 (3 points): the article's confounds in a setup."""

import numpy as np
from autograder.exercise import Case, Exercise, Mistakes

from lrcourse.experiments.confounds import ARTICLE, CONFOUNDS, COURSE
from lrcourse.experiments.confounds import find_confounds as library_confounds


def reference(classes_used, classes_in_dataset, validation_data, sgd_momenta, seeds):
    """One flag (1 present, 0 absent) per confound, in ``CONFOUNDS`` order: fewer classes than
    the dataset has, the test set used as validation, SGD momenta that differ, < 3 seeds."""
    found = library_confounds(classes_used, classes_in_dataset, validation_data, sgd_momenta, seeds)
    return np.array([int(name in found) for name in CONFOUNDS])


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for i in range(6):
        classes_in_dataset = int(rng.choice([10, 100, 1000]))
        if i == 0:  # a subset of more than ten classes of a large dataset
            classes_in_dataset = 100
            classes_used = int(rng.integers(11, 100))
        else:
            classes_used = int(
                rng.choice([classes_in_dataset, int(rng.integers(2, classes_in_dataset))])
            )
        validation = str(rng.choice(["test", "validation split"]))
        n_sgd = int(rng.integers(0, 7))
        if i == 1:  # several SGD runs, all with the same momentum, not 0.9
            momenta = [float(rng.choice([0.0, 0.5, 0.8, 0.95]))] * int(rng.integers(2, 7))
        elif i == 2:  # several SGD runs at 0.9
            momenta = [0.9] * int(rng.integers(2, 7))
        elif rng.uniform() < 0.5:
            momenta = [float(rng.choice([0.0, 0.8, 0.9, 0.95]))] * n_sgd
        else:
            momenta = [float(m) for m in rng.choice([0.0, 0.5, 0.8, 0.9, 0.95], size=n_sgd)]
        seeds = 2 if i == 3 else int(rng.integers(1, 7))
        cases.append(Case((classes_used, classes_in_dataset, validation, momenta, seeds)))
    return cases


def flags(classes, test, momentum, seeds):
    return np.array([int(classes), int(test), int(momentum), int(seeds)])


mistakes = Mistakes()


@mistakes.add(
    "momentum is a confound when the SGD runs' momenta DIFFER from each other "
    "(len(set(sgd_momenta)) > 1), not when there is more than one SGD run."
)
def counts_the_runs(classes_used, classes_in_dataset, validation_data, sgd_momenta, seeds):
    return flags(
        classes_used < classes_in_dataset,
        validation_data == "test",
        len(sgd_momenta) > 1,
        seeds < 3,
    )


@mistakes.add(
    "momentum is a confound when the runs' momenta differ from EACH OTHER: no value (0.9 "
    "or any other) is the right one; compare the momenta among themselves."
)
def compares_with_a_favourite(
    classes_used, classes_in_dataset, validation_data, sgd_momenta, seeds
):
    return flags(
        classes_used < classes_in_dataset,
        validation_data == "test",
        any(m != 0.9 for m in sgd_momenta),
        seeds < 3,
    )


@mistakes.add(
    "two seeds give one difference, not a spread you can trust: flag fewer than 3 seeds "
    "(seeds < 3), not only a single seed."
)
def only_one_seed(classes_used, classes_in_dataset, validation_data, sgd_momenta, seeds):
    return flags(
        classes_used < classes_in_dataset,
        validation_data == "test",
        len(set(sgd_momenta)) > 1,
        seeds < 2,
    )


@mistakes.add(
    "compare classes_used with classes_in_dataset, not with 10: the dataset may be "
    "CIFAR-100 (100 classes) or ImageNet (1000)."
)
def assumes_ten_classes(classes_used, classes_in_dataset, validation_data, sgd_momenta, seeds):
    return flags(
        classes_used < 10,
        validation_data == "test",
        len(set(sgd_momenta)) > 1,
        seeds < 3,
    )


def as_case(setup: dict) -> Case:
    return Case(
        tuple(
            setup[k]
            for k in (
                "classes_used",
                "classes_in_dataset",
                "validation_data",
                "sgd_momenta",
                "seeds",
            )
        )
    )


EXERCISE = Exercise(
    name="find_confounds",
    reference=reference,
    visible=(
        as_case(ARTICLE),  # the article: all four
        as_case(COURSE),  # the course's comparison: none (nine SGD runs, all at 0.8)
        Case((100, 100, "validation split", [0.9, 0.9], 2)),  # CIFAR-100, two seeds
        Case((10, 100, "test", [0.9], 5)),  # ten of CIFAR-100's classes, one SGD run
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
