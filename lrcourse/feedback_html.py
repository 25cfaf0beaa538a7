"""Feedback HTML that reads well offline: math rendered at generation time, hints unclipped.

nbgrader writes each learner's feedback with nbconvert's HTML exporter and a template that
loads MathJax from a CDN: without internet every formula stays raw ``$$...$$``. And the
autograder's messages (expected vs got, the likely mistake) are long lines in ``<pre>``
blocks, cut at the right edge of the page.

:class:`OfflineFeedback` is an nbconvert preprocessor for ``GenerateFeedback`` (see
``course/nbgrader_config.py``):

- every ``$...$`` and ``$$...$$`` in a markdown cell becomes MathML (``latex2mathml``),
  which browsers render natively, with no script and no network; a formula the converter
  cannot read stays as it was (MathJax, when it does load, still typesets it);
- it adds a style sheet that wraps long output lines instead of clipping them.

Worked example: ``to_mathml("$a = 4$")`` is ``'<math ... display="inline">...</math>'``.
"""

from __future__ import annotations

import html
import re

from nbconvert.preprocessors import Preprocessor

# $$...$$ first, then $...$ (both may span lines, not paragraphs); \$ is a literal dollar.
DISPLAY_MATH = re.compile(r"(?<!\\)\$\$(.+?)(?<!\\)\$\$", re.S)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)((?:[^$\n]|\n(?![ \t]*\n))+?)(?<!\\)\$")
CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)  # math signs inside code stay code

WRAP_CSS = """
/* lrcourse: wrap long autograder messages instead of clipping them */
div.output_area pre, div.output_subarea pre, div.output_text pre, div.output_error pre {
  white-space: pre-wrap;
  overflow-wrap: break-word;
  overflow-x: visible;
}
div.output_subarea { max-width: 100%; overflow-x: visible; }
math[display="block"] { margin: 0.6em 0; overflow-x: auto; }
"""


def latex_to_mathml(latex: str, display: bool) -> str | None:
    """MathML for one formula, or None when ``latex2mathml`` cannot convert it."""
    from latex2mathml.converter import convert

    try:
        return convert(html.unescape(latex.strip()), display="block" if display else "inline")
    except Exception:  # noqa: BLE001 - an unsupported command: leave the formula as written
        return None


def to_mathml(markdown: str) -> str:
    """``markdown`` with its formulas as MathML (code spans and blocks left alone)."""

    def convert(match, display):
        converted = latex_to_mathml(match.group(1), display)
        return match.group(0) if converted is None else converted

    parts = CODE.split(markdown)
    for i in range(0, len(parts), 2):  # even parts are outside code
        text = DISPLAY_MATH.sub(lambda m: convert(m, True), parts[i])
        parts[i] = INLINE_MATH.sub(lambda m: convert(m, False), text)
    return "".join(parts)


class OfflineFeedback(Preprocessor):
    """Render the math of markdown cells as MathML and let long output lines wrap."""

    def preprocess(self, nb, resources):
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source = to_mathml(cell.source)
        css = resources.setdefault("inlining", {}).setdefault("css", [])
        css.append(WRAP_CSS)
        return nb, resources
