"""``make release``: regenerate ``release/`` from ``source_notebooks/``.

For every assignment folder in ``source_notebooks/``:

1. clean the source notebooks in place (outputs, saved widget state, volatile metadata,
   kernelspec ``python3``; see ``notebook_hygiene``), because nbgrader keeps
   ``metadata.widgets``, which holds the solution's plots and printed values;
2. ``nbgrader generate_assignment <assignment> --force`` (in ``course/``): solutions become
   ``raise NotImplementedError()``, hidden tests go, test cells are locked, and the
   assignment is recorded in ``course/gradebook.db`` (autograding needs it);
3. check the result: no solution or hidden-test markers, no outputs, no widget state;
4. write ``checks.json`` next to each released notebook: the check cells' data (visible cases,
   expected outputs, each classic mistake's outputs and hint) from ``course/graders/``.

Usage: python scripts/release_assignments.py [--root COPY_OF_THE_REPOSITORY]
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbgrader_course import (
    COURSE_DIR,
    RELEASE_DIR,
    SOURCE_DIR,
    assignments,
    parse_args,
    run_nbgrader,
)
from notebook_hygiene import clean_notebook_file, leaks


def release(root: Path) -> list[str]:
    """Regenerate the release of every assignment under ``root``; return their names."""
    names = assignments(root)
    sys.path.insert(0, str(root / COURSE_DIR))
    from autograder.check_data import write_check_data

    for name in names:
        for notebook in sorted((root / SOURCE_DIR / name).glob("*.ipynb")):
            if clean_notebook_file(notebook):
                print(f"cleaned {notebook.relative_to(root)}")
        run_nbgrader(root, "generate_assignment", name, "--force")
        for notebook in sorted((root / RELEASE_DIR / name).glob("*.ipynb")):
            found = leaks(nbformat.read(notebook, as_version=4))
            if found:
                sys.exit(f"{notebook.relative_to(root)} leaks: " + "; ".join(found))
        write_check_data(name, root / RELEASE_DIR, root / COURSE_DIR / "graders")
    return names


if __name__ == "__main__":
    args = parse_args("Regenerate release/ from source_notebooks/ (what `make release` runs).")
    released = release(args.root)
    print("released: " + ", ".join(released))
