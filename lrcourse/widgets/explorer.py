"""What every explorer shares: controls above an ``Output``, a plot and its caption below.

An :class:`Explorer` subclass builds its controls, puts them with ``self.output`` into
``self.widget`` and implements :meth:`Explorer.figure` (the figure and caption lines for the
current values). The base class redraws on every control change (``clear_output(wait=True)``,
``display(fig)``, ``plt.close(fig)``, then the caption as HTML, see ``captions``) and keeps
the caption's text in ``caption``.

An explorer is shown by ending a cell with it (IPython calls ``_ipython_display_``): the
controls appear at once and the first picture is drawn after that, so a learner never looks
at an empty cell while a framework loads; :meth:`Explorer.loading_message` says what is
being loaded meanwhile. Under nbgrader (``NBGRADER_EXECUTION`` set) nothing is drawn.
"""

from __future__ import annotations

import os

from .captions import caption_html, caption_text


def grading() -> bool:
    return bool(os.environ.get("NBGRADER_EXECUTION"))


class Explorer:
    """Base class: ``widget``, ``output``, ``caption``, ``redraw()``, ``observe(*controls)``."""

    widget = None  # the ipywidgets box a subclass builds around ``self.output``

    def __init__(self, *, draw_now: bool = False):
        import ipywidgets as widgets

        self.output = widgets.Output()
        self.caption = ""
        self.drawn = False
        self._draw_now = draw_now

    def _ready(self) -> None:
        """Call at the end of a subclass's ``__init__``, once the controls exist."""
        if self._draw_now:
            self.redraw()

    def observe(self, *controls) -> None:
        for control in controls:
            control.observe(self.redraw, names="value")

    # -- what a subclass provides -------------------------------------------------------------
    def figure(self):
        """``(fig, lines)`` for the current values; ``lines`` as in ``captions``. May raise
        ``ValueError`` for a parameter combination the model rejects: the caption says so."""
        raise NotImplementedError

    def describe(self) -> list[list[str]]:
        """The caption lines shown when :meth:`figure` raises ``ValueError``."""
        return []

    def loading_message(self) -> str | None:
        """What the first draw waits for (e.g. a framework's import), or None."""
        return None

    # -- drawing ----------------------------------------------------------------------------------
    def redraw(self, change=None) -> None:
        import matplotlib.pyplot as plt
        from IPython.display import display

        with self.output:
            self.output.clear_output(wait=True)
            try:
                fig, lines = self.figure()
            except ValueError as error:  # a parameter combination the model rejects
                lines = [*self.describe(), [str(error)]]
            else:
                display(fig)
                plt.close(fig)
            display(caption_html(lines))
        self.caption = caption_text(lines)
        self.drawn = True

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
        if self.drawn or grading():
            return
        message = self.loading_message()
        if message:
            with self.output:
                display(caption_html([[message]]))
        self.redraw()
