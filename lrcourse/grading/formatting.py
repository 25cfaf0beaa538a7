"""Short, readable renderings of inputs and outputs for hints and test failures."""

from __future__ import annotations

import numpy as np

MAX_ITEMS = 8


def short_repr(value) -> str:
    """A one-line rendering: 6 significant digits, long arrays and lists elided."""
    if isinstance(value, bool | np.bool_ | str) or value is None:
        return repr(value if not isinstance(value, np.bool_) else bool(value))
    if isinstance(value, float | np.floating):
        text = f"{float(value):.6g}"
        return text if any(c in text for c in ".einf") else text + ".0"
    if isinstance(value, np.ndarray):
        body = np.array2string(
            value,
            precision=6,
            separator=", ",
            threshold=MAX_ITEMS,
            edgeitems=3,
            max_line_width=10**6,
        )
        return f"array({body})"
    if isinstance(value, list | tuple):
        items = [short_repr(v) for v in value[:MAX_ITEMS]]
        if len(value) > MAX_ITEMS:
            items.append(f"... ({len(value)} items)")
        opening, closing = ("[", "]") if isinstance(value, list) else ("(", ")")
        return opening + ", ".join(items) + closing
    return repr(value)


def describe_call(name: str, parameter_names, args) -> str:
    """``name(p1=..., p2=...)`` for the given positional arguments."""
    parts = [f"{p}={short_repr(a)}" for p, a in zip(parameter_names, args, strict=False)]
    return f"{name}({', '.join(parts)})"
