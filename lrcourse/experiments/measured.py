"""The full reference comparison as measured on a GPU, read from a committed CSV -- or, when
none has been measured yet, a plain statement that it has not.

The full comparison (CIFAR-10, 100 epochs, every run of ``RUNS`` over 3 seeds) takes hours
of GPU time; a notebook cannot run it, so it reads its results. They live in
``lrcourse/experiments/measured/reference_comparison.csv``: the ``results.csv`` that
``lrcourse compare`` writes (one row per run: mean, std, min and max over seeds of the
final validation accuracy and loss, best validation accuracy, test accuracy, ...), preceded
by ``# key: value`` lines that say how it was made. ``command`` and ``device`` are
required::

    # command: lrcourse compare --runs all --seeds 3 --dataset cifar10 --full --out results
    # device: NVIDIA H200 (torch 2.13, CUDA 12.8)
    # date: 2026-12-02
    run,title,seeds,final_val_accuracy_mean,final_val_accuracy_std,...
    constant,"SGD, constant lr 0.1",3,0.71,0.004,...

``write_measured(rows, path, command=..., device=...)`` writes that file from
``Comparison.rows``; from the command line,
``python -m lrcourse.experiments.measured results/results.csv --device "NVIDIA H200"`` turns the
``results.csv`` of ``lrcourse compare`` into it. ``load_measured()`` returns a ``Measured``
(the rows, the command, the device) when the file exists, and a ``NotMeasured`` that says
"not yet measured on a GPU" (and how to measure) when it does not.
Nothing here invents a number: no file, no table.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .compare import format_table, write_results

MEASURED_FILE = "reference_comparison.csv"
MEASURE_COMMAND = "lrcourse compare --runs all --seeds 3 --dataset cifar10 --full --out results"
RECORD_COMMAND = 'python -m lrcourse.experiments.measured results/results.csv --device "..."'
REQUIRED_NOTES = ("command", "device")
TEXT_COLUMNS = ("run", "title")
INT_COLUMNS = ("seeds", "diverged")


def default_path() -> Path:
    """Where the committed measurement lives, inside the installed package."""
    return Path(str(resources.files("lrcourse.experiments") / "measured" / MEASURED_FILE))


@dataclass(frozen=True)
class Measured:
    """The measured comparison: one row per run, and how it was measured."""

    rows: list[dict]
    command: str
    device: str
    path: Path
    notes: dict = field(default_factory=dict)  # every "# key: value" line, command included
    measured = True

    def row(self, run: str) -> dict:
        for r in self.rows:
            if r["run"] == run:
                return r
        raise KeyError(f"run {run!r} was not measured; measured: {[r['run'] for r in self.rows]}")

    def __str__(self) -> str:
        return f"measured on {self.device} with `{self.command}`\n{format_table(self.rows)}"


@dataclass(frozen=True)
class NotMeasured:
    """No measurement committed: says so, and how to make one."""

    path: Path
    measured = False

    def __str__(self) -> str:
        return (
            f"not yet measured on a GPU (lrcourse/experiments/measured/ holds no {self.path.name})."
            f" To measure it, run `{MEASURE_COMMAND}` on a machine with a GPU and CIFAR-10, "
            f"then `{RECORD_COMMAND}`."
        )


def load_measured(path: str | Path | None = None) -> Measured | NotMeasured:
    """The measured comparison at ``path`` (default: the package's own file), or
    ``NotMeasured`` when there is no such file. A file without ``# command:`` and
    ``# device:`` lines, or without rows, is an error, not a measurement."""
    path = default_path() if path is None else Path(path)
    if not path.is_file():
        return NotMeasured(path)
    notes, lines = {}, []
    for line in path.read_text().splitlines():
        if line.startswith("#"):
            key, sep, value = line[1:].partition(":")
            if not sep:
                raise ValueError(f"{path}: a note line must read '# key: value', got {line!r}")
            notes[key.strip()] = value.strip()
        elif line.strip():
            lines.append(line)
    missing = [k for k in REQUIRED_NOTES if not notes.get(k)]
    if missing:
        raise ValueError(f"{path}: no '# {missing[0]}: ...' line: a measurement must say {missing}")
    rows = read_rows(lines)
    if not rows:
        raise ValueError(f"{path}: no result rows after the notes")
    return Measured(rows, notes["command"], notes["device"], path, notes)


def read_rows(lines: list[str]) -> list[dict]:
    """The rows of a ``results.csv`` (its lines, notes left out), numbers as numbers."""
    return [_parse_row(r) for r in csv.DictReader(io.StringIO("\n".join(lines)))]


def _parse_row(row: dict) -> dict:
    parsed = {}
    for key, value in row.items():
        if key in TEXT_COLUMNS:
            parsed[key] = value
        elif key in INT_COLUMNS:
            parsed[key] = int(value)
        else:
            parsed[key] = float(value)  # "nan" reads as NaN: no spread with one seed
    return parsed


def write_measured(rows: list[dict], path: str | Path, *, command: str, device: str, **notes):
    """Write ``rows`` (``Comparison.rows``) with the notes ``load_measured`` reads."""
    for key, value in (("command", command), ("device", device), *notes.items()):
        if not isinstance(value, str) or not value.strip() or "\n" in value:
            raise ValueError(f"{key} must be a one-line, non-empty string, got {value!r}")
    if not rows:
        raise ValueError("rows is empty: there is nothing measured to write")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_results(rows, path)
    header = "".join(f"# {k}: {v}\n" for k, v in (("command", command), ("device", device)))
    header += "".join(f"# {k}: {v}\n" for k, v in notes.items())
    path.write_text(header + path.read_text())
    return path


def main(argv=None) -> int:
    """``python -m lrcourse.experiments.measured RESULTS_CSV --device DEVICE``."""
    parser = argparse.ArgumentParser(
        prog="python -m lrcourse.experiments.measured",
        description="Commit a GPU measurement of the reference comparison: the results.csv of "
        "`lrcourse compare`, with the command and the device that made it.",
    )
    parser.add_argument("results", type=Path, help="the results.csv lrcourse compare wrote")
    parser.add_argument("--device", required=True, help='the GPU, e.g. "NVIDIA H200"')
    parser.add_argument("--command", default=MEASURE_COMMAND, help="the command that made it")
    parser.add_argument("--out", type=Path, help="default: the package's own file")
    args = parser.parse_args(argv)
    if not args.results.is_file():
        parser.error(f"results: {args.results} is not a file (lrcourse compare writes results.csv)")
    try:
        lines = [ln for ln in args.results.read_text().splitlines() if not ln.startswith("#")]
        path = write_measured(
            read_rows(lines),
            args.out or default_path(),
            command=args.command,
            device=args.device,
            date=datetime.date.today().isoformat(),
        )
    except ValueError as err:
        parser.error(f"{args.results}: {err}")
    print(f"wrote {path}: {len(read_rows(lines))} runs measured on {args.device}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
