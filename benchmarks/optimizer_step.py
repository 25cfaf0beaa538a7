"""Time one optimizer step, NumPy (lrcourse) vs torch.optim, at 10M, 1,000 and 2 parameters.

    .venv/bin/python benchmarks/optimizer_step.py [--n 10000000] [--repeats 20]

Single thread, float32, Adam and SGD with momentum. Each row is the median over
``--repeats`` timed samples after a warm-up step (at 1,000 and 2 parameters a sample is the
mean of 200 steps, so per-step overhead is what is measured). torch runs with
foreach=False (one kernel per operation, the comparison the targets use) and
foreach=True; at 10M also fused=True, for information only (NumPy cannot fuse).

Also the peak memory a NumPy step allocates (tracemalloc, after the first step created
the state), to check that no temporary is parameter-sized, and the time of
``import lrcourse``.

``--agreement`` prints instead how often float64 NumPy and torch differ in the last bit.

Targets (issue 9, same run): NumPy Adam <= 0.6x torch foreach=False at 10M, 1,000 and 2
parameters; a step allocates < 1/8 of the parameter's size; ``import lrcourse`` < 0.3 s.
Figures: benchmarks/RESULTS.md.
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

TARGET_RATIO = 0.6  # NumPy Adam time / torch foreach=False time
TARGET_MEMORY = 1 / 8  # peak allocation of a step / parameter bytes


def median_time(fn, repeats, inner):
    """Median over ``repeats`` samples of the mean time of ``inner`` calls of ``fn``."""
    fn()  # warm-up: creates the state
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - t0) / inner)
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


def peak_allocation(step):
    """Bytes a step allocates at its peak (the state already exists)."""
    tracemalloc.start()
    step()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def import_time(modules: str):
    code = f"import time; t=time.perf_counter(); import {modules}; print(time.perf_counter()-t)"
    runs = [float(subprocess.check_output([sys.executable, "-c", code])) for _ in range(5)]
    return min(runs)


def agreement(steps=20, n=10_000):
    """Share of float64 elements where NumPy and torch differ after ``steps`` steps, per optimizer.

    torch's vectorised CPU kernels compute ``add(alpha=)``, ``addcmul`` and ``lerp`` with a
    fused multiply-add (one rounding), which NumPy cannot; elsewhere the update functions
    follow torch's order of operations, so the results agree bit for bit.
    """
    from lrcourse import optim
    from lrcourse.optim.compare import trajectory

    rng = np.random.default_rng(0)
    cases = [
        ("SGD", {"lr": 0.01}),
        ("SGD", {"lr": 0.01, "momentum": 0.9}),
        ("Adagrad", {"lr": 0.01}),
        ("Adadelta", {}),
        ("RMSprop", {}),
        ("RMSprop", {"momentum": 0.9, "centered": True}),
        ("Adam", {}),
        ("Adam", {"amsgrad": True}),
        ("AdamW", {}),
        ("Adamax", {}),
        ("NAdam", {}),
    ]
    print(f"float64, {n:,} parameters, {steps} steps on random gradients, default lr")
    print(f"{'optimizer':<46} {'elements differing':>18} {'max rel. error':>15}")
    for name, kwargs in cases:
        cls = getattr(optim, name)
        params0 = [rng.normal(size=n)]
        grads = [[rng.normal(size=n)] for _ in range(steps)]
        lrs = [cls(**kwargs).lr] * steps
        ours = trajectory("numpy", cls(**kwargs), params0, grads, lrs)[-1][0]
        theirs = trajectory("torch", cls(**kwargs), params0, grads, lrs)[-1][0]
        share = np.mean(ours != theirs)
        err = np.max(np.abs(ours - theirs)) / np.max(np.abs(theirs))
        print(f"{name + ' ' + str(kwargs):<46} {share:>17.1%} {err:>15.2g}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000_000, help="large size (default 10M)")
    parser.add_argument("--repeats", type=int, default=20, help="timed samples (default 20)")
    parser.add_argument(
        "--agreement", action="store_true", help="last-bit agreement with torch instead"
    )
    args = parser.parse_args(argv)

    import torch

    if args.agreement:
        torch.set_num_threads(1)
        agreement()
        return

    from lrcourse import optim

    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    cases = {
        "Adam": (lambda: optim.Adam(lr=1e-3), "Adam", {"lr": 1e-3}),
        "SGD momentum": (
            lambda: optim.SGD(lr=0.01, momentum=0.9),
            "SGD",
            {"lr": 0.01, "momentum": 0.9},
        ),
    }
    verdicts = []
    print(f"one float32 step, 1 thread, median of {args.repeats} samples")
    print(
        f"{'optimizer':<14} {'params':>10} {'implementation':<20} {'us/step':>11} "
        f"{'numpy/this':>11}"
    )
    for label, (make, tname, tkwargs) in cases.items():
        for n in (args.n, 1000, 2):
            inner = 1 if n > 100_000 else 200
            step, w = numpy_step(make(), n, rng)
            t_np = median_time(step, args.repeats, inner)
            print(f"{label:<14} {n:>10,} {'lrcourse (NumPy)':<20} {t_np * 1e6:11.1f}")
            variants = ("foreach=False", "foreach=True") + (("fused=True",) if inner == 1 else ())
            for variant in variants:
                try:
                    t = median_time(torch_step(tname, tkwargs, n, variant), args.repeats, inner)
                except (RuntimeError, TypeError) as err:  # fused SGD needs a recent torch
                    print(f"{'':<14} {'':>10} torch {variant:<14} unavailable: {err}")
                    continue
                ratio = t_np / t
                print(f"{'':<14} {'':>10} {'torch ' + variant:<20} {t * 1e6:11.1f} {ratio:10.2f}x")
                if label == "Adam" and variant == "foreach=False":
                    ok = ratio <= TARGET_RATIO
                    verdicts.append(
                        f"Adam at {n:,}: {ratio:.2f}x torch foreach=False "
                        f"({'met' if ok else 'NOT met'})"
                    )
            if inner == 1:
                peak = peak_allocation(step)
                ok = peak < TARGET_MEMORY * w.nbytes
                print(
                    f"{'':<14} {'':>10} NumPy step allocates {peak / 2**20:.2f} MiB at its peak "
                    f"(parameter: {w.nbytes / 2**20:.0f} MiB)"
                )
                verdicts.append(
                    f"{label} temporaries: {peak / w.nbytes:.3f} of the parameter's size "
                    f"({'met' if ok else 'NOT met'})"
                )
    for modules in ("lrcourse", "lrcourse.optim, lrcourse.schedules, lrcourse.callbacks"):
        ms = import_time(modules) * 1e3
        print(f"import {modules}: {ms:.0f} ms (best of 5, fresh interpreter)")
    print("targets (<= 0.6x torch foreach=False; temporaries < 1/8 of the parameter):")
    for line in verdicts:
        print("  " + line)


if __name__ == "__main__":
    main()
