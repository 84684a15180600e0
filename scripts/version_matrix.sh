#!/usr/bin/env bash
# Run every default feature (what `behave features/` runs) on LitServe releases, one virtual environment per release
# (.matrix/venvs/), store each (release, feature) cell in docs/version-matrix.json, then regenerate docs/version-matrix.md.
#   bash scripts/version_matrix.sh                  # every release 0.2.0 .. 0.2.19 (same as: all)
#   bash scripts/version_matrix.sh all --missing    # only releases with a cell not stored yet (resume a cut-off run)
#   bash scripts/version_matrix.sh oldest newest    # some releases (numbers or oldest/newest)
#   bash scripts/version_matrix.sh --features failure_streams -- 0.2.5 0.2.6
# Cells: passed / known (registry ids) / NEW failure / no longer reproduces / n/a, with skipped counts.
# Exits 1 on a new failure, a known defect that no longer reproduces, or a release that could not run;
# the page is regenerated from the stored cells in every case.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit $?
status=0
.venv/bin/python -m tools.version_matrix "$@" || status=$?
.venv/bin/python -m tools.version_matrix --write-docs || status=$?
exit $status
