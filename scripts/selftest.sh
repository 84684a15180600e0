#!/usr/bin/env bash
# Quick start, part 2: the suite's own tests (harness tests, regression self-check).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/install-browser.sh || echo "selftest: without Chromium the report's browser test will fail" >&2
.venv/bin/python -m pytest tests/ "$@"
