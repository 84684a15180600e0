#!/usr/bin/env bash
# The performance gate: run the @performance scenarios (their checks compare LitServe with references
# measured side by side in the same run), then compare their ratios with a stored baseline.
# Fails (exit 1) when a scenario fails, or when a ratio is worse than the baseline by more than its
# tolerance on the machine state the baseline was made in (another machine: not compared; another
# load: advisory; docs/performance.md).
#
#   bash scripts/performance.sh                               # compare with performance-baseline.json
#   PERF_BASELINE=my-baseline.json bash scripts/performance.sh
#   PERF_TOLERANCE=0.5 bash scripts/performance.sh             # one tolerance for every ratio (0.5 = 50 %)
#   bash scripts/performance.sh --no-compare                   # measure only
#   PERF_STRICT=1 bash scripts/performance.sh                  # the baseline gates whatever the machine state
# Other arguments go to behave.
set -uo pipefail
cd "$(dirname "$0")/.."
compare=1
args=()
for arg in "$@"; do
  if [ "$arg" = "--no-compare" ]; then compare=0; else args+=("$arg"); fi
done
bash scripts/setup.sh || exit $?
rm -f reports/performance.json   # never compare an earlier run's figures
.venv/bin/behave features/ --tags=@performance "${args[@]}"
measured=$?
compared=0
if [ "$compare" = 1 ]; then
  .venv/bin/python -m tools.perf_baseline compare --baseline "${PERF_BASELINE:-performance-baseline.json}" \
    ${PERF_TOLERANCE:+--tolerance "$PERF_TOLERANCE"} ${PERF_STRICT:+--strict}
  compared=$?
fi
[ "$measured" = 0 ] && [ "$compared" = 0 ]
