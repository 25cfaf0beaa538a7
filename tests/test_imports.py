"""``import lrcourse`` and its NumPy modules never pull in a deep-learning framework."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("torch", "tensorflow", "keras", "matplotlib")
MODULES = [
    "lrcourse",
    "lrcourse.optim",
    "lrcourse.schedules",
    "lrcourse.callbacks",
    "lrcourse.lr_finder",
    "lrcourse.plots",
    "lrcourse.validation",
    "lrcourse.grading",
    "lrcourse.widgets",
    "lrcourse.data",
    "lrcourse.models",
    "lrcourse.train",
    "lrcourse.experiments",
]


@pytest.mark.parametrize("module", MODULES)
def test_import_leaves_frameworks_out(module):
    code = (
        f"import json, sys, {module}; "
        f"print(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [], f"import {module} pulled in {out.stdout.strip()}"


def test_unknown_attribute_is_a_clear_error():
    import lrcourse

    with pytest.raises(AttributeError, match="has no attribute 'optimizers'"):
        lrcourse.optimizers  # noqa: B018
