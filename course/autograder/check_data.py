"""The check data ``make release`` writes next to each released notebook (``checks.json``).

For every exercise: its parameter names, visible cases, the reference's output on each, and
each mistake's hint with its outputs on the same cases. That is all a learner's check cell
needs to name the mistake that reproduces their outputs (``lrcourse.grading.checks``); no
code that computes an answer leaves the instructor's side.
"""

from __future__ import annotations

import json
from pathlib import Path

from lrcourse.grading import plain_values
from lrcourse.grading.checks import CHECKS_FILE

from .answer_key import GRADERS_DIR, answer_key
from .exercise import Exercise, outputs_or_failed, quietly


def exercise_data(exercise: Exercise) -> dict:
    cases = exercise.visible
    return {
        "name": exercise.name,
        "parameters": list(exercise.parameter_names),
        "cases": [plain_values.encode(list(c.args)) for c in cases],
        "expected": [plain_values.encode(quietly(exercise.reference, c.args)) for c in cases],
        "mistakes": [
            {
                "hint": m.hint,
                "outputs": [
                    None if out is None else plain_values.encode(out)
                    for out in outputs_or_failed(m.implementation, cases)
                ],
            }
            for m in exercise.mistakes
        ],
        "rtol": exercise.rtol,
        "atol": exercise.atol,
        "time_limit_s": exercise.time_limit_s,
    }


def check_data(assignment: str, graders_dir: Path = GRADERS_DIR) -> dict:
    exercises = answer_key(assignment, graders_dir)
    return {
        "assignment": assignment,
        "exercises": [exercise_data(e) for e in exercises.values()],
    }


def write_check_data(assignment: str, release_dir: Path, graders_dir: Path = GRADERS_DIR):
    """Write ``release_dir/<assignment>/checks.json``; return its path (None: no exercises)."""
    data = check_data(assignment, graders_dir)
    if not data["exercises"]:
        return None
    path = Path(release_dir) / assignment / CHECKS_FILE
    path.write_text(json.dumps(data, indent=1, allow_nan=False) + "\n", encoding="utf-8")
    return path
