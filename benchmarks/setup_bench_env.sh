#!/usr/bin/env bash
# The comparison packages of bench_hessian.py live in their own environment, never in prunekd's dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv-bench/bin/python ] || "$PY" -m venv .venv-bench
.venv-bench/bin/pip install -q --upgrade pip
.venv-bench/bin/pip install -q -e . "pyhessian==0.1" "loss-landscapes==3.0.6"
echo "benchmark environment ready: .venv-bench/bin/python benchmarks/bench_hessian.py"
