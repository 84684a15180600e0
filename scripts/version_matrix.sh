#!/usr/bin/env bash
# Run every default feature (what `behave features/` runs) on LitServe releases, one virtual environment per release (.matrix/venvs/).
#   bash scripts/version_matrix.sh                  # every release 0.2.0 .. 0.2.19
#   bash scripts/version_matrix.sh oldest newest    # some releases (numbers or oldest/newest)
# Prints a table release x feature (passed / failed / known issue / n/a); exits 1 on an unexpected failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m tools.version_matrix "$@"
