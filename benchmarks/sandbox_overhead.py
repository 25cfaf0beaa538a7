"""What the grading sandbox costs per notebook: sandboxed kernels vs nbgrader's plain ones.

    .venv/bin/python benchmarks/sandbox_overhead.py [--repeats 3]

For each assignment, the source notebook (with its solutions, as an honest submission) is
executed the way ``nbgrader autograde`` does (``NBGRADER_EXECUTION=autograde``, the course's
cell timeout) by nbgrader's ``Execute`` and by ``SandboxedExecute``, alternately, and timed in
two parts: kernel start (until the kernel answers) and the cells with the shutdown. Also the
start of a bare ``python -c pass`` in ``popen_sandboxed`` vs ``subprocess``. Medians of
``--repeats`` runs; the table is printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "course"))

from autograder.sandbox import (  # noqa: E402
    SandboxedExecute,
    isolation_available,
    kill_tree,
    popen_sandboxed,
)
from nbgrader.preprocessors import Execute  # noqa: E402


def timed_run(cls, source: Path) -> tuple[float, float]:
    """(kernel start, cells + shutdown) in seconds."""
    stamps = {}
    nb = nbformat.read(source, as_version=4)
    executor = cls(
        timeout=30,
        on_notebook_start=lambda **_: stamps.setdefault("ready", time.perf_counter()),
    )
    with tempfile.TemporaryDirectory() as tmp:
        nbformat.write(nb, Path(tmp) / source.name)
        start = time.perf_counter()
        executor.preprocess(nb, {"metadata": {"path": tmp}})
        end = time.perf_counter()
    return stamps["ready"] - start, end - stamps["ready"]


def bare_start(sandboxed: bool) -> float:
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        start = time.perf_counter()
        argv = [sys.executable, "-c", "pass"]
        if sandboxed:
            proc = popen_sandboxed(argv, workdir=Path(tmp))
            proc.wait()
            kill_tree(proc)
        else:
            subprocess.run(argv, cwd=tmp, check=True)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    os.environ["NBGRADER_EXECUTION"] = "autograde"
    print(f"bubblewrap sandbox available: {isolation_available()}; {os.cpu_count()} cores")
    bare = {s: statistics.median(bare_start(s) for _ in range(10)) for s in (False, True)}
    print(
        f"`python -c pass`: subprocess {bare[False] * 1000:.0f} ms, "
        f"popen_sandboxed {bare[True] * 1000:.0f} ms"
    )
    print("| assignment | executor | kernel start [s] | cells + shutdown [s] | total [s] |")
    print("|---|---|---:|---:|---:|")
    for source in sorted((REPO / "source_notebooks").glob("*/*.ipynb")):
        runs = {Execute: [], SandboxedExecute: []}
        for _ in range(args.repeats):
            for cls in runs:
                runs[cls].append(timed_run(cls, source))
        totals = {}
        for cls, parts in runs.items():
            med = [statistics.median(p[i] for p in parts) for i in range(2)]
            totals[cls] = statistics.median(sum(p) for p in parts)
            print(
                f"| {source.parent.name} | {cls.__name__} | {med[0]:.2f} | {med[1]:.2f} "
                f"| {totals[cls]:.2f} |"
            )
        ratio = totals[SandboxedExecute] / totals[Execute]
        print(f"| {source.parent.name} | sandboxed / plain | | | {ratio:.2f}x |")


if __name__ == "__main__":
    main()
