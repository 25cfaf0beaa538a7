"""Every course notebook, opened and run in JupyterLab in chromium, as a learner would.

- Solution notebooks (``source_notebooks/``): Run All must run every cell without an error,
  and autograder test cells must not write to stderr (nbgrader scores such a cell 0).
- Release notebooks (``release/``, what learners get): errors are allowed only where the
  learner has work to do: a solution cell may raise ``NotImplementedError`` (its stub), an
  autograder test cell may fail with ``NotImplementedError``, an ``AssertionError``
  (``AnswerRejected``) or a ``NameError``. Those cells are tagged ``raises-exception`` in the
  notebooks themselves, so one Run All must reach the end (the harness would go on below an
  error, but a second round is a failure here), and every other cell must run clean.
- Both: every widget renders (no text fallback, no "Error displaying widget"), moving each
  explorer's sliders updates its caption to the new value under a redrawn plot, a dropdown
  change updates the caption, tqdm loops show a progress-bar widget, and the browser console
  has no widget-manager errors. A screenshot per notebook goes to test-artifacts/screenshots/.

Notebooks are found when the tests are collected, so assignments added later are tested too.
The ``test_harness_*`` tests check the harness itself on notebooks written here.
"""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import asdict
from pathlib import Path

import nbformat
import pytest
from lab_harness import REPO_ROOT, RunReport, record_timing, run_notebook

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Slider (or dropdown) to redrawn plot and caption, timed in the page. The target is 0.5 s
# (schedule plots on a 2-core CPU); it is reported, not enforced, since a loaded CI machine
# can double it. Only an explorer slower than the limit fails.
TARGET_EXPLORER_LATENCY_S = 0.5
MAX_EXPLORER_LATENCY_S = 5.0


def course_notebooks() -> list[str]:
    found = []
    for tree in ("release", "source_notebooks"):
        for path in sorted((REPO_ROOT / tree).glob("**/*.ipynb")):
            if ".ipynb_checkpoints" not in path.parts:
                found.append(path.relative_to(REPO_ROOT).as_posix())
    return found


def _workspace(name: str) -> str:
    return "t-" + "".join(ch if ch.isalnum() else "-" for ch in name)[-60:]


def _check(report: RunReport, name: str, screenshots: Path) -> list[str]:
    """Record timings and the report; return the problems found."""
    record_timing(name, **report.timings())
    (screenshots.parent / "reports").mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "__", name.removesuffix(".ipynb"))
    (screenshots.parent / "reports" / f"{stem}.json").write_text(
        json.dumps(asdict(report), indent=2, default=str) + "\n"
    )
    print(
        f"\n{name} [{report.mode}]: open-to-idle {report.open_to_idle_s:.2f} s, run "
        f"{report.run_s:.2f} s in {report.rounds} round(s), {report.sliders} slider(s), "
        f"{report.dropdowns} dropdown(s), {report.progress_bars} progress bar(s)"
    )
    for e in report.expected_errors:
        print(f"  expected: cell {e.index} ({e.kind}) {e.ename}")
    for i in report.interactions:
        print(
            f"  {i.control} (cell {i.cell}) {i.old} -> {i.new}: {i.latency_s:.3f} s"
            + ("" if i.ok else f"  FAILED: {i.problem}")
        )
    slow = [i for i in report.interactions if i.ok and i.latency_s > TARGET_EXPLORER_LATENCY_S]
    if slow:
        print(
            f"  note: {len(slow)} of {len(report.interactions)} explorer updates took longer "
            f"than the {TARGET_EXPLORER_LATENCY_S} s target"
        )
    for note in report.stderr_notes:
        print(f"  note: {note}")
    problems = report.problems()
    problems += [
        f"{i.control} in cell {i.cell}: plot and caption took {i.latency_s:.2f} s "
        f"(limit {MAX_EXPLORER_LATENCY_S} s)"
        for i in report.interactions
        if i.ok and i.latency_s > MAX_EXPLORER_LATENCY_S
    ]
    return problems


@pytest.mark.parametrize("notebook", course_notebooks())
def test_notebook_in_browser(notebook, browser, lab_server, screenshots_dir):
    mode = "learner" if notebook.startswith("release/") else "solution"
    report, page = run_notebook(
        browser,
        lab_server,
        notebook,
        mode=mode,
        workspace=_workspace(notebook),
        artifacts=screenshots_dir,
    )
    page.close()
    problems = _check(report, notebook, screenshots_dir)
    if report.rounds != 1:  # the notebook as committed, untouched: its tags must carry Run All
        problems.append(
            f"one Run All did not reach the end ({report.rounds} rounds): tag the stub and test "
            "cells `raises-exception` in source_notebooks/ (make release does) and re-release"
        )
    if report.dirty_after_open:  # a learner who only looked is asked to save or discard
        changed = ", ".join(report.metadata_changed_on_open) or "not the notebook metadata"
        problems.append(f"marked unsaved as soon as it opened (JupyterLab changed: {changed})")
    assert not problems, f"{notebook} ({mode} run):\n- " + "\n- ".join(problems)


# --------------------------------------------------------------------------------------
# The harness on notebooks of its own (run even before any course notebook exists)
# --------------------------------------------------------------------------------------
def _cell(source: str, kind: str = "code", **nbgrader):
    src = textwrap.dedent(source).strip()
    cell = nbformat.v4.new_code_cell(src) if kind == "code" else nbformat.v4.new_markdown_cell(src)
    if nbgrader:
        cell.metadata["nbgrader"] = {"schema_version": 3, "points": 0, **nbgrader}
    return cell


def _write_notebook(root: Path, rel: str, cells) -> str:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    nb.cells = cells
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return rel


EXPLORER = """
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

lr = widgets.FloatLogSlider(value=1e-2, base=10, min=-4, max=0, step=0.1, description="lr")
warmup = widgets.IntSlider(value=10, min=0, max=50, description="warmup")
shape = widgets.Dropdown(options=["cosine", "linear", "constant"], description="schedule")
out = widgets.Output()

def draw(change=None):
    steps = np.arange(200)
    ramp = np.minimum(1, (steps + 1) / max(warmup.value, 1))
    decay = {"cosine": 0.5 * (1 + np.cos(np.pi * steps / 200)),
             "linear": 1 - steps / 200, "constant": np.ones(200)}[shape.value]
    with out:
        out.clear_output(wait=True)
        fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
        ax.plot(steps, lr.value * ramp * decay)
        ax.set_xlabel("step"); ax.set_ylabel("learning rate")
        display(fig)
        plt.close(fig)
        print(f"{shape.value} schedule, peak lr = {lr.value:.3g}, warmup = {warmup.value} steps")

for w in (lr, warmup, shape):
    w.observe(draw, "value")
draw()
display(widgets.VBox([widgets.HBox([lr, warmup, shape]), out]))
"""


def selftest_cells():
    return [
        _cell("# Harness self-test\nA learner's notebook in miniature.", kind="markdown"),
        _cell("import numpy as np\nfrom tqdm.auto import tqdm"),
        _cell(
            "def peak_lr():\n    # YOUR CODE HERE\n    raise NotImplementedError()",
            solution=True,
            grade=False,
            grade_id="peak-def",
            locked=False,
        ),
        _cell(
            "# YOUR CODE HERE\nraise NotImplementedError()",
            solution=True,
            grade=False,
            grade_id="peak-value",
            locked=False,
        ),
        _cell("assert peak_lr() == 0.1", grade=True, solution=False, grade_id="t1", locked=True),
        _cell(EXPLORER),
        _cell("total = 0\nfor i in tqdm(range(200), desc='epochs'):\n    total += i\ntotal"),
        _cell(""),  # an empty code cell never runs: not an error
    ]


def test_harness_selftest(browser, lab_server, screenshots_dir):
    """Release mode on a small notebook: stubs fail where expected, the rest runs clean."""
    rel = _write_notebook(lab_server.root, "_harness/selftest.ipynb", selftest_cells())
    report, page = run_notebook(
        browser, lab_server, rel, mode="learner", workspace="selftest", artifacts=screenshots_dir
    )
    page.close()
    problems = _check(report, "_harness/selftest.ipynb", screenshots_dir)
    assert not problems, "\n".join(problems)
    # the top-level stub fails; the test cell calls the other stub, which fails too
    assert [(e.index, e.ename) for e in report.expected_errors] == [
        (3, "NotImplementedError"),
        (4, "NotImplementedError"),
    ]
    assert report.rounds == 3  # Run All, then on from cell 4, then on from cell 5
    assert report.sliders == 2 and report.dropdowns == 1 and report.progress_bars >= 1
    moved = {i.control: i for i in report.interactions}
    assert set(moved) == {"slider 'lr'", "slider 'warmup'", "dropdown 'schedule'"}, moved
    assert all(i.ok for i in report.interactions)
    assert Path(report.screenshots[0]).stat().st_size > 10_000


def test_harness_flags_problems(browser, lab_server, screenshots_dir):
    """The harness must catch what a learner would trip over, not only pass clean notebooks."""
    broken_explorer = """
    import ipywidgets as widgets
    from IPython.display import display
    lr = widgets.FloatSlider(value=0.5, min=0, max=1, step=0.1, description="lr")
    out = widgets.Output()
    def draw(change=None):
        with out:
            out.clear_output(wait=True)
            if lr.value > 0.5:
                raise ValueError("explorer callback broke")
            print(f"lr = {lr.value:.2f}")
    lr.observe(draw, "value")
    draw()
    display(lr, out)
    """
    stale_caption = """
    import ipywidgets as widgets
    from IPython.display import display
    momentum = widgets.FloatSlider(value=0.5, min=0, max=1, step=0.1, description="momentum")
    out2 = widgets.Output()
    with out2:
        print("momentum = 0.50")  # never updated: the caption lies after a move
    display(momentum, out2)
    """
    unguarded_callback = """
    import ipywidgets as widgets
    from IPython.display import display
    k = widgets.IntSlider(value=3, min=0, max=9, description="k")
    caption = widgets.HTML("k = 3")
    def on_k(change):
        raise RuntimeError("callback raised outside any Output")
    k.observe(on_k, "value")
    display(k, caption)
    """
    cells = [
        _cell("x = 1"),
        _cell("raise ValueError('a plain cell must not fail')"),
        _cell("y = x + 1"),
        _cell(broken_explorer),
        _cell(stale_caption),
        _cell(unguarded_callback),
    ]
    rel = _write_notebook(lab_server.root, "_harness/broken.ipynb", cells)
    report, page = run_notebook(
        browser, lab_server, rel, mode="learner", workspace="broken", interact_timeout=3
    )
    page.close()
    print("\nproblems found (as they should be):\n- " + "\n- ".join(report.problems()))
    found = [(e.index, e.ename, e.where.split(" ")[0]) for e in report.unexpected_errors]
    assert (1, "ValueError", "cell") in found
    assert (3, "ValueError", "widget") in found
    assert (-1, "RuntimeError", "log") in found
    assert report.not_run == []  # the run went on after the failing cell
    failed = {i.control: i for i in report.interactions if not i.ok}
    assert "slider 'momentum'" in failed, report.interactions
    assert "slider 'lr'" in failed, report.interactions
    assert "slider 'k'" in failed, report.interactions
    assert len(report.problems()) >= 4
