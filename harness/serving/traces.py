"""What an app wrote about its work to the server log: ``suite: trace <kind> <json>`` lines.

The OpenAI-compatible apps (``servers/openai_apps.py``) cannot add fields to LitServe's
OpenAI-shaped answers, so they report each chat piece (with the ``time.monotonic()`` at
which it was produced) and each embedding batch in the log instead; the continuous-batching toy
LLM (``servers/llm_apps.py``) reports each step.
"""

from __future__ import annotations

import json
import re
import time
from typing import Callable

from harness.serving.launcher import RunningServer

_LINE = re.compile(r"^suite: trace (\S+) (\{.*\})\s*$", re.MULTILINE)


def traces(server: RunningServer, kind: str) -> list[dict]:
    """Every trace of ``kind`` the server logged so far, oldest first."""
    return [json.loads(found) for name, found in _LINE.findall(server.log_text()) if name == kind]


def traces_between(server: RunningServer, kind: str, since: float, until: float, *, wait: float = 5.0,
                   at_least: int = 1, where: Callable[[dict], bool] = lambda trace: True) -> list[dict]:
    """The traces of ``kind`` whose time (:func:`_stamp`) lies in ``[since, until]`` (and that
    satisfy ``where``).

    Waits up to ``wait`` seconds for ``at_least`` of them (the worker's log lines can lag behind
    the answer by a moment on a busy machine).
    """
    deadline = time.monotonic() + wait
    while True:
        found = [t for t in traces(server, kind)
                 if since <= _stamp(t) <= until and where(t)]
        if len(found) >= at_least or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def step_traces(server: RunningServer, transcripts: list, received: int | None = None) -> list[dict]:
    """The toy LLM's ``step`` traces (``servers/llm_apps.py``) of the steps that served these streams (or calls
    of the openai client), oldest first: those produced between the first request and the last answer's end, once
    they hold as many tokens as the clients received (``received``; by default one per chunk: the worker's log
    lines can lag behind the last chunk)."""
    since = min(t.sent_at for t in transcripts)
    until = max(t.finished_at for t in transcripts)
    received = sum(len(t.chunks) for t in transcripts) if received is None else received
    deadline = time.monotonic() + 5.0
    while True:
        found = [t for t in traces(server, "step") if since <= t["produced_at"] <= until]
        if sum(len(t["members"]) for t in found) >= received or time.monotonic() > deadline:
            return found
        time.sleep(0.05)
def _stamp(trace: dict) -> float:
    """When the trace's event happened: ``produced_at`` (a piece), ``started_at`` (a batch), ``received_at`` (a request)."""
    for key in ("produced_at", "started_at", "received_at"):
        if key in trace:
            return trace[key]
    return -1.0
