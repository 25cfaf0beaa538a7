"""The ``lrcourse`` command: ``compare``, ``lr-find`` and ``recipes``.

    lrcourse compare                      # every run, 3 seeds; scaled down on a CPU
    lrcourse compare --runs reference --epochs 100 --dataset cifar10 --out results/
    lrcourse lr-find --optimizer SGD      # range test; prints suggestions, saves the plot
    lrcourse recipes                      # the table of known architectures' settings
    lrcourse recipes --build resnet --steps-per-epoch 391 --epochs 100

Every argument is checked before anything trains: bad input (an unknown run, optimizer or
dataset, a non-positive number, a run too short for its schedule, an output folder that
cannot be written) ends with one line on stderr, ``lrcourse <command>: error: ...``, and
exit status 2, never a traceback. A dataset that cannot be had (no network, a corrupt
archive) ends the same way with exit status 1. The output folder is created only when
something is written into it: a failed call leaves no empty folder behind.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
import warnings
from pathlib import Path

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1


class _Parser(argparse.ArgumentParser):
    """argparse, with errors as one line (``lrcourse compare: error: ...``) and exit 2."""

    def error(self, message):
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value}")
    return value


def _int_at_least(low: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be an integer >= {low}, got {value}")
        return value

    return parse


def _optimizer_names() -> list[str]:
    """The concrete optimizers of ``lrcourse.optim`` (not the ``Optimizer`` base class)."""
    from . import optim

    return [n for n in optim.__all__ if n != "Optimizer"]


def _optimizer_class(text: str):
    """An ``lrcourse.optim`` class by name, case-insensitively ("sgd", "Adam", "adamw")."""
    from . import optim

    by_lower = {n.lower(): n for n in _optimizer_names()}
    name = by_lower.get(text.lower())
    if name is None:
        raise argparse.ArgumentTypeError(
            f"unknown optimizer {text!r}; choose from {', '.join(_optimizer_names())}"
        )
    return getattr(optim, name)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def _run_names(text: str) -> tuple[str, ...]:
    from .experiments import select_runs

    try:
        return tuple(r.name for r in select_runs(text))
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _writable_dir(text: str) -> Path:
    """A folder that exists and is writable, or could be created: checked, not created
    (the command creates it when it writes its first file)."""
    path = Path(text).expanduser()
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        reason = "not a folder" if existing == path else f"{str(existing)!r} is not a folder"
    elif not os.access(existing, os.W_OK | os.X_OK):
        reason = "permission denied"
    else:
        return path
    raise argparse.ArgumentTypeError(f"cannot write to {str(path)!r} ({reason})")


def _missing_dirs(path: Path) -> list[Path]:
    """``path`` and those of its parents that do not exist yet, deepest first."""
    missing = []
    path = path.absolute()
    while not path.exists() and path != path.parent:
        missing.append(path)
        path = path.parent
    return missing


def _remove_if_empty(folders: list[Path]) -> None:
    """Remove the folders this call created if nothing was written into them."""
    for folder in folders:
        for sub in sorted(folder.rglob("*"), reverse=True) if folder.is_dir() else ():
            if sub.is_dir() and not any(sub.iterdir()):
                sub.rmdir()
        with contextlib.suppress(OSError):  # not empty (or gone): keep it
            folder.rmdir()


def _common(p, *, default_out):
    from .data import DATASETS
    from .models import MODELS
    from .train import FRAMEWORKS

    p.add_argument(
        "--dataset",
        choices=DATASETS,
        default="auto",
        help="auto: CIFAR-10 when it is cached, else the embedded digits",
    )
    p.add_argument(
        "--data-dir",
        help="folder holding cifar-10-python.tar.gz (default: $LRCOURSE_DATA or the user cache)",
    )
    p.add_argument("--framework", choices=tuple(FRAMEWORKS), default="torch")
    p.add_argument("--model", choices=tuple(MODELS), default="article_cnn")
    p.add_argument("--batch-size", type=_positive_int, default=64)
    p.add_argument(
        "--out",
        type=_writable_dir,
        default=default_out,
        help=f"output folder (default: {default_out})",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bars")  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    from .experiments import RECIPES

    parser = _Parser(prog="lrcourse", description="Learning rates in deep learning.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")

    p = sub.add_parser("compare", help="train the named runs over seeds; results.csv + figures")
    _common(p, default_out="lrcourse-compare")
    p.add_argument(
        "--runs",
        type=_run_names,
        default=("all",),
        help="comma-separated run names or groups: all, reference, extra, "
        "constant, time_based, step_decay, exp_decay, adagrad, adadelta, "
        "rmsprop, adam, cosine, cyclic, one_cycle, warmup_cosine, lr_finder",
    )
    p.add_argument("--epochs", type=_positive_int, help="default: 100, or 30 when scaled down")
    p.add_argument("--seeds", type=_positive_int, default=3, help="seeds per run (default 3)")
    p.add_argument(
        "--full",
        action="store_true",
        help="the full-size comparison even without a GPU (very slow on a CPU)",
    )
    p.add_argument(
        "--threads",
        type=_positive_int,
        help="torch CPU threads (default: 1 when scaled down: robust on a shared machine)",
    )
    p.add_argument("--max-steps", type=_positive_int, help=argparse.SUPPRESS)  # smoke tests
    p.set_defaults(handler=_compare, parser=p)  # fmt: skip

    p = sub.add_parser("lr-find", help="learning-rate range test on the training set")
    _common(p, default_out="lrcourse-lr-find")
    p.add_argument(
        "--optimizer",
        type=_optimizer_class,
        default="SGD",
        help=f"an lrcourse.optim class, any case: {', '.join(_optimizer_names())} "
        "(SGD uses momentum 0.8); default SGD",
    )
    p.add_argument("--start-lr", type=_positive_float, default=1e-7)
    p.add_argument("--end-lr", type=_positive_float, default=10.0)
    p.add_argument("--num-iter", type=_int_at_least(2), default=100)
    p.add_argument("--seed", type=_int_at_least(0), default=0)
    p.set_defaults(handler=_lr_find, parser=p)  # fmt: skip

    p = sub.add_parser("recipes", help="documented LR settings of known architectures")
    p.add_argument(
        "--build",
        choices=tuple(RECIPES),
        help="build this recipe's optimizer and schedule and print them",
    )
    p.add_argument(
        "--steps-per-epoch",
        type=_positive_int,
        default=704,
        help="updates per epoch (default 704: 45,000 CIFAR-10 images, batch 64)",
    )
    p.add_argument("--epochs", type=_positive_int, default=100)
    p.set_defaults(handler=_recipes, parser=p)  # fmt: skip
    return parser


@contextlib.contextmanager
def _bad_input(parser, what: str = ""):
    """Argument checks past argparse (combinations): their error becomes one line, exit 2."""
    try:
        yield
    except (ValueError, TypeError, NotImplementedError) as err:
        parser.error(f"{what}{_one_line(err)}")


def _one_line(err: Exception) -> str:
    return " ".join(str(err).split())


def _progress(args) -> bool:
    return not args.no_progress and sys.stderr.isatty()


def _compare(args, parser) -> int:
    from .experiments import CompareSettings, format_table, plan_comparison, run_comparison

    with _bad_input(parser):
        settings = CompareSettings(
            out_dir=args.out,
            runs=args.runs,
            dataset=args.dataset,
            framework=args.framework,
            model=args.model,
            epochs=args.epochs,
            seeds=args.seeds,
            batch_size=args.batch_size,
            full=args.full,
            data_dir=args.data_dir,
            progress=_progress(args),
            max_steps=args.max_steps,
            cpu_threads=args.threads,
        )
        plan = plan_comparison(settings, say=print)  # every run's config: nothing trains yet
    result = run_comparison(plan, say=print)
    print()
    print(format_table(result.rows))
    print()
    for path in result.files:
        print(f"wrote {path}")
    minutes, seconds = divmod(result.seconds, 60)
    print(f"done in {int(minutes)} min {seconds:.0f} s ({result.scale.reason})")
    return 0


def _framework_twin(optimizer, framework: str):
    """Build the optimizer's twin once (on a dummy parameter): NotImplementedError if the
    framework has none (Lion in torch 2.13)."""
    if framework == "torch":
        import torch

        optimizer.to_torch([torch.zeros(1, requires_grad=True)])
    else:
        optimizer.to_keras()


def _lr_find(args, parser) -> int:
    from . import optim
    from .data import load_dataset
    from .lr_finder import lr_grid
    from .models import model_spec
    from .train import TrainConfig, trainer

    cls = args.optimizer
    optimizer = cls(momentum=0.8) if cls is optim.SGD else cls()
    if args.end_lr <= args.start_lr:
        parser.error(f"argument --end-lr: must be larger than --start-lr ({args.start_lr:g})")
    with _bad_input(parser, "argument --optimizer: "):
        _framework_twin(optimizer, args.framework)
    with _bad_input(parser):
        lr_grid(args.start_lr, args.end_lr, args.num_iter)
        config = TrainConfig(optimizer=optimizer, batch_size=args.batch_size, seed=args.seed,
                             progress=_progress(args))  # fmt: skip
    dataset = load_dataset(args.dataset, data_dir=args.data_dir)
    print(f"dataset {dataset.describe()}")
    spec = model_spec(args.model, dataset.image_shape, dataset.num_classes)
    result = trainer(args.framework).find_lr(
        spec, dataset, config, start_lr=args.start_lr, end_lr=args.end_lr, num_iter=args.num_iter
    )
    for method in ("steepest", "steep", "valley", "minimum"):
        try:
            print(f"suggestion {method:<8} {result.suggest(method):.3g}")
        except ValueError as err:
            print(f"suggestion {method:<8} none ({_one_line(err)})")
    ax = result.plot()
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "lr_find.png"
    ax.figure.savefig(path, dpi=110)
    print(f"wrote {path}")
    return 0


def _recipes(args, parser) -> int:
    from .experiments import format_recipes, get_recipe

    print(format_recipes())
    if args.build:
        with _bad_input(parser):
            built = get_recipe(args.build).build(args.steps_per_epoch, args.epochs)
        print()
        print(f"{args.build}: {args.epochs} epochs of {args.steps_per_epoch} steps")
        print(f"  optimizer  {built.optimizer!r}")
        print(f"  schedule   {built.schedule!r}")
        if built.schedule is not None:
            steps = [
                0,
                args.steps_per_epoch * args.epochs // 2,
                args.steps_per_epoch * args.epochs - 1,
            ]
            values = ", ".join(f"lr({s})={built.schedule(s):.3g}" for s in steps)
            print(f"             {values}")
        if built.plateau is not None:
            print(f"  plateau    {built.plateau!r} (fed {built.monitor} once per epoch)")
    return 0


def main(argv=None) -> int:
    """Entry point of the ``lrcourse`` console script."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    parser = build_parser()
    args = parser.parse_args(argv)
    from .data import DatasetUnavailable

    started = time.perf_counter()

    def one_line_warning(message, category, filename, lineno, file=None, line=None):
        print(f"{args.parser.prog}: warning: {_one_line(message)}", file=sys.stderr)

    shown_before = warnings.showwarning  # put back when main returns: a notebook calls main()
    warnings.showwarning = one_line_warning  # e.g. a corrupt CIFAR-10 archive under "auto"
    created = _missing_dirs(args.out) if getattr(args, "out", None) else []
    ok = False
    try:
        status = args.handler(args, args.parser)
        ok = status == 0
        return status
    except DatasetUnavailable as err:
        args.parser.exit(EXIT_FAILED, f"{args.parser.prog}: error: {_one_line(err)}\n")
    except KeyboardInterrupt:
        seconds = time.perf_counter() - started
        args.parser.exit(130, f"{args.parser.prog}: interrupted after {seconds:.0f} s\n")
    finally:
        warnings.showwarning = shown_before
        if not ok:
            _remove_if_empty(created)


if __name__ == "__main__":
    sys.exit(main())
