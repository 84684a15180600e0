"""Regressions injected into LitServe on purpose, to prove that the features catch them.

``LITSERVE_SUITE_FAULT=<name>`` in a server's environment applies the fault inside that
server process before LitServe starts. Used by the suite's self-check.
"""

from __future__ import annotations

import os
from typing import Callable

FAULTS: dict[str, Callable[[], None]] = {}


def apply_from_environment() -> None:
    name = os.environ.get("LITSERVE_SUITE_FAULT", "").strip()
    if not name:
        return
    if name not in FAULTS:
        raise SystemExit(f"unknown fault {name!r}; known faults are {sorted(FAULTS)}")
    FAULTS[name]()
    print(f"suite: fault {name!r} injected", flush=True)
