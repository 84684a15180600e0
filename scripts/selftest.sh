#!/usr/bin/env bash
# Quick start, part 2: the suite's own tests (harness, servers, tools, step definitions, the report's
# browser test) in a few minutes. The regression self-check, a behave run per injected LitServe fault,
# is its own command: bash scripts/self-check.sh (pytest's marker `selfcheck`, left out here).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/install-browser.sh || echo "selftest: without Chromium the report's browser test will fail" >&2
.venv/bin/python -m pytest tests/ "$@"
