"""The caption under an explorer's plot: the current values, wrapped only between items.

A caption is a list of lines, each a list of items (``"lr = 0.1"``, ``"200 steps"``).
``caption_text`` joins them into the plain text an explorer keeps as its ``caption``
(items separated by `` | ``, lines by newlines); ``caption_html`` is what the notebook shows:
the same text in a monospaced block whose items never break inside, so a narrow window wraps
"lr = 0.1 | 200 steps" between the items and never as "200 ste" / "ps" (JupyterLab's
plain-text output breaks lines anywhere, ``word-break: break-all``).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

SEPARATOR = " | "
BLOCK_STYLE = (
    "font-family: var(--jp-code-font-family, monospace); font-size: 12px; line-height: 1.5"
)
ITEM_STYLE = "white-space: nowrap"

Lines = Sequence[Sequence[str]]


def caption_text(lines: Lines) -> str:
    """``[["a", "b"], ["c"]]`` -> ``"a | b\\nc"``."""
    return "\n".join(SEPARATOR.join(items) for items in lines)


def caption_markup(lines: Lines) -> str:
    """The HTML of a caption: one ``<div>`` per line, one unbreakable ``<span>`` per item."""
    rows = []
    for items in lines:
        spans = [f'<span style="{ITEM_STYLE}">{html.escape(item)}</span>' for item in items]
        rows.append(f"<div>{html.escape(SEPARATOR).join(spans)}</div>")
    return f'<div class="lrcourse-caption" style="{BLOCK_STYLE}">{"".join(rows)}</div>'


def caption_html(lines: Lines):
    """The caption as an ``IPython.display.HTML`` object, ready for ``display``."""
    from IPython.display import HTML

    return HTML(caption_markup(lines))
