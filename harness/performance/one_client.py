"""One client asking back to back, in turn: how the performance feature measures a lone client.

Every concurrent load of the suite comes from Locust (:mod:`harness.load.engine`). A lone client
is measured here instead, with httpx in the behave process, because the figures the performance
gate decides with are ratios of what one client saw from two things asked in turn (LitServe and a
bare FastAPI app, a prediction and a health check, a reply of 20 chunks and one of 1), and the
gate's limits and the stored baseline (``performance-baseline.json``, ten runs) were measured with
this client:

* the same loop asks each thing in turn, request by request, so both share every pause of the
  machine; Locust could ask two hosts from one user too, but its client costs less per request
  than this one, and the cost of the client is in both sides of every ratio: moving the lone
  client to Locust moves every latency ratio the gate checks and needs a new baseline of ten
  runs on a quiet machine (``tools/perf_baseline.py make-baseline``), not a refactoring;
* a lone client needs no second process: a Locust subprocess costs 1-2 CPU-seconds to start, on
  a 2-core machine, before each of the ten one-client points of the feature;
* the figures of a lone stream need each chunk's ``produced_at`` and the whole answer
  (the batch trace), which this client reads in place.

It returns the same :class:`harness.load.model.Run` as Locust (samples tagged with the ask's
``kind``), with the same warm-up (:data:`harness.load.model.WARMUP`) and client-bound rule.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import httpx

from harness.clients.http import DEFAULT_TIME_LIMIT, NoAnswerInTime, connect
from harness.clients.streams import StreamTranscript, read_stream
from harness.load.model import WARMUP, Run, Sample


@dataclass(frozen=True)
class Ask:
    """One kind of request the client asks in its turn: POST ``body(n)`` to ``url``, GET it, or stream it."""

    kind: str                                        # the tag of its samples
    url: str
    body: Callable[[int], Any] | None = None         # request number -> JSON body (None: a GET)
    stream: bool = False                             # read the answer as a stream of chunks
    keep_text: bool = True                           # keep the answer's body in the sample


def ask_in_turn(asks: Sequence[Ask], *, seconds: float, warmup: float = WARMUP, label: str = "",
                time_limit: float = DEFAULT_TIME_LIMIT) -> Run:
    """One client asking ``asks`` in turn, back to back, for ``warmup`` + ``seconds``; the window is the ``seconds``.

    The client keeps one keep-alive connection per server (opened before the start, or during the
    warm-up for the others) and loads no TLS certificates (plain HTTP to 127.0.0.1).
    """
    cpu, wall = time.process_time(), time.monotonic()
    started, samples = asyncio.run(_loop(asks, seconds, warmup, time_limit))
    share = (time.process_time() - cpu) / max(time.monotonic() - wall, 1e-9)
    return Run(samples, started, (warmup, warmup + seconds), 1, {os.getpid(): share}, label,
               finished=time.monotonic())


async def _loop(asks: Sequence[Ask], seconds: float, warmup: float, time_limit: float) -> tuple[float, list[Sample]]:
    samples: list[Sample] = []
    async with httpx.AsyncClient(timeout=httpx.Timeout(DEFAULT_TIME_LIMIT), verify=False) as client:
        await connect(client, asks[0].url)
        started = time.monotonic()
        end = started + warmup + seconds
        number = 0
        while time.monotonic() < end:
            ask = asks[number % len(asks)]
            samples.append(await _one(client, ask, number, time_limit))
            number += 1
    return started, samples


async def _one(client: httpx.AsyncClient, ask: Ask, number: int, time_limit: float) -> Sample:
    if ask.stream:
        return _from_transcript(ask.kind, await read_stream(client, ask.url, ask.body(number) if ask.body else {},
                                                            time_limit=time_limit))
    sent = time.monotonic()
    request = client.post(ask.url, json=ask.body(number)) if ask.body else client.get(ask.url)
    try:
        response = await asyncio.wait_for(request, time_limit)
    except asyncio.TimeoutError:
        raise NoAnswerInTime(f"{ask.url} got no answer within {time_limit:g} s") from None
    return Sample(ask.kind, sent, time.monotonic(), response.status_code, response.status_code == 200,
                  text=response.text if ask.keep_text else "")


def _from_transcript(kind: str, transcript: StreamTranscript) -> Sample:
    produced = [item["produced_at"] for item in transcript.items if isinstance(item, dict) and "produced_at" in item]
    ok = transcript.status == 200 and transcript.ended_cleanly
    return Sample(kind, transcript.sent_at, transcript.finished_at, transcript.status, ok, transcript.error,
                  arrivals=[chunk.arrived_at for chunk in transcript.chunks], produced=produced)
