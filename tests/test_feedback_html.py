"""Feedback HTML reads well offline (``lrcourse.feedback_html``, used by ``make grade``)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("latex2mathml")
from lrcourse.feedback_html import OfflineFeedback, to_mathml  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
LONG_HINT = (
    "step_decay scores 0 for this task (visible tests: 1 of 4 pass). "
    "step_decay(np.array([0, 499, 500, 999, 1000]), 0.1, 0.5, 10, 50): expected "
    "[0.1, 0.1, 0.05, 0.05, 0.025], got [0.1, 0.025, 0.0125, 0.00625, 0.003125]. "
    "Likely mistake: the step is used as the epoch: divide it by steps_per_epoch first"
)


def test_formulas_become_mathml_and_code_stays_code():
    out = to_mathml("Rule: $$w_{t+1} = (1 - \\text{lr}\\, a) w_t$$ with `x = $HOME` and $a = 4$.")
    assert out.count("<math") == 2 and 'display="block"' in out and 'display="inline"' in out
    assert "`x = $HOME`" in out and "$" not in out.replace("`x = $HOME`", "")
    assert to_mathml("costs \\$5 and \\$6") == "costs \\$5 and \\$6"


@pytest.mark.parametrize(
    "rel", sorted(p.relative_to(REPO).as_posix() for p in (REPO / "release").glob("*/*.ipynb"))
)
def test_every_formula_of_the_course_converts(rel):
    nb = nbformat.read(REPO / rel, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            left = re.sub(r"`[^`]*`", "", to_mathml(cell.source)).replace("\\$", "")
            assert "$" not in left, left[:300]


def test_the_feedback_page_has_no_raw_math_and_wraps_long_hints():
    from nbconvert import HTMLExporter

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("The bound: $$0 < \\text{lr} < \\frac{2}{a}$$ for $a > 0$."),
        nbformat.v4.new_code_cell(
            "grader.STEP_DECAY.test_visible(step_decay)",
            outputs=[
                nbformat.v4.new_output(
                    "error", ename="AnswerRejected", evalue=LONG_HINT, traceback=[LONG_HINT]
                )
            ],
        ),
    ]
    exporter = HTMLExporter(template_name="classic")
    exporter.register_preprocessor(OfflineFeedback(), enabled=True)
    body, _ = exporter.from_notebook_node(nb)
    text = re.sub(r"<script.*?</script>", "", body, flags=re.S)
    assert "<math" in text and "$$" not in text and "$a" not in text
    assert "white-space: pre-wrap" in text
    assert LONG_HINT.split(":")[0] in text


def test_the_course_configures_it_for_feedback():
    config = (REPO / "course" / "nbgrader_config.py").read_text()
    assert '"lrcourse.feedback_html.OfflineFeedback"' in config
    assert '"nbgrader.preprocessors.GetGrades"' in config
