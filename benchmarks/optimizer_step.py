"""Time one optimizer step on 10M float32 parameters: NumPy (lrcourse) vs torch.optim.

    .venv/bin/python benchmarks/optimizer_step.py [--n 10000000] [--repeats 20]

Single thread, median of ``--repeats`` steps after a warm-up step, for Adam and SGD with
momentum; torch with foreach=False (one kernel per operation), foreach=True (multi-tensor)
and fused=True (one kernel for the whole update). Also the peak memory a NumPy step
allocates beyond the parameters and state, and the time of ``import lrcourse``.
Targets (issue 2): NumPy Adam <= 0.5x torch foreach=False and <= 2.5x torch fused;
``import lrcourse`` < 0.3 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import tracemalloc

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402


def median_time(fn, repeats):
    fn()  # warm-up: creates state
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def numpy_step(opt, n, rng):
    w = rng.standard_normal(n, dtype=np.float32)
    g = rng.standard_normal(n, dtype=np.float32)
    return lambda: opt.step([w], [g]), w


def torch_step(name, kwargs, n, variant):
    import torch

    w = torch.randn(n, dtype=torch.float32)
    w.grad = torch.randn(n, dtype=torch.float32)
    flags = {
        "foreach=False": {"foreach": False},
        "foreach=True": {"foreach": True},
        "fused=True": {"fused": True},
    }[variant]
    opt = getattr(torch.optim, name)([w], **kwargs, **flags)
    return opt.step


def import_time(modules: str):
    code = f"import time; t=time.perf_counter(); import {modules}; print(time.perf_counter()-t)"
    runs = [float(subprocess.check_output([sys.executable, "-c", code])) for _ in range(5)]
    return min(runs)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000_000, help="parameters (default 10M)")
    parser.add_argument("--repeats", type=int, default=20, help="timed steps (default 20)")
    args = parser.parse_args(argv)

    import torch

    from lrcourse import optim

    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    cases = {
        "Adam": (optim.Adam(lr=1e-3), "Adam", {"lr": 1e-3}),
        "SGD momentum": (optim.SGD(lr=0.01, momentum=0.9), "SGD", {"lr": 0.01, "momentum": 0.9}),
    }
    print(f"one step on {args.n:,} float32 parameters, 1 thread, median of {args.repeats}")
    print(f"{'optimizer':<14} {'implementation':<22} {'ms/step':>9} {'numpy / this':>13}")
    for label, (ours, tname, tkwargs) in cases.items():
        step, w = numpy_step(ours, args.n, rng)
        t_np = median_time(step, args.repeats)
        tracemalloc.start()
        step()
        extra = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"{label:<14} {'lrcourse (NumPy)':<22} {t_np * 1e3:9.2f} {'':>13}")
        for variant in ("foreach=False", "foreach=True", "fused=True"):
            try:
                t = median_time(torch_step(tname, tkwargs, args.n, variant), args.repeats)
            except (RuntimeError, TypeError) as err:  # fused SGD needs a recent torch
                print(f"{'':<14} torch {variant:<16} unavailable: {err}")
                continue
            print(f"{'':<14} {'torch ' + variant:<22} {t * 1e3:9.2f} {t_np / t:12.2f}x")
        print(
            f"{'':<14} NumPy step allocates {extra / 2**20:.2f} MiB "
            f"(parameter: {w.nbytes / 2**20:.0f} MiB)"
        )
    for modules in ("lrcourse", "lrcourse.optim, lrcourse.schedules, lrcourse.callbacks"):
        ms = import_time(modules) * 1e3
        print(f"import {modules}: {ms:.0f} ms (best of 5, fresh interpreter)")


if __name__ == "__main__":
    main()
