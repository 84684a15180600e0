"""What an app reports about how it served a request: batch, worker and server-side timestamps.

Timestamps are ``time.monotonic()`` readings. On Linux that clock is system-wide, so the
suite can compare them with the client's own ``time.monotonic()`` readings.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field

#: Part of the message of every error the model raises on purpose. It must never reach a client (the suite checks
#: for it without importing LitServe, so it lives here).
INTERNAL_ERROR_MARKER = "model-internal-failure"
#: The answer header each user middleware adds its name to.
MIDDLEWARE_HEADER = "x-suite-middlewares"


@dataclass
class BatchTrace:
    """One call of ``predict``: which requests it served together, and when."""

    batch: str
    size: int
    members: list[str]
    worker: int
    started_at: float
    finished_at: float = 0.0
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


class BatchCounter:
    """Numbers the ``predict`` calls of one worker process: ``<pid>-<n>``."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def open(self, members: list[str]) -> BatchTrace:
        pid = os.getpid()
        return BatchTrace(
            batch=f"{pid}-{next(self._counter)}",
            size=len(members),
            members=list(members),
            worker=pid,
            started_at=time.monotonic(),
        )


#: Every trace line in a server log starts with this (``harness/serving/traces.py`` reads them).
TRACE_PREFIX = "suite: trace"


def report(kind: str, **fields) -> None:
    """Write one ``suite: trace <kind> <json>`` line to the server log in ONE write: several processes share
    the log, and an unbuffered ``print`` writes the text and its newline apart, so two processes' lines
    could run into one."""
    sys.stdout.write(f"{TRACE_PREFIX} {kind} {json.dumps(fields)}\n")
    sys.stdout.flush()
