#!/usr/bin/env bash
# Create .venv (if missing) and install the pinned Python dependencies. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
# Byte-compile the suite's own code, which PYTHONDONTWRITEBYTECODE (set on the CI machines) would otherwise
# have compiled from source in every process. The apps (servers/) are compiled by each run itself, also when
# behave is called directly or a file has changed since: harness/serving/bytecode.py.
.venv/bin/python -m compileall -q -j 0 harness tools >/dev/null
