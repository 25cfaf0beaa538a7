"""Training throughput of the course's two models in both frameworks, on this machine.

    .venv/bin/python benchmarks/train_throughput.py                 # table + scaled comparison
    .venv/bin/python benchmarks/train_throughput.py --full-comparison   # the real one (GPU!)
    .venv/bin/python benchmarks/train_throughput.py --skip-comparison --threads 1

For each framework (PyTorch, Keras) and model (the article's small CNN, the fast ResNet)
it trains two epochs of ``--steps`` updates through the real trainer
(``lrcourse.train.*.fit``) and measures the training part of the second one, so model
building, compilation and warm-up are not counted. It prints training images/s and the
epoch time of the 45,000-image CIFAR-10 training split (measured on a GPU, where the
default is the whole split; extrapolated from ``--steps`` updates on a CPU).

Data: CIFAR-10 when the archive is cached, else random images of CIFAR-10's shape (the
table says which). Then it times the reference comparison (``lrcourse compare --runs
reference``): scaled down unless ``--full-comparison`` (CIFAR-10, 100 epochs, 3 seeds).
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
logging.getLogger("tensorflow").setLevel(logging.ERROR)  # retracing notes: one model per row

import numpy as np  # noqa: E402

CIFAR_TRAIN = 45_000
BATCH = {"article_cnn": 64, "fast_resnet": 512}  # the article's; the fast-training records'


def random_cifar_shaped(n_train: int, seed: int = 0):
    """A Dataset of random 32x32x3 images in 10 classes (throughput only)."""
    from lrcourse.data import Dataset, Split

    rng = np.random.default_rng(seed)

    def split(n):
        return Split(rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8), rng.integers(0, 10, n))

    names = tuple(f"class{i}" for i in range(10))
    return Dataset("random", names, split(n_train), split(256), split(256), "random data")


_CIFAR = []


def load_data(n_train: int, random_data: bool = False):
    if random_data:
        return random_cifar_shaped(n_train), "random data of CIFAR-10 shape"
    from lrcourse.data import is_cached, load_cifar10

    if is_cached():
        if not _CIFAR:
            _CIFAR.append(load_cifar10())
        return _CIFAR[0].subset(train=n_train, val=256, test=256), "CIFAR-10"
    return random_cifar_shaped(n_train), "random data of CIFAR-10 shape: CIFAR-10 not cached"


def measure(framework: str, model: str, dataset, *, batch: int, threads: int | None):
    """``(images/s, History)``: two epochs of the dataset; the second one is measured."""
    from lrcourse import optim
    from lrcourse.models import model_spec
    from lrcourse.train import TrainConfig, trainer

    spec = model_spec(model, dataset.image_shape, dataset.num_classes)
    config = TrainConfig(
        optimizer=optim.SGD(lr=0.01, momentum=0.9), epochs=2, batch_size=batch,
        progress=False, cpu_threads=threads,
    )  # fmt: skip
    history = trainer(framework).fit(spec, dataset, config)
    return len(dataset.train) / history.epochs["train_time_s"][1], history


def device_name() -> str:
    import torch

    if torch.cuda.is_available():
        return torch.cuda.get_device_name(0)
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if "model name" in line)
    except (OSError, StopIteration):
        pass
    return f"CPU: {cpu}, {os.cpu_count()} cores (no GPU)"


def time_comparison(full: bool, threads: int | None) -> tuple[float, str]:
    from lrcourse.experiments import CompareSettings, compare

    with tempfile.TemporaryDirectory() as out:
        settings = CompareSettings(
            out_dir=out, runs=("reference",), full=full, progress=False, cpu_threads=threads
        )
        result = compare(settings, say=lambda line: None)
    what = (
        f"{len(result.rows)} runs x {settings.seeds} seeds x {result.scale.epochs} epochs "
        f"on {result.dataset}; {result.scale.reason}"
    )
    return result.seconds, what


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--frameworks", default="torch,keras")
    p.add_argument("--models", default="article_cnn,fast_resnet")
    p.add_argument("--steps", type=int, help="updates per epoch (default: all of CIFAR-10's "
                   "45,000 images on a GPU, 20 on a CPU)")  # fmt: skip
    p.add_argument("--threads", type=int, help="torch CPU threads (default: torch's)")
    p.add_argument("--resnet-batch", type=int, help="fast ResNet batch (default 512; 64 on CPU)")
    p.add_argument("--random-data", action="store_true",
                   help="random images of CIFAR-10's shape even if CIFAR-10 is cached "
                   "(needs neither pooch nor the archive)")  # fmt: skip
    p.add_argument("--skip-comparison", action="store_true")
    p.add_argument("--full-comparison", action="store_true",
                   help="time the full reference comparison (CIFAR-10, 100 epochs)")  # fmt: skip
    args = p.parse_args(argv)

    import torch

    gpu = torch.cuda.is_available()
    batches = dict(BATCH)
    batches["fast_resnet"] = args.resnet_batch or (512 if gpu else 64)
    print(f"device: {device_name()}; load average {os.getloadavg()[0]:.1f} at start")
    print(f"python {sys.version.split()[0]}, torch {torch.__version__}, "
          f"torch CPU threads {args.threads or torch.get_num_threads()}")  # fmt: skip
    print()
    header = f"{'framework':<9} {'model':<12} {'batch':>5} {'precision':<15} {'images/s':>9} "
    header += "epoch (45k images)"
    print(header)
    print("-" * len(header))
    for framework in args.frameworks.split(","):
        for model in args.models.split(","):
            batch = batches[model]
            n_train = CIFAR_TRAIN if args.steps is None and gpu else batch * (args.steps or 20)
            dataset, source = load_data(min(n_train, CIFAR_TRAIN), args.random_data)
            ips, history = measure(framework, model, dataset, batch=batch, threads=args.threads)
            epoch = CIFAR_TRAIN / ips
            how = "" if len(dataset.train) == CIFAR_TRAIN else " (extrapolated)"
            steps = -(-len(dataset.train) // batch)
            print(f"{framework:<9} {model:<12} {batch:>5} {history.meta['precision']:<15} "
                  f"{ips:>9.0f} {epoch:>8.1f} s{how}   [{steps} steps, {source}]",
                  flush=True)  # fmt: skip
    if not args.skip_comparison:
        seconds, what = time_comparison(args.full_comparison, args.threads)
        print()
        print(f"reference comparison (torch): {seconds / 60:.1f} min -- {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
