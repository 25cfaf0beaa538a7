"""Which heavy modules a piece of code loads, run in a fresh interpreter (explorer tests)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

HEAVY = ("torch", "tensorflow", "keras", "ipywidgets", "matplotlib")


def modules_loaded_by(code: str, env: dict | None = None) -> list[str]:
    """The modules of ``HEAVY`` in ``sys.modules`` after ``code`` ran (``env`` added)."""
    probe = (
        f"import json, sys\n{code}\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])
