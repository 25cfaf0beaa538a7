"""Strip what must never reach learners from a notebook: outputs, widget state, odd kernels.

nbgrader's ClearOutput empties cell outputs but keeps the notebook-level
``metadata.widgets``: the saved state of every ipywidget, Output widgets included, i.e. the
plots and printed values an instructor's solution produced. ``clean_notebook`` removes it,
along with execution counts, cell timing metadata and the Python version in
``language_info``, and sets the kernelspec to ``python3``.

It also tags every code cell a learner must work on (nbgrader solution cells, whose stub
raises ``NotImplementedError``) and every autograder test cell ``raises-exception``: with
that JupyterLab tag an error there does not stop Run All, so a learner's Run All on a fresh
release goes to the end. nbgrader ignores tags: its checksums cover source and nbgrader
metadata only, and a failing test cell still scores 0 (it records the error output).
"""

from __future__ import annotations

from pathlib import Path

import nbformat

PYTHON3_KERNELSPEC = {
    "display_name": "Python 3 (ipykernel)",
    "language": "python",
    "name": "python3",
}
VOLATILE_CELL_METADATA = ("execution", "collapsed", "scrolled", "ExecuteTime")
EXPECTED_FAILURE_TAG = "raises-exception"


def fails_until_answered(cell) -> bool:
    """A code cell that raises in a fresh release: an answer stub or an autograder test."""
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("solution") or meta.get("grade"))


def tag_expected_failures(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Tag stub and test cells ``raises-exception`` (modified in place, idempotent)."""
    for cell in nb.cells:
        if fails_until_answered(cell):
            tags = cell.metadata.setdefault("tags", [])
            if EXPECTED_FAILURE_TAG not in tags:
                tags.append(EXPECTED_FAILURE_TAG)
    return nb


def clean_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return ``nb`` without outputs, widget state or volatile metadata, its stub and test
    cells tagged ``raises-exception`` (modified in place)."""
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = dict(PYTHON3_KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    for cell in nb.cells:
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return tag_expected_failures(nb)


def kernel_language_info() -> dict:
    """The ``language_info`` this Python's ipykernel reports (its version included)."""
    from ipykernel.ipkernel import IPythonKernel

    return dict(IPythonKernel.language_info)


def stamp_language_info(nb: nbformat.NotebookNode, info: dict | None = None):
    """Give ``nb`` the ``language_info`` its kernel will report, so that opening it in
    JupyterLab changes nothing: JupyterLab writes the kernel's ``language_info`` into the
    notebook as soon as the kernel starts, and a notebook whose metadata then differs is
    marked unsaved before the learner has done anything. The committed release carries only
    ``{"name": "python"}`` (it must not depend on the release maker's Python), so the copy
    placed in a learner's workspace is stamped with the learner's own. Modified in place."""
    nb.metadata["language_info"] = dict(info or kernel_language_info())
    return nb


def clean_notebook_file(path: Path) -> bool:
    """Clean the notebook at ``path`` in place; True when the file changed."""
    before = path.read_text(encoding="utf-8")
    nb = clean_notebook(nbformat.reads(before, as_version=4))
    after = nbformat.writes(nb) + "\n"
    if after == before:
        return False
    path.write_text(after, encoding="utf-8")
    return True


def leaks(nb: nbformat.NotebookNode) -> list[str]:
    """What a released notebook must not contain, described (empty when clean)."""
    found = []
    if "widgets" in nb.metadata:
        found.append("saved widget state (metadata.widgets)")
    for index, cell in enumerate(nb.cells):
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
            if marker in cell.source:
                found.append(f"cell {index}: '{marker}'")
        if cell.cell_type == "code" and cell.outputs:
            found.append(f"cell {index}: outputs")
    return found
