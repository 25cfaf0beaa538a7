"""Where downloaded data lives: one folder, chosen in this order.

1. the ``data_dir`` argument of a loader;
2. the environment variable ``LRCOURSE_DATA``;
3. the user cache folder ``pooch.os_cache("lrcourse")`` (``~/.cache/lrcourse`` on Linux,
   ``~/Library/Caches/lrcourse`` on macOS, ``%LOCALAPPDATA%\\lrcourse\\Cache`` on Windows).
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "LRCOURSE_DATA"


def data_dir(path: str | os.PathLike | None = None) -> Path:
    """The folder downloads are cached in (not created here)."""
    if path is not None:
        return Path(path).expanduser()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    import pooch

    return Path(pooch.os_cache("lrcourse"))
