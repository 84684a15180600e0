#!/usr/bin/env bash
# Quick start, part 1: install, run the acceptance suite (behave features/), write the HTML report.
# Extra arguments go to behave, e.g.  bash scripts/acceptance.sh --tags=@blocker
# The report is written even when scenarios fail; the exit status is behave's (or the report's, if
# behave passed and the report could not be made).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit $?
.venv/bin/behave features/ "$@"
status=$?
report_status=0
if command -v npm >/dev/null 2>&1; then
  npm ci --no-audit --no-fund --loglevel=error || report_status=$?
else
  echo "acceptance: npm is missing, so the HTML report cannot be made: install Node.js 20" >&2
  report_status=1
fi
if [ "$report_status" -eq 0 ]; then
  bash scripts/report.sh generate || report_status=$?
fi
if [ "$status" -eq 0 ]; then
  status=$report_status
fi
exit $status
