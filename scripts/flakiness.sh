#!/usr/bin/env bash
# Flakiness gate: run every default feature (what `behave features/` runs) N times in a row (default 10) and print the pass rate per scenario.
#   bash scripts/flakiness.sh               # 10 runs
#   bash scripts/flakiness.sh 20 --cpu-load # 20 runs with CPU-bound load (half the cores busy)
#   bash scripts/flakiness.sh 10 --features single_streaming failure_streams   # some features
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m tools.flakiness "$@"
