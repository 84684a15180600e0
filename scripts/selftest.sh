#!/usr/bin/env bash
# Quick start, part 2: the suite's own tests (harness tests, regression self-check).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m pytest tests/ "$@"
