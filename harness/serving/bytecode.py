"""Compile the apps' package once per run, so that the servers' processes do not each compile it again.

Every inference worker LitServe starts is a fresh interpreter (``spawn``) that imports ``servers``. Where Python
writes no bytecode (``PYTHONDONTWRITEBYTECODE``, as on the CI machines) and none is up to date (``behave`` called
directly in a fresh clone, or after a file of ``servers/`` changed), each of a default run's 80 or so workers
compiled the package from source: 60 to 90 ms of CPU each. Compiling it takes 0.1 s, checking it a few ms. This is
the only place that compiles ``servers/`` (``scripts/setup.sh`` compiles the rest of the suite).
"""

from __future__ import annotations

import compileall

from harness.paths import REPO_ROOT


def compile_apps() -> None:
    """Write the bytecode of ``servers/`` (where it is missing or out of date) into its ``__pycache__`` folders; a
    folder it cannot write is left as it is."""
    compileall.compile_dir(REPO_ROOT / "servers", quiet=2)  # silent: a folder it cannot write only costs time
