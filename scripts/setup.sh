#!/usr/bin/env bash
# Create .venv (if missing) and install the pinned Python dependencies. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
# Byte-compile the suite's own code once: every server the suite starts imports it again in each of its
# processes (the inference workers are spawned), and where PYTHONDONTWRITEBYTECODE is set (as on the CI
# machines) Python would otherwise compile it from source each time, about 30 ms per process.
.venv/bin/python -m compileall -q -j 0 servers harness tools >/dev/null
