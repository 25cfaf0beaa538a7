"""Fast checks of the browser harness's pure helpers (no browser, no server)."""

from __future__ import annotations

import pytest
from lab_harness import (
    CellError,
    _error_from_text,
    _expected,
    caption_shows,
    nbgrader_kind,
    numbers_in,
    same_number,
)


@pytest.mark.parametrize(
    ("readout", "caption", "shown"),
    [
        ("0.0126", "peak lr = 0.0126", True),
        ("0.0126", "lr=0.01259", True),  # the caption may carry more digits than the readout
        ("0.0126", "lr = 1.26e-02", True),
        ("1.00e-3", "lr = 0.001", True),
        ("11", "warmup = 11 steps", True),
        ("11", "warmup = 10 steps", False),
        ("0.60", "momentum = 0.50", False),
        ("0.0126", "lr = 0.0100", False),
        ("0.0126", "lr = 0.01", True),  # too coarse to tell: the caption must change too
        ("-2", "exponent \u22122", True),  # a typographic minus
    ],
)
def test_caption_matches_readout(readout, caption, shown):
    assert caption_shows(caption, numbers_in(readout)) is shown


def test_same_number_uses_the_written_precision():
    assert same_number("0.5", "0.54")
    assert not same_number("0.50", "0.54")


def test_expected_errors_are_only_where_learners_work():
    sol = {"metadata": {"nbgrader": {"solution": True, "grade": False}}}
    test = {"metadata": {"nbgrader": {"solution": False, "grade": True}}}
    assert nbgrader_kind(sol) == "solution" and nbgrader_kind(test) == "test"
    assert nbgrader_kind({"metadata": {}}) == "other"
    assert _expected(CellError(0, "NotImplementedError", "", "cell", "solution"))
    assert not _expected(CellError(0, "ValueError", "", "cell", "solution"))
    assert _expected(CellError(0, "AnswerRejected", "", "cell", "test"))
    assert not _expected(CellError(0, "ModuleNotFoundError", "", "cell", "test"))
    assert not _expected(CellError(0, "NotImplementedError", "", "cell", "other"))


def test_error_from_traceback_text():
    text = (
        "-----\nValueError                                Traceback (most recent call last)\n"
        "Cell In[3], line 1\n----> 1 f()\n\nValueError: explorer broke\n"
    )
    err = _error_from_text(4, text, "other")
    assert (err.index, err.ename, err.evalue) == (4, "ValueError", "explorer broke")
