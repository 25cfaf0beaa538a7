"""The full reference comparison on random CIFAR-10-shaped data, within a time budget.

    PYTHONPATH=. python benchmarks/gpu_comparison.py --out DIR [--epochs 2] [--budget 150]

What ``lrcourse compare --runs reference --full`` trains -- the article's 8 runs x 3 seeds,
the article CNN, batch 64, 45,000 training images of 32x32x3 -- on random pixels (the GPU
machines have no CIFAR-10 archive and no network), for ``--epochs`` epochs instead of 100.
Runs start while the ``--budget`` (seconds) lasts; the report says how many ran. It writes
``results.csv`` and ``histories/`` into DIR (and the figures when matplotlib is there), and
prints the measured seconds per epoch and the extrapolated time of the 100-epoch comparison.
Used by ``benchmarks/gpu_check.sh``; ``--cpu`` makes it tiny, to check the script here.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from train_throughput import CIFAR_TRAIN, device_name, random_cifar_shaped  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--runs", default="reference")
    p.add_argument("--budget", type=float, default=150.0, help="seconds; no run starts after")
    p.add_argument("--framework", default="torch")
    p.add_argument(
        "--cpu", action="store_true", help="tiny: 512 training images (8 updates an epoch)"
    )
    args = p.parse_args(argv)

    from lrcourse.experiments import CompareSettings, plan_comparison
    from lrcourse.experiments.compare import summarise, write_results
    from lrcourse.train.config import steps_per_epoch

    n_train = 512 if args.cpu else CIFAR_TRAIN
    dataset = random_cifar_shaped(n_train)
    settings = CompareSettings(
        out_dir=args.out, runs=tuple(args.runs.split(",")), framework=args.framework,
        epochs=args.epochs, seeds=args.seeds, full=True, progress=False,
    )  # fmt: skip
    plan = plan_comparison(settings, say=print, dataset=dataset)
    print(f"device: {device_name()}")
    (args.out / "histories").mkdir(parents=True, exist_ok=True)
    histories: dict[str, list] = {}
    started = time.perf_counter()
    done = 0
    for run, seed, config in plan.runs:
        if time.perf_counter() - started > args.budget:
            break
        t0 = time.perf_counter()
        history = plan.module.fit(plan.spec, plan.dataset, config, run=run.name)
        histories.setdefault(run.name, []).append(history)
        history.to_csv(args.out / "histories" / f"{run.name}_seed{seed}")
        done += 1
        print(f"  {run.name:<12} seed {seed}: {time.perf_counter() - t0:6.1f} s, "
              f"{history.meta['images_per_s']:8.0f} images/s ({history.meta['precision']}), "
              f"val acc {history.final('val_accuracy'):.3f}", flush=True)  # fmt: skip
    seconds = time.perf_counter() - started
    runs = [r for r in dict.fromkeys(run for run, _, _ in plan.runs) if r.name in histories]
    rows = summarise(runs, histories)
    write_results(rows, args.out / "results.csv")
    try:
        from lrcourse.experiments.figures import save_figures

        save_figures(histories, rows, args.out)
    except ImportError as err:  # no matplotlib on the machine: the CSV is the record
        print(f"figures skipped ({err})")
    per_epoch = steps_per_epoch(n_train, settings.batch_size)
    epochs_run = done * args.epochs
    print()
    print(f"runs done: {done} of {len(plan.runs)} ({len(histories)} runs x seeds) in "
          f"{seconds:.1f} s; {per_epoch} updates per epoch")  # fmt: skip
    if epochs_run:
        full = seconds / epochs_run * 100 * len(plan.runs)
        print(f"seconds per epoch (training + validation, mean): {seconds / epochs_run:.2f}")
        print(f"extrapolated full reference comparison ({len(plan.runs)} runs x seeds x 100 "
              f"epochs): {full / 60:.1f} min")  # fmt: skip
    return 0 if done else 1


if __name__ == "__main__":
    sys.exit(main())
