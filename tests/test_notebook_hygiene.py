"""What a learner meets in every course notebook, checked on the notebook files themselves.

- Run All goes to the end: every stub and autograder test cell is tagged
  ``raises-exception`` (in ``source_notebooks/`` and so in ``release/``), and the tag does
  not change nbgrader's checksums.
- Cells run in any order after the setup cell: every name a code cell uses is defined in
  that cell, in the setup cell (the first code cell), in a learner's answer cell, or is a
  builtin (checked by reading the code; ``test_cells_run_in_reverse_order`` runs it).
- No explorer or widget code in the notebooks (it lives in ``lrcourse.widgets``), no bare
  framework import (``import_keras`` keeps TensorFlow's start-up lines out of sight).
- The last cell says how to validate and hand in; a notebook names only assignments that
  exist or are planned.
- Small torch models run on one thread.
"""

from __future__ import annotations

import ast
import builtins
import re
import sys
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

from notebook_hygiene import EXPECTED_FAILURE_TAG, clean_notebook  # noqa: E402

TREES = ("source_notebooks", "release")
NOTEBOOKS = sorted(
    p.relative_to(REPO).as_posix() for tree in TREES for p in (REPO / tree).glob("*/*.ipynb")
)
SOURCES = [n for n in NOTEBOOKS if n.startswith("source_notebooks/")]
# The course's plan (shared/syllabus.md): assignments a notebook may point to before they exist.
PLANNED: set[str] = set()


def read(rel: str) -> nbformat.NotebookNode:
    return nbformat.read(REPO / rel, as_version=4)


def nbgrader(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def code_cells(nb):
    return [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]


# -- Run All goes to the end ----------------------------------------------------------------------
@pytest.mark.parametrize("rel", NOTEBOOKS)
def test_stub_and_test_cells_let_run_all_go_on(rel):
    nb = read(rel)
    expected = [
        i for i, c in code_cells(nb) if nbgrader(c).get("solution") or nbgrader(c).get("grade")
    ]
    assert expected, "an assignment without answer or test cells?"
    untagged = [
        i for i in expected if EXPECTED_FAILURE_TAG not in nb.cells[i].metadata.get("tags", [])
    ]
    assert not untagged, f"cells {untagged} of {rel} stop Run All: run `make release`"
    others = [
        i
        for i, c in code_cells(nb)
        if i not in expected and EXPECTED_FAILURE_TAG in c.metadata.get("tags", [])
    ]
    assert not others, f"cells {others} may raise without stopping Run All, but must not raise"


def test_make_release_adds_the_tag_and_nbgrader_ignores_it():
    from nbgrader.utils import compute_checksum

    nb = read(SOURCES[0])
    test_cell = next(c for _, c in code_cells(nb) if nbgrader(c).get("grade"))
    untagged = nbformat.from_dict(
        {**test_cell, "metadata": {"nbgrader": dict(nbgrader(test_cell))}}
    )
    fresh = nbformat.v4.new_notebook(cells=[untagged, nbformat.v4.new_code_cell("x = 1")])
    clean_notebook(fresh)
    assert fresh.cells[0].metadata["tags"] == [EXPECTED_FAILURE_TAG]
    assert "tags" not in fresh.cells[1].metadata
    assert compute_checksum(fresh.cells[0]) == compute_checksum(untagged)


# -- cells in any order ---------------------------------------------------------------------------
def names_of(source: str) -> tuple[set[str], set[str]]:
    """(names a cell defines anywhere, names it reads) of a code cell."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    tree = ast.parse("\n".join(lines))
    defined, read_ = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            defined |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.arg):
            defined.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            defined.add(node.name)
        elif isinstance(node, ast.Name):
            (defined if isinstance(node.ctx, ast.Store | ast.Del) else read_).add(node.id)
    return defined, read_ - defined - set(dir(builtins))


@pytest.mark.parametrize("rel", SOURCES)
def test_every_cell_needs_only_the_setup_cell_and_the_answers(rel):
    cells = code_cells(read(rel))
    setup_defines, setup_reads = names_of(cells[0][1].source)
    assert not setup_reads - {"get_ipython"}, setup_reads
    answers = set()
    for _, cell in cells:
        if nbgrader(cell).get("solution"):
            answers |= names_of(cell.source)[0]
    problems = {}
    for i, cell in cells[1:]:
        missing = names_of(cell.source)[1] - setup_defines - answers - {"get_ipython"}
        if missing:
            problems[i] = sorted(missing)
    assert not problems, (
        f"{rel}: these cells use names defined in other cells (define them in the setup cell "
        f"or in lrcourse): {problems}"
    )


@pytest.mark.slow
@pytest.mark.parametrize("rel", SOURCES)
def test_cells_run_in_reverse_order(rel, tmp_path):
    """The setup cell, the learner's answers, then every other code cell from the last to
    the first, in one kernel: a cell that needs an earlier one fails here."""
    from nbclient import NotebookClient

    nb = read(rel)
    cells = [c for _, c in code_cells(nb)]
    answers = [c for c in cells[1:] if nbgrader(c).get("solution")]
    others = [c for c in cells[1:] if not nbgrader(c).get("solution")]
    nb.cells = [cells[0], *answers, *reversed(others)]
    client = NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str((REPO / rel).parent)}},  # beside its checks
    )
    client.execute()  # raises CellExecutionError on an error in an untagged cell
    errors = [
        (c.source.splitlines()[0], o.ename)
        for c in nb.cells
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert not errors, errors


# -- what the notebooks may contain --------------------------------------------------------------
@pytest.mark.parametrize("rel", SOURCES)
def test_no_widget_code_and_no_bare_framework_import_in_a_notebook(rel):
    for i, cell in code_cells(read(rel)):
        tree = ast.parse(cell.source)
        imported = {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        } | {
            node.module.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
        }
        assert not imported & {"ipywidgets", "keras", "tensorflow"}, (
            f"{rel} cell {i} imports {imported & {'ipywidgets', 'keras', 'tensorflow'}}: "
            "explorers live in lrcourse.widgets, Keras comes from lrcourse.frameworks.import_keras"
        )


def test_the_widgets_never_import_keras_directly():
    for path in sorted((REPO / "lrcourse" / "widgets").glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(n.split(".")[0] in ("keras", "tensorflow") for n in names), path


def test_the_small_torch_sweep_runs_on_one_thread():
    nb = read("source_notebooks/01_learning_rate/01_learning_rate.ipynb")
    torch_cells = [c.source for _, c in code_cells(nb) if "torch.optim" in c.source]
    assert torch_cells
    assert all("torch.set_num_threads(1)" in s for s in torch_cells)


@pytest.mark.parametrize("rel", NOTEBOOKS)
def test_the_last_cell_says_how_to_validate_and_hand_in(rel):
    last = read(rel).cells[-1]
    assert last.cell_type == "markdown"
    text = last.source
    assert "Validate" in text and "assignment list" in text, text
    assert "Submit" in text and "hand in" in text.lower(), text
    assert f"`{Path(rel).name}`" in text, "name the file to hand in"


@pytest.mark.parametrize("rel", SOURCES)
def test_a_notebook_points_only_to_assignments_that_exist_or_are_planned(rel):
    existing = {p.name for p in (REPO / "source_notebooks").iterdir() if p.is_dir()}
    text = "\n".join(c.source for c in read(rel).cells if c.cell_type == "markdown")
    named = set(re.findall(r"`(\d\d_[a-z_]+)`", text))
    assert named <= existing | PLANNED, named - existing - PLANNED


def test_02_closes_with_the_next_assignment():
    nb = read("source_notebooks/02_schedules/02_schedules.ipynb")
    summary = next(c.source for c in reversed(nb.cells) if c.source.startswith("## Summary"))
    assert "`03_optimizers`" in summary


def test_a_stamped_copy_carries_what_its_kernel_will_report():
    """JupyterLab writes the kernel's language_info into a notebook when it opens; a copy
    stamped with exactly that is not marked unsaved (checked in the browser tests)."""
    from ipykernel.ipkernel import IPythonKernel
    from notebook_hygiene import stamp_language_info

    nb = read(NOTEBOOKS[0])
    assert nb.metadata.language_info == {"name": "python"}  # the committed file: no version
    stamp_language_info(nb)
    assert nb.metadata.language_info == IPythonKernel.language_info
    assert clean_notebook(nb).metadata.language_info == {"name": "python"}
