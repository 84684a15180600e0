"""Locust users for LitServe: plain, batched and streaming requests, each answer checked.

Run by :mod:`harness.load.engine` as ``locust -f litserve_users.py --headless ... PlainUser ...``
(never imported by behave). What each user does comes from the environment:

* ``LOAD_PLAIN_HOST``, ``LOAD_BATCHED_HOST``, ``LOAD_STREAM_HOST``: the server of each kind
  (default: ``--host``);
* ``LOAD_PACE``: requests per second per user, on a fixed schedule (one request per period, each
  user at its own phase of the period, so that arrivals are evenly spread); 0 = back to back;
  ``LOAD_PLAIN_PACE`` (``_BATCHED_``, ``_STREAM_``): the same for one kind of user;
* ``LOAD_CHECK``: ``square`` (the suite's apps: the answer must be ``input * input``) or
  ``status`` (any deployed LitServe: a 200 is enough); ``LOAD_BODY``: the JSON body in ``status`` mode;
* ``LOAD_STREAM_CHUNKS``, ``LOAD_STREAM_PAUSE``: what a streaming user asks for;
* ``LOAD_PLAIN_USERS`` (``_BATCHED_``, ``_STREAM_``): a fixed number of users of that kind (Locust's ``fixed_count``);
* ``LOAD_STAGES``: a load shape (``shapes.py``); ``LOAD_SAMPLES_DIR``: where samples go (``sink.py``).

Streaming users time their own chunks (when each arrived, and the model's ``produced_at``) and report the
whole stream through Locust's request event, so Locust's statistics and the samples agree.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time

import gevent

from locust import task
from locust.contrib.fasthttp import FastHttpUser

import sink  # noqa: F401  (records every request)

if os.environ.get("LOAD_STAGES"):
    from shapes import StagesShape  # noqa: F401  (Locust uses the shape it finds in the locustfile)

PACE = float(os.environ.get("LOAD_PACE", "0"))
CHECK = os.environ.get("LOAD_CHECK", "square")
BODY = json.loads(os.environ.get("LOAD_BODY", '{"input": 3}'))
STREAM_CHUNKS = int(os.environ.get("LOAD_STREAM_CHUNKS", "5"))
STREAM_PAUSE = float(os.environ.get("LOAD_STREAM_PAUSE", "0"))
_numbers = itertools.count(1)
#: Where this process's users start within a pacing period (processes of --processes differ).
_PROCESS_OFFSET = random.Random(os.getpid()).random()
GOLDEN = (5 ** 0.5 - 1) / 2


class _Suite(FastHttpUser):
    abstract = True
    kind = ""
    # One connection per user: N users hold N keep-alive connections.
    concurrency = 1
    network_timeout = 60.0
    connection_timeout = 60.0

    def on_start(self) -> None:
        self.number = next(_numbers)
        self.sent = 0
        pace = float(os.environ.get(f"LOAD_{self.kind.upper()}_PACE", PACE))
        self.period = 1 / pace if pace > 0 else 0.0
        if self.period:
            # Paced users start at evenly spread phases of one period (a golden-ratio sequence), so
            # N users at P requests per second each make arrivals 1 / (N * P) s apart, not N at once.
            phase = ((self.number * GOLDEN + _PROCESS_OFFSET) % 1) * self.period
            self.due = time.monotonic() + phase
            gevent.sleep(phase)

    def wait_time(self) -> float:
        """Paced: the next request is due one period after the last one was due (a fixed schedule; a user
        that fell behind sends at once until it is back on it). Unpaced: at once."""
        if not self.period:
            return 0.0
        self.due += self.period
        return max(0.0, self.due - time.monotonic())

    def _context(self) -> dict:
        self.sent += 1
        return {"kind": self.kind, "user": self.number, "sent": time.monotonic()}

    def _square(self, path: str = "/predict", batched: bool = False) -> None:
        value = self.number * 1000 + self.sent % 1000
        body = BODY if CHECK == "status" else {"client": f"u{self.number}-{self.sent}", "input": value}
        with self.client.post(path, json=body, name=self.kind, context=self._context(), catch_response=True) as resp:
            if resp.status_code != 200:
                resp.failure(f"status {resp.status_code}: {(resp.text or '')[:200]}")
            elif CHECK == "square":
                answer = resp.json()
                if answer.get("output") != value * value:
                    resp.failure(f"asked for the square of {value}, got {answer}")
                elif batched and "trace" not in answer:
                    resp.failure(f"a batched answer without its batch trace: {answer}")
                elif batched:
                    resp.request_meta["context"]["batch_size"] = answer["trace"]["size"]


class PlainUser(_Suite):
    """Asks an unbatched ``square`` server (or, in ``status`` mode, any LitServe) for answers."""

    kind = "plain"
    host = os.environ.get("LOAD_PLAIN_HOST") or None
    fixed_count = int(os.environ.get("LOAD_PLAIN_USERS", "0"))

    @task
    def ask(self) -> None:
        self._square()


class BatchedUser(_Suite):
    """Asks a batching ``square`` server; every answer must say which batch served it."""

    kind = "batched"
    host = os.environ.get("LOAD_BATCHED_HOST") or None
    fixed_count = int(os.environ.get("LOAD_BATCHED_USERS", "0"))

    @task
    def ask(self) -> None:
        self._square(batched=True)


class StreamUser(_Suite):
    """Streams replies from a ``tokens`` server, timing each chunk; the chunks must be whole and in order."""

    kind = "stream"
    host = os.environ.get("LOAD_STREAM_HOST") or None
    fixed_count = int(os.environ.get("LOAD_STREAM_USERS", "0"))

    @task
    def stream(self) -> None:
        prompt = f"u{self.number}s{self.sent}"
        context = self._context()
        body = {"client": prompt, "prompt": prompt, "chunks": STREAM_CHUNKS, "chunk_pause": STREAM_PAUSE}
        with self.client.post("/predict", json=body, name=self.kind, context=context, stream=True,
                              catch_response=True) as resp:
            arrivals, produced, texts, error = [], [], [], ""
            try:
                if resp.status_code != 200:
                    error = f"status {resp.status_code}"
                else:
                    # Locust's FastResponse has no public line reader: its public iter_content() calls read(n),
                    # which waits for n bytes (chunks would be timed late), and it ends silently on a broken
                    # connection (a cut stream would look complete). geventhttpclient's response, kept in the
                    # private ``_response``, has readline(), which returns each line as soon as it is complete.
                    while line := resp._response.readline(b"\n"):
                        if line.strip():
                            arrivals.append(time.monotonic())
                            chunk = json.loads(line)
                            texts.append(chunk.get("text"))
                            if isinstance(chunk, dict) and "produced_at" in chunk:
                                produced.append(chunk["produced_at"])
                    if resp._response.read().strip():
                        error = "the stream ended in the middle of a chunk"
            except Exception as failure:  # noqa: BLE001  (a broken stream is a failed request, not a crash)
                error = f"{type(failure).__name__}: {failure}"
            sent = context["sent"]
            context = resp.request_meta["context"]  # the session copied ours: the event carries this one
            resp.request_meta["response_time"] = (time.monotonic() - sent) * 1000
            context["arrivals"], context["produced"] = arrivals, produced
            expected = [f"{prompt}-{i}" for i in range(STREAM_CHUNKS)]
            if not error and CHECK == "square" and texts != expected:
                error = f"chunks {texts[:3]}... ({len(texts)}) instead of {expected[:3]}... ({len(expected)})"
            if error:
                resp.failure(error)
            else:
                resp.success()
