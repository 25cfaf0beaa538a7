"""What a range test recorded, and the two things one does with it: suggest an lr, plot."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import plots, validation
from .styles import STYLES
from .suggestions import METHODS, MIN_POINTS


@dataclass(frozen=True)
class LRFinderResult:
    """A range test's record: one entry per batch run.

    lrs:            the lr each batch used
    losses:         what ``train_step`` returned (raw)
    smoothed:       the smoothed loss the style records, stops on and suggests from
    style:          "fastai" or "torch-lr-finder" (see ``styles.py``)
    num_iter:       batches asked for (fastai's suggestion window depends on it)
    stop_reason:    None if every lr of the grid was tried, else why the test stopped:
                    "diverged: ..." or "non-finite loss: ..."
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    style: str
    num_iter: int
    stop_reason: str | None = None

    @property
    def stopped_early(self) -> bool:
        return self.stop_reason is not None

    def __len__(self) -> int:
        return len(self.lrs)

    # -- suggestions --------------------------------------------------------------------------
    def skips(self, skip_start=None, skip_end=None) -> tuple[int, int]:
        """Batches left out of the suggestion window at the start and at the end.

        Defaults are the style's: fastai ``num_iter // 10`` and 5, torch-lr-finder 10 and 5.
        """
        style = STYLES[self.style]
        skip_start = style.skip_start(self.num_iter) if skip_start is None else skip_start
        skip_end = style.skip_end if skip_end is None else skip_end
        return (
            validation.check_int("skip_start", skip_start, low=0),
            validation.check_int("skip_end", skip_end, low=0),
        )

    def window(self, skip_start=None, skip_end=None) -> tuple[int, int]:
        """``(first, stop)``: indices of the points suggestions look at.

        ``lrs[skip_start : len - skip_end]`` (``skip_end=0`` keeps the end), cut before
        its first non-finite smoothed loss, as fastai does with NaN.
        """
        first, skip_end = self.skips(skip_start, skip_end)
        stop = max(first, len(self) - skip_end)
        bad = np.flatnonzero(~np.isfinite(self.smoothed[first:stop]))
        if bad.size:
            stop = first + int(bad[0])
        return first, stop

    def suggestion_index(self, method=None, *, skip_start=None, skip_end=None) -> int:
        """Index (into ``lrs``) of the point ``method`` picks; see ``suggest``."""
        method = STYLES[self.style].default_suggestion if method is None else method
        rule, _ = METHODS[validation.check_choice("method", method, METHODS)]
        first, stop = self.window(skip_start, skip_end)
        if stop - first < MIN_POINTS:
            skip_start, skip_end = self.skips(skip_start, skip_end)
            why = f" (stopped early, {self.stop_reason})" if self.stopped_early else ""
            raise ValueError(
                f"suggest({method!r}) needs at least {MIN_POINTS} finite losses left after "
                f"skipping the first {skip_start} and the last {skip_end} batches, i.e. a "
                f"test of at least {skip_start + skip_end + MIN_POINTS} batches; this one "
                f"recorded {len(self)}{why} and leaves {stop - first}. Run a longer test or "
                "pass smaller skip_start / skip_end."
            )
        return first + rule(self.lrs[first:stop], self.smoothed[first:stop])

    def suggest(self, method=None, *, skip_start=None, skip_end=None) -> float:
        """A learning rate read off the curve.

        ``method``: "steepest" (torch-lr-finder), "steep", "valley" or "minimum" (fastai;
        minimum returns a tenth of the lr at the lowest loss); None = the style's default
        ("valley" for fastai, "steepest" for torch-lr-finder). Rules in ``suggestions.py``.
        Raises ValueError if the window holds fewer than 2 finite points.
        """
        method = STYLES[self.style].default_suggestion if method is None else method
        index = self.suggestion_index(method, skip_start=skip_start, skip_end=skip_end)
        return float(self.lrs[index]) / METHODS[method][1]

    # -- plot ------------------------------------------------------------------------------------
    def plot(self, ax=None, suggestion=True, *, raw=True, title=None):
        """Loss against lr (log axis); returns the matplotlib Axes.

        Draws the smoothed loss (and the raw loss, faint, if ``raw``). ``suggestion``: True
        for the style's default method, a method name, or None/False for no marker; the
        suggested lr gets a dashed vertical line and its point on the curve a dot. When no
        suggestion can be made (too short a test, a loss that blew up at once) the curve is
        drawn all the same -- that is when it is most needed -- and the legend says why
        there is no marker (``suggest`` raises the full reason).
        """
        ax = plots.get_ax(ax)
        name = f"range test ({self.style})"
        color = plots.color_for(name)
        if raw:
            ax.plot(self.lrs, self.losses, color=color, alpha=0.3, linewidth=1.0, label="loss")
        ax.plot(self.lrs, self.smoothed, color=color, linewidth=1.8, label="smoothed loss")
        if suggestion:
            method = STYLES[self.style].default_suggestion if suggestion is True else suggestion
            method = validation.check_choice("suggestion", method, METHODS)
            try:
                index = self.suggestion_index(method)
            except ValueError:  # too few finite points: no marker, say so
                first, stop = self.window()
                ax.plot([], [], " ", label=f"no {method} suggestion: {stop - first} usable points")
            else:
                lr = self.suggest(method)
                mark = plots.color_for(method)
                ax.axvline(
                    lr, color=mark, linestyle="--", linewidth=1.2, label=f"{method}: {lr:.2e}"
                )
                ax.plot(self.lrs[index], self.smoothed[index], "o", color=mark, markersize=7)
        finite = self.smoothed[np.isfinite(self.smoothed)]
        if finite.size:  # keep the divergence from squashing the interesting part
            low, high = float(finite.min()), float(finite[0])
            span = max(high - low, 1e-12 * max(abs(high), 1.0))
            if math.isfinite(span):
                ax.set_ylim(low - 0.1 * span, high + 0.6 * span)
        plots.style_lr_axis(ax, axis="x", log=True)
        ax.set_ylabel("loss")
        ax.set_title(title or name)
        ax.legend(loc="best", frameon=False)
        return ax
