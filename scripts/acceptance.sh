#!/usr/bin/env bash
# Quick start, part 1: install, run the acceptance suite (behave features/), write the HTML report.
# Extra arguments go to behave, e.g.  bash scripts/acceptance.sh --tags=@blocker
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit $?
.venv/bin/behave features/ "$@"
status=$?
exit $status
