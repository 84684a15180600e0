#!/usr/bin/env bash
# The regression self-check: every injected LitServe fault (servers/faults/) must make a scenario of the
# features it targets fail, and those features must pass without it (docs/self-check.md). One behave run
# per fault: about 10-15 minutes. Extra arguments go to pytest, e.g. -k batching_off.
# Writes reports/self-check.md. For a few faults by name: .venv/bin/python -m tools.self_check NAME ...
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m pytest -m selfcheck tests/tools/test_self_check.py "$@"
