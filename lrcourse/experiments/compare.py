"""Run a set of named runs over several seeds and write the results table and figures.

``compare(settings)`` trains every run of ``settings.runs`` once per seed with the chosen
framework, and writes into ``settings.out_dir``:

- ``results.csv``: one row per run -- mean, standard deviation (``nan`` with fewer than two
  seeds that reached an epoch: no spread to measure), min and max over seeds of
  the final validation accuracy and loss, best validation accuracy, test accuracy (of the
  final model, evaluated once), epochs done, divergences, training time;
- ``histories/<run>_seed<k>_steps.csv`` and ``..._epochs.csv``: every run's History;
- ``lr_per_step.png``, ``loss_per_epoch.png``, ``accuracy_per_epoch.png`` and
  ``comparison.png`` (one figure with all runs).
"""

from __future__ import annotations

import csv
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import validation
from .runs import RunLength, RunSpec, select_runs
from .scale import SCALED_MODEL_OPTIONS, Scale, choose_scale

FINDER_METHOD = "valley"  # fastai's default; "steep" picks noise on small, dropout-heavy nets
METRICS = ("final_val_accuracy", "best_val_accuracy", "test_accuracy", "final_val_loss")


@dataclass(frozen=True)
class CompareSettings:
    """What ``lrcourse compare`` runs (validated on creation)."""

    out_dir: Path
    runs: tuple = ("all",)
    dataset: str = "auto"
    framework: str = "torch"
    model: str = "article_cnn"
    epochs: int | None = None  # None: 100 at full size, fewer when scaled down
    seeds: int = 3
    batch_size: int = 64
    full: bool = False
    data_dir: str | None = None
    progress: bool = True
    max_steps: int | None = None  # per run: for smoke tests
    cpu_threads: int | None = None  # torch on a CPU; None: 1 when scaled down, else torch's

    def __post_init__(self):
        from ..data import DATASETS
        from ..models import MODELS
        from ..train import FRAMEWORKS

        validation.check_choice("dataset", self.dataset, DATASETS)
        validation.check_choice("framework", self.framework, tuple(FRAMEWORKS))
        validation.check_choice("model", self.model, tuple(MODELS))
        if self.epochs is not None:
            validation.check_int("epochs", self.epochs, low=1)
        validation.check_int("seeds", self.seeds, low=1)
        validation.check_int("batch_size", self.batch_size, low=1)
        if self.cpu_threads is not None:
            validation.check_int("cpu_threads", self.cpu_threads, low=1)
        select_runs(self.runs)


@dataclass
class Comparison:
    """What ``compare`` produced."""

    scale: Scale
    dataset: str
    rows: list[dict]
    histories: dict = field(default_factory=dict)  # run name -> [History per seed]
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0


def gpu_available(framework: str) -> bool:
    """Whether the framework would train on a GPU here."""
    if framework == "torch":
        import torch

        return torch.cuda.is_available()
    from ..train import keras_trainer

    return keras_trainer.gpu_present()


@dataclass
class Plan:
    """Everything a comparison will train, built and checked before anything trains."""

    settings: CompareSettings
    scale: Scale
    dataset: object  # lrcourse.data.Dataset
    spec: object  # lrcourse.models.ModelSpec
    module: object  # the trainer module
    runs: list  # [(RunSpec, seed, TrainConfig)], in training order
    started: float = 0.0


def plan_comparison(
    settings: CompareSettings, *, say: Callable[[str], None] = print, dataset=None
) -> Plan:
    """Load the dataset and build every run's ``TrainConfig`` (optimizer, schedule) for every
    seed. A run that cannot be built at this length (a 1-cycle of 3 updates...) raises
    ValueError naming the run, before any other run has trained.

    ``dataset``: an ``lrcourse.data.Dataset`` to use instead of ``settings.dataset`` (e.g.
    random images for a throughput check); it is used whole, for ``settings.epochs`` (or
    100) epochs, when ``settings.full``, and scaled down like the digits otherwise."""
    from ..data import load_dataset, resolve_name
    from ..data.choose import fallback_reason
    from ..models import model_spec
    from ..train import TrainConfig, trainer
    from ..train.config import steps_per_epoch

    start = time.perf_counter()
    runs = select_runs(settings.runs)
    if dataset is None:
        name = resolve_name(settings.dataset, settings.data_dir)
        fallback = fallback_reason(settings.data_dir) if settings.dataset == "auto" else None
    else:
        name, fallback = dataset.name, f"the dataset given is {dataset.name}"
    scale = choose_scale(
        name,
        gpu_available(settings.framework),
        full=settings.full,
        epochs=settings.epochs,
        fallback=fallback,
    )
    say(f"lrcourse compare: {scale.reason}")
    threads = settings.cpu_threads or (1 if scale.scaled else None)
    if dataset is None:
        dataset = load_dataset(name, data_dir=settings.data_dir)
    if scale.subset:
        dataset = dataset.subset(**scale.subset)
    say(f"dataset {dataset.describe()}")
    options = dict(SCALED_MODEL_OPTIONS.get(settings.model, {})) if scale.scaled else {}
    spec = model_spec(settings.model, dataset.image_shape, dataset.num_classes, **options)
    length = RunLength(scale.epochs, steps_per_epoch(len(dataset.train), settings.batch_size))
    planned = []
    for run in runs:
        for seed in range(settings.seeds):
            try:
                config = TrainConfig(
                    optimizer=run.optimizer(),
                    schedule=run.schedule(length),
                    epochs=scale.epochs,
                    batch_size=settings.batch_size,
                    seed=seed,
                    progress=settings.progress,
                    max_steps=settings.max_steps,
                    cpu_threads=threads,
                )
            except (ValueError, TypeError) as err:
                raise ValueError(
                    f"run {run.name!r} cannot be built for {length.epochs} epoch(s) of "
                    f"{length.steps_per_epoch} update(s) ({len(dataset.train)} training "
                    f"images, batch size {settings.batch_size}): {err}. Train more epochs "
                    "or use a smaller batch size"
                ) from err
            planned.append((run, seed, config))
    say(
        f"{len(runs)} runs x {settings.seeds} seeds, {scale.epochs} epochs of "
        f"{length.steps_per_epoch} steps, {spec.name}"
        f"{''.join(f' ({k} {v})' for k, v in options.items())} "
        f"({spec.num_params:,} parameters), "
        f"{settings.framework}"
    )
    return Plan(settings, scale, dataset, spec, trainer(settings.framework), planned, start)


def run_comparison(plan: Plan, *, say: Callable[[str], None] = print) -> Comparison:
    """Train a planned comparison; write the histories, ``results.csv`` and the figures."""
    out = _prepare_out_dir(plan.settings.out_dir)
    histories: dict[str, list] = {}
    for run, seed, config in plan.runs:
        if run.lr_from_finder:
            config = _with_finder_lr(plan.module, plan.spec, plan.dataset, config, say)
        history = plan.module.fit(plan.spec, plan.dataset, config, run=run.name)
        history.meta["title"] = run.title
        histories.setdefault(run.name, []).append(history)
        history.to_csv(out / "histories" / f"{run.name}_seed{seed}")
        say(_one_line(history, seed))

    runs = list(dict.fromkeys(run for run, _, _ in plan.runs))
    rows = summarise(runs, histories)
    files = [write_results(rows, out / "results.csv")]
    from .figures import save_figures

    files += save_figures(histories, rows, out)
    seconds = time.perf_counter() - plan.started
    return Comparison(plan.scale, plan.dataset.name, rows, histories, files, seconds=seconds)


def compare(settings: CompareSettings, *, say: Callable[[str], None] = print) -> Comparison:
    """Run the comparison described by ``settings``; ``say`` receives progress lines.

    ``plan_comparison`` (every run checked and built) then ``run_comparison``."""
    return run_comparison(plan_comparison(settings, say=say), say=say)


def _with_finder_lr(module, spec, dataset, config, say):
    """The config with its optimizer's lr set by a range test on this seed's initial model."""
    result = module.find_lr(spec, dataset, config.with_(progress=False))
    lr = float(result.suggest(FINDER_METHOD))
    optimizer = config.get_optimizer()
    optimizer.lr = lr
    say(f"  lr_finder (seed {config.seed}): suggestion '{FINDER_METHOD}' = {lr:.3g}")
    return config.with_(optimizer=optimizer, schedule=None)


def _one_line(history, seed) -> str:
    if history.diverged and history.num_epochs == 0:
        return f"  {history.run:<14} seed {seed}: {history.diverged}"
    s = history.summary()
    end = f"; then {history.diverged}" if history.diverged else ""
    return (
        f"  {history.run:<14} seed {seed}: val acc {s['final_val_accuracy']:.3f} "
        f"(best {s['best_val_accuracy']:.3f} at epoch {s['best_epoch']}), "
        f"val loss {s['final_val_loss']:.3f}, {s['time_s']:.1f}s{end}"
    )


def summarise(runs: list[RunSpec], histories: dict) -> list[dict]:
    """One row per run: mean / std / min / max over seeds of each metric, and more."""
    rows = []
    for run in runs:
        summaries = [h.summary() for h in histories.get(run.name, [])]
        row = {"run": run.name, "title": run.title, "seeds": len(summaries)}
        for metric in METRICS:
            values = [s[metric] for s in summaries if not math.isnan(s[metric])]
            row[f"{metric}_mean"] = statistics.fmean(values) if values else math.nan
            # one value has no spread to measure: NaN, not a reassuring 0
            row[f"{metric}_std"] = statistics.stdev(values) if len(values) > 1 else math.nan
            row[f"{metric}_min"] = min(values, default=math.nan)
            row[f"{metric}_max"] = max(values, default=math.nan)
        row["epochs_mean"] = statistics.fmean(s["epochs"] for s in summaries)
        row["diverged"] = sum(bool(s["diverged"]) for s in summaries)
        row["time_s_mean"] = statistics.fmean(s["time_s"] for s in summaries)
        row["images_per_s_mean"] = statistics.fmean(
            h.meta.get("images_per_s", 0.0) for h in histories[run.name]
        )
        rows.append(row)
    return rows


def write_results(rows: list[dict], path: Path) -> Path:
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _fmt(v) for k, v in row.items()})
    return path


def _fmt(value):
    return f"{value:.6g}" if isinstance(value, float) else value


def _prepare_out_dir(path) -> Path:
    """Create the output folder (and ``histories/``); a clear error if it is not writable."""
    out = Path(path)
    try:
        (out / "histories").mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as err:
        raise ValueError(f"out_dir {str(out)!r} is not a writable folder ({err.strerror})") from err
    return out


def format_table(rows: list[dict]) -> str:
    """The results as an aligned text table (what the CLI prints); "-" where every seed
    diverged before an epoch ended; no "± std" where fewer than two seeds give a value
    (there is no spread to measure)."""
    header = (
        f"{'run':<14} {'val acc':>15} {'best val':>8} {'test acc':>8} {'val loss':>8} div seeds"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        acc = _num(r["final_val_accuracy_mean"])
        if not math.isnan(r["final_val_accuracy_std"]):
            acc += f" ± {_num(r['final_val_accuracy_std'])}"
        lines.append(
            f"{r['run']:<14} {acc:>15} {_num(r['best_val_accuracy_mean']):>8}"
            f" {_num(r['test_accuracy_mean']):>8} {_num(r['final_val_loss_mean']):>8}"
            f" {r['diverged']:>3} {r['seeds']:>5}"
        )
    return "\n".join(lines)


def _num(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.3f}"
