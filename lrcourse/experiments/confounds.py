"""What makes a comparison of learning-rate schedules unfair: the reference article's four
confounds, checked on a comparison's setup.

A comparison tells you which schedule is better only if the schedule is the *only* thing
that differs between its runs, and if the difference it measures is larger than the noise.
The reference article broke both rules in four ways (``CONFOUNDS``, in this order):

========================  ======================================================================
confound                  flagged when
========================  ======================================================================
subset_of_classes         fewer classes were used than the dataset has (the article: 2 of
                          CIFAR-10's 10, cats vs dogs) -- an easier, different problem
test_set_as_validation    the data the runs were compared (or stopped, or tuned) on is the test
                          set -- the test accuracy is then no longer an unbiased estimate
momentum_varies           the SGD runs do not all use the same momentum (the article: 0 in the
                          constant run, 0.8 in the time-based one) -- the effect of the schedule
                          is mixed with the effect of momentum
too_few_seeds             fewer than ``MIN_SEEDS`` (3) seeds per run -- no spread to compare the
                          differences with (the article: one seed)
========================  ======================================================================

``ARTICLE`` is the article's setup, ``COURSE`` the course's (``lrcourse.experiments.runs``):

>>> find_confounds(**ARTICLE)
['subset_of_classes', 'test_set_as_validation', 'momentum_varies', 'too_few_seeds']
>>> find_confounds(**COURSE)
[]
"""

from __future__ import annotations

from .. import validation
from .runs import RUNS

CONFOUNDS = ("subset_of_classes", "test_set_as_validation", "momentum_varies", "too_few_seeds")
MIN_SEEDS = 3
VALIDATION_DATA = ("test", "validation split")

ARTICLE = dict(
    classes_used=2,
    classes_in_dataset=10,
    validation_data="test",
    sgd_momenta=[0.0, 0.8],  # the constant run and the time-based run (the two it states)
    seeds=1,
)
COURSE = dict(
    classes_used=10,
    classes_in_dataset=10,
    validation_data="validation split",
    sgd_momenta=[
        o.momentum for o in (r.optimizer() for r in RUNS.values()) if type(o).__name__ == "SGD"
    ],
    seeds=3,
)


def find_confounds(
    classes_used, classes_in_dataset, validation_data, sgd_momenta, seeds
) -> list[str]:
    """The names of ``CONFOUNDS`` present in a comparison's setup, in ``CONFOUNDS`` order.

    ``validation_data``: "test" or "validation split"; ``sgd_momenta``: the momentum of each
    SGD run (may be empty when no run uses SGD); ``seeds``: seeds per run."""
    validation.check_int("classes_used", classes_used, low=1)
    validation.check_int("classes_in_dataset", classes_in_dataset, low=classes_used)
    validation.check_choice("validation_data", validation_data, VALIDATION_DATA)
    momenta = [
        validation.check_number(f"sgd_momenta[{i}]", m, low=0.0) for i, m in enumerate(sgd_momenta)
    ]
    validation.check_int("seeds", seeds, low=1)
    present = {
        "subset_of_classes": classes_used < classes_in_dataset,
        "test_set_as_validation": validation_data == "test",
        "momentum_varies": len(set(momenta)) > 1,
        "too_few_seeds": seeds < MIN_SEEDS,
    }
    return [name for name in CONFOUNDS if present[name]]
