"""Every request of a Locust run as one JSON line, for the suite to read back after the run.

Loaded by the locustfile inside the Locust process (never by behave: Locust monkey-patches the
standard library with gevent). ``LOAD_SAMPLES_DIR`` names a directory; each Locust process
(``--processes N`` forks workers) writes its own ``samples-<pid>.jsonl``. A line holds:

* ``kind``: the user class's kind (``plain``, ``batched``, ``stream``), ``user``: the user's number;
* ``sent`` and ``done``: ``time.monotonic()`` when the request was sent and its answer complete
  (monotonic clocks are shared by every process of the machine, the servers' timestamps too);
* ``ok``, ``status``, ``error``: the outcome, as the user judged it (a wrong answer is an error);
* for streams: ``arrivals`` (``time.monotonic()`` when each chunk arrived) and ``produced`` (the model's
  ``produced_at`` of each chunk); for batched answers ``batch_size``.
"""

from __future__ import annotations

import atexit
import json
import os
import time
from typing import IO

from locust import events

_out: dict[int, IO[str]] = {}


def _file() -> IO[str] | None:
    directory = os.environ.get("LOAD_SAMPLES_DIR")
    if not directory:
        return None
    pid = os.getpid()
    if pid not in _out:
        _out[pid] = open(os.path.join(directory, f"samples-{pid}.jsonl"), "a", buffering=1 << 16)
    return _out[pid]


def flush(**_kwargs) -> None:
    out = _out.get(os.getpid())
    if out is not None:
        out.flush()


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response=None, context=None, exception=None,
            **_kwargs) -> None:
    context = context or {}
    out = _file()
    if out is None or "sent" not in context:
        return
    status = getattr(response, "status_code", 0) or 0
    line = {"kind": context.get("kind", name), "user": context.get("user", 0), "sent": context["sent"],
            "done": time.monotonic(), "ok": exception is None, "status": status,
            "error": "" if exception is None else str(exception)[:300]}
    for extra in ("arrivals", "produced", "batch_size", "bytes"):
        if extra in context:
            line[extra] = context[extra]
    out.write(json.dumps(line) + "\n")


events.test_stop.add_listener(flush)
events.quitting.add_listener(flush)
atexit.register(flush)
