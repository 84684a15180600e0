#!/usr/bin/env bash
# Debian's Chromium and ChromeDriver for the report's browser test (tests/harness/reporting/test_report_browser.py).
# Installs them only when missing; needs root (CI runs as root). Never downloads a browser build of
# its own: Playwright drives /usr/bin/chromium.
set -euo pipefail
if [ -x /usr/bin/chromium ] && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-browser: Chromium is missing; as root run: apt-get update && apt-get install -y chromium chromium-driver" >&2
  exit 1
fi
echo "install-browser: installing Debian's chromium and chromium-driver"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
/usr/bin/chromium --version
