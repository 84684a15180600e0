#!/usr/bin/env bash
# The HTML report (Allure 2) of the last behave run.
#   bash scripts/report.sh                 generate reports/allure-report from reports/allure-results
#   bash scripts/report.sh serve [PORT]    serve it on http://127.0.0.1:PORT/ (default 8088) until Ctrl-C
# The report is offline: generated with ALLURE_NO_ANALYTICS=true, it loads nothing from outside hosts.
# It must be opened over HTTP (the page loads its data with requests that file:// URLs do not allow).
set -euo pipefail
cd "$(dirname "$0")/.."
RESULTS=reports/allure-results
REPORT=reports/allure-report

die() { echo "report: $*" >&2; exit 1; }

generate() {
  ls "$RESULTS"/*-result.json >/dev/null 2>&1 \
    || die "no Allure results in $RESULTS: run \`.venv/bin/behave features/\` (or bash scripts/acceptance.sh) first"
  [ -x .venv/bin/python ] || die "no .venv: run bash scripts/setup.sh first"
  command -v java >/dev/null 2>&1 \
    || die "Allure 2 needs Java (17 or newer): install it, e.g. apt-get install -y openjdk-17-jre-headless"
  if [ ! -x node_modules/.bin/allure ]; then
    command -v npm >/dev/null 2>&1 || die "npm is missing: install Node.js 20 (it brings npm), then run this again"
    npm ci --no-audit --no-fund --loglevel=error
  fi
  local started elapsed
  started=$EPOCHREALTIME
  .venv/bin/python -m harness.reporting.allure_meta prepare "$RESULTS" "$REPORT"
  # the report's title is the run's verdict: new failures, known LitServe defects, passed
  local title
  title=$(.venv/bin/python -m harness.reporting.verdict "$RESULTS") || die "could not read the results in $RESULTS"
  echo "report: $title"
  rm -rf "$REPORT.new"
  ALLURE_NO_ANALYTICS=true node_modules/.bin/allure generate "$RESULTS" -o "$REPORT.new" --clean \
      --name "$title" >/dev/null \
    || die "allure generate failed (see above); the previous report, if any, is unchanged"
  if grep -rqiE "googletagmanager|google-analytics" "$REPORT.new/index.html"; then
    die "the generated report would call an analytics host; is ALLURE_NO_ANALYTICS honoured by this Allure?"
  fi
  rm -rf "$REPORT"
  mv "$REPORT.new" "$REPORT"
  elapsed=$(awk "BEGIN { printf \"%.1f\", $EPOCHREALTIME - $started }")
  echo "report: $REPORT/index.html ($(du -sh "$REPORT" | cut -f1), $(find "$REPORT" -type f | wc -l) files, generated in $elapsed s)"
  echo "report: view it with: bash scripts/report.sh serve   (then open http://127.0.0.1:8088/)"
}

serve() {
  local port="${1:-8088}"
  [ -f "$REPORT/index.html" ] || die "no report in $REPORT: run bash scripts/report.sh first"
  echo "report: serving $REPORT on http://127.0.0.1:$port/ (Ctrl-C to stop)"
  exec .venv/bin/python -m http.server "$port" --bind 127.0.0.1 --directory "$REPORT"
}

case "${1:-generate}" in
  generate) generate ;;
  serve) shift; serve "$@" ;;
  -h|--help|help) sed -n '2,6p' "$0" ;;
  *) die "unknown command '$1': use 'generate' (the default) or 'serve [PORT]'" ;;
esac
