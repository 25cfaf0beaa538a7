"""Loading the answer keys in ``course/graders/<assignment>/``: one file per exercise.

A file that starts with ``_`` is not an exercise. Folders are named like the assignments
(``02_schedules``), which are not Python identifiers, so the files are loaded by path under
the module names ``graders.<assignment>.<exercise>``.
"""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path

from .exercise import Exercise

GRADERS_DIR = Path(__file__).resolve().parent.parent / "graders"


def exercise_files(assignment: str, graders_dir: Path = GRADERS_DIR) -> list[Path]:
    folder = graders_dir / assignment
    return sorted(p for p in folder.glob("*.py") if not p.name.startswith("_"))


def _load(path: Path) -> Exercise:
    module_name = f"graders.{path.parent.name}.{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    exercise = getattr(module, "EXERCISE", None)
    if not isinstance(exercise, Exercise):
        raise TypeError(f"{path} must define EXERCISE = Exercise(...)")
    if exercise.name != path.stem:
        raise ValueError(f"{path} defines exercise {exercise.name!r}; name the file after it")
    return exercise


@cache
def answer_key(assignment: str, graders_dir: Path = GRADERS_DIR) -> dict[str, Exercise]:
    """``{exercise name: Exercise}`` for ``assignment`` (empty if it has no answer key)."""
    return {p.stem: _load(p) for p in exercise_files(assignment, graders_dir)}
