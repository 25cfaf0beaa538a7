#!/usr/bin/env bash
# Every GPU-only check of lrcourse in one go (under 8 minutes on one H100/H200).
#
#   benchmarks/gpu_check.sh REPORT_DIR                 # on the GPU machine
#   benchmarks/gpu_check.sh --wheels WHEEL_DIR REPORT_DIR   # + install missing keras/pytest
#   benchmarks/gpu_check.sh --cpu REPORT_DIR           # tiny sizes on a CPU: checks the script
#   benchmarks/gpu_check.sh --dry-run REPORT_DIR       # print the plan, run nothing
#
# Runs from a plain checkout, nothing installed (PYTHONPATH=. is set here): Python 3.12,
# torch with CUDA, JAX; no TensorFlow, no network. Keras runs on KERAS_BACKEND=jax (set
# KERAS_BACKEND to change it). If keras or pytest cannot be imported and --wheels names a
# folder of wheels, they are installed from it (no index) into a temporary folder.
#
# Sections (each in its own process, with its own time limit; a failure is recorded and
# the next section runs):
#   env               nvidia-smi, Python / torch / CUDA / JAX / Keras versions
#   cuda-tests        pytest -m gpu (torch): trainer on cuda with bf16 autocast and
#                     channels-last, float32, the LR finder, optimizer twins on CUDA tensors
#   torch-throughput  both models' training throughput (bf16 autocast, channels-last)
#   keras-tests       pytest -m gpu (Keras on KERAS_BACKEND): the Keras trainer on the GPU
#   keras-throughput  both models' training throughput with Keras (mixed_bfloat16)
#   comparison        the reference comparison (8 runs x 3 seeds, article CNN, 45,000
#                     random CIFAR-shaped images) for 2 epochs, extrapolated to 100
# REPORT_DIR gets one <section>.log each, summary.tsv and report.md (the summary table,
# also printed). Exit status: 0 if every section passed, 1 otherwise.
set -u

usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
MODE=gpu
WHEELS=""
while [ $# -gt 0 ]; do
  case "$1" in
    --cpu) MODE=cpu; shift ;;
    --dry-run) MODE=dry; shift ;;
    --wheels) [ $# -ge 2 ] || usage; WHEELS=$2; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "gpu_check.sh: unknown option $1" >&2; usage ;;
    *) break ;;
  esac
done
[ $# -eq 1 ] || usage
OUT=$1
cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD
mkdir -p "$OUT" || exit 2  # (--dry-run too: it checks the folder can be made)
OUT=$(cd "$OUT" && pwd)
PY=${PYTHON:-python3}
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
export TF_CPP_MIN_LOG_LEVEL=3 PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
KERAS=${KERAS_BACKEND:-jax}
[ "$MODE" = cpu ] && KERAS=${KERAS_BACKEND:-}  # here: whatever backend Keras defaults to
PYTEST=(-m pytest -q -rs -p no:cacheprovider --rootdir "$ROOT" -c "$ROOT/pyproject.toml")

# per-section limits in seconds: 25+40+60+60+100+75+110 = 470 s at most
if [ "$MODE" = cpu ]; then
  THROUGHPUT=(--steps 2 --models article_cnn --resnet-batch 16)
  COMPARISON=(--cpu --epochs 1 --seeds 1 --runs constant,adam --budget 60)
  export LRCOURSE_REQUIRE_GPU=0
else
  THROUGHPUT=()
  COMPARISON=(--epochs 2 --seeds 3 --runs reference --budget 90)
  export LRCOURSE_REQUIRE_GPU=1  # a GPU test that finds no GPU fails instead of skipping
fi

[ "$MODE" = dry ] || : > "$OUT/summary.tsv"
FAILED=0
SLACK=1
[ "$MODE" = cpu ] && SLACK=4  # a (shared) CPU imports and trains far slower
section() {  # section NAME LIMIT_S COMMAND...
  local name=$1 limit=$2; shift 2
  if [ "$MODE" = dry ]; then
    printf '%-17s %4ss  %s\n' "$name" "$limit" "$*"
    return
  fi
  echo "== $name (limit ${limit}s)"
  if declare -F "$1" > /dev/null; then set -- bash -c "$1"; fi  # a function of this script
  local start end rc status
  start=$(date +%s.%N)
  timeout --kill-after=10 $((limit * SLACK)) "$@" > "$OUT/$name.log" 2>&1
  rc=$?
  end=$(date +%s.%N)
  if [ $rc -eq 0 ]; then status=ok
  elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then status="TIMEOUT"
  else status="FAIL"
  fi
  if [ $rc -eq 0 ] && grep -qE '(^| )[0-9]+ skipped' "$OUT/$name.log" \
     && ! grep -qE '[0-9]+ passed' "$OUT/$name.log"; then status=skipped; fi
  [ "$status" = ok ] || [ "$status" = skipped ] || FAILED=1
  local seconds
  seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
  local note
  note=$(grep -E 'passed|skipped|failed|error|extrapolated|Error|^(torch|keras) ' "$OUT/$name.log" \
    | tail -1 | cut -c1-110)
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$status" "$rc" "$seconds" "$note" >> "$OUT/summary.tsv"
  tail -3 "$OUT/$name.log" | sed 's/^/   /'
}

versions() {
  command -v nvidia-smi > /dev/null && nvidia-smi || echo "nvidia-smi: not found"
  "$PY" - <<'EOF'
import importlib, platform, sys
print("python", sys.version.split()[0], platform.platform())
for name in ("numpy", "torch", "jax", "keras", "pytest", "matplotlib"):
    try:
        module = importlib.import_module(name)
        print(f"{name:<10} {getattr(module, '__version__', '?')}")
    except Exception as err:  # noqa: BLE001 - report, never fail here
        print(f"{name:<10} missing ({type(err).__name__}: {err})")
try:
    import torch
    print("cuda", torch.version.cuda, "available", torch.cuda.is_available(),
          torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")
    print("bf16 supported", torch.cuda.is_available() and torch.cuda.is_bf16_supported())
except Exception as err:  # noqa: BLE001
    print("torch:", err)
try:
    import jax
    print("jax devices", jax.devices())
except Exception as err:  # noqa: BLE001
    print("jax:", err)
EOF
}

extra_deps() {  # install keras / pytest from the wheel folder when they are missing
  local missing=()
  "$PY" -c "import keras" 2> /dev/null || missing+=(keras)
  "$PY" -c "import pytest" 2> /dev/null || missing+=(pytest)
  if [ ${#missing[@]} -eq 0 ]; then echo "keras and pytest importable: nothing to install"; return 0; fi
  if [ -z "$WHEELS" ]; then echo "missing: ${missing[*]} (pass --wheels DIR to install them)"; return 1; fi
  "$PY" -m pip install --no-index --find-links "$WHEELS" --target "$DEPS" "${missing[@]}"
}

export -f versions extra_deps
export PY WHEELS
echo "lrcourse GPU check ($MODE mode): report in $OUT"
if [ -n "$WHEELS" ] && [ "$MODE" != dry ]; then
  DEPS=$(mktemp -d "${TMPDIR:-/tmp}/lrcourse-gpu-deps.XXXXXX")
  export DEPS PYTHONPATH="$PYTHONPATH:$DEPS"
  section deps 25 extra_deps
fi
section env 40 versions
section cuda-tests 60 "$PY" "${PYTEST[@]}" "$ROOT/tests/test_gpu.py" -k "not keras"
section torch-throughput 60 "$PY" benchmarks/train_throughput.py --frameworks torch \
  --skip-comparison --random-data "${THROUGHPUT[@]}"
section keras-tests 100 env ${KERAS:+KERAS_BACKEND=$KERAS} "$PY" "${PYTEST[@]}" \
  "$ROOT/tests/test_gpu.py" -k keras
section keras-throughput 75 env ${KERAS:+KERAS_BACKEND=$KERAS} "$PY" \
  benchmarks/train_throughput.py --frameworks keras --skip-comparison --random-data \
  "${THROUGHPUT[@]}"
section comparison 110 "$PY" benchmarks/gpu_comparison.py --out "$OUT/comparison" \
  "${COMPARISON[@]}"
[ "$MODE" = dry ] && exit 0

{
  echo "# lrcourse GPU check ($MODE mode), $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  grep -E '^(python|torch|jax|keras|cuda) ' "$OUT/env.log" 2> /dev/null | sed 's/^/    /'
  echo
  echo "| section | status | exit | seconds | last line |"
  echo "|---|---|---:|---:|---|"
  awk -F'\t' '{ printf "| %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5 }' "$OUT/summary.tsv"
  for name in torch-throughput keras-throughput; do
    echo
    echo "## $name"
    echo
    grep -E '^(framework|torch |keras |device)' "$OUT/$name.log" 2> /dev/null | sed 's/^/    /'
  done
  echo
  echo "## comparison"
  echo
  grep -E '^(runs done|seconds per|extrapolated|device)' "$OUT/comparison.log" 2> /dev/null \
    | sed 's/^/    /'
} > "$OUT/report.md"
echo
awk -F'\t' 'BEGIN { printf "%-17s %-8s %5s %8s  %s\n", "section", "status", "exit", "seconds", "last line" }
            { printf "%-17s %-8s %5s %8s  %s\n", $1, $2, $3, $4, $5 }' "$OUT/summary.tsv"
echo "report: $OUT/report.md"
exit $FAILED
