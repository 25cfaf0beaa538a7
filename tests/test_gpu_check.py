"""benchmarks/gpu_check.sh: its plan, its robustness (a failing section is recorded and the
others still run) and, marked slow, a real run in --cpu mode (tiny sizes, no GPU)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "gpu_check.sh"
SECTIONS = ["env", "cuda-tests", "torch-throughput", "keras-tests", "keras-throughput",
            "comparison"]  # fmt: skip
pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")


def _run(*args, python=sys.executable, timeout=60):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KERAS_BACKEND")}
    env["PYTHON"] = python
    return subprocess.run(
        ["bash", str(SCRIPT), *args], capture_output=True, text=True, env=env, timeout=timeout
    )


def _summary(out: Path) -> dict[str, str]:
    rows = [line.split("\t") for line in (out / "summary.tsv").read_text().splitlines()]
    return {row[0]: row[1] for row in rows}


def test_dry_run_lists_every_section_within_8_minutes(tmp_path):
    done = _run("--dry-run", str(tmp_path / "report"))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()[1:]
    assert [line.split()[0] for line in lines] == SECTIONS
    assert sum(int(line.split()[1].rstrip("s")) for line in lines) <= 480
    text = done.stdout
    assert "KERAS_BACKEND=jax" in text and "-m pytest" in text and "--random-data" in text
    assert "--runs reference" in text and "--seeds 3" in text
    assert not (tmp_path / "report" / "summary.tsv").exists()


def test_usage_errors_exit_2(tmp_path):
    assert _run().returncode == 2
    assert _run("--bogus", str(tmp_path)).returncode == 2


def test_a_failing_section_is_recorded_and_the_rest_still_run(tmp_path):
    out = tmp_path / "report"
    done = _run("--cpu", str(out), python="/bin/false")
    assert done.returncode == 1
    assert _summary(out) == dict.fromkeys(SECTIONS, "FAIL")
    report = (out / "report.md").read_text()
    assert all(f"| {name} | FAIL |" in report for name in SECTIONS)
    assert "section" in done.stdout and "report:" in done.stdout


@pytest.mark.slow
def test_cpu_mode_runs_every_section(tmp_path):
    """Tiny sizes on the CPU: the GPU tests skip, the benchmarks and the comparison run."""
    pytest.importorskip("torch")
    pytest.importorskip("keras")
    out = tmp_path / "report"
    done = _run("--cpu", str(out), timeout=1800)
    summary = _summary(out)
    assert done.returncode == 0, done.stdout + (out / "summary.tsv").read_text()
    assert summary["cuda-tests"] == summary["keras-tests"] == "skipped"
    assert all(summary[n] == "ok" for n in ("env", "torch-throughput", "keras-throughput",
                                            "comparison"))  # fmt: skip
    assert (out / "comparison" / "results.csv").is_file()
    assert "extrapolated full reference comparison" in (out / "report.md").read_text()
