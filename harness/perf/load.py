"""Closed-loop load generator (httpx + asyncio) and the serving-benchmark metrics computed from it.

Metric names follow the serving benchmarks people know (vLLM ``benchmark_serving``, NVIDIA
``genai-perf``), with "chunk" where they say "token":

* **request latency** (vLLM: E2EL): from sending a request to receiving the whole answer;
  reported as p50 / p95 / p99 (linear interpolation between samples, like ``numpy.percentile``).
* **request throughput**: requests completed per second during the measurement window.
* **TTFT** (time to first token; here first chunk): from sending a request to the first chunk.
* **ITL** (inter-token latency; here inter-chunk): the gaps between consecutive chunks of a stream.
* **TPOT** (time per output token; here per chunk): ``(E2EL - TTFT) / (chunks - 1)`` per stream.
* **output throughput** (chunks per second): chunks that reached all clients per second.

A load point runs ``concurrency`` clients, each with its own keep-alive connection, that send
their next request as soon as the previous answer is complete (a closed loop, like wrk or
genai-perf's concurrency mode). Every client connects first and all start at a barrier; the
first ``warmup`` seconds are not counted. Requests keep being sent until the window closes;
latencies are those of requests sent inside the window, throughput counts what completed inside it.

The client's own CPU time is recorded: a Python client that uses most of a core is measuring
itself, not the server (see :attr:`LoadResult.client_bound`).
"""

from __future__ import annotations

import asyncio
import sys
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Sequence

import httpx

from harness.clients.http import DEFAULT_TIME_LIMIT, NoAnswerInTime, connect
from harness.clients.streams import StreamTranscript, read_stream
from harness.perf.stats import percentile, steady_rate

#: A client that uses more than this share of one core is reported as the bottleneck.
CLIENT_BOUND_CPU_SHARE = 0.8


@dataclass
class Sample:
    """One request as the client saw it."""

    sent_at: float
    answered_at: float
    status: int
    text: str = ""
    tag: str = ""

    @property
    def seconds(self) -> float:
        return self.answered_at - self.sent_at


@dataclass
class _LoadPoint:
    """Who was measured, at which concurrency, over which measuring window."""

    label: str
    concurrency: int
    window_start: float
    window_end: float

    @property
    def seconds(self) -> float:
        return self.window_end - self.window_start


@dataclass
class LoadResult(_LoadPoint):
    """One load point and what the clients saw."""

    samples: list[Sample] = field(default_factory=list)
    client_cpu_share: float = 0.0
    mean_batch_size: float | None = None

    def only(self, tag: str) -> "LoadResult":
        """The same load point restricted to the requests tagged ``tag`` (see ``alternate_get``)."""
        return replace(self, samples=[s for s in self.samples if s.tag == tag])

    @property
    def measured(self) -> list[Sample]:
        """Requests sent inside the window (their latencies are the ones reported)."""
        return [s for s in self.samples if self.window_start <= s.sent_at < self.window_end]

    @property
    def failures(self) -> list[Sample]:
        return [s for s in self.samples if s.status != 200]

    @property
    def latencies(self) -> list[float]:
        return [s.seconds for s in self.measured]

    @property
    def completed(self) -> int:
        return sum(1 for s in self.samples if self.window_start <= s.answered_at < self.window_end)

    @property
    def requests_per_second(self) -> float:
        return self.completed / self.seconds

    @property
    def steady_requests_per_second(self) -> float:
        return steady_rate([s.answered_at for s in self.samples], self.window_start, self.window_end)

    def latency_ms(self, pct: float) -> float:
        return percentile(self.latencies, pct) * 1000

    @property
    def client_bound(self) -> bool:
        return self.client_cpu_share >= CLIENT_BOUND_CPU_SHARE

    def summary(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "clients": self.concurrency,
            "requests": len(self.measured),
            "failed": len(self.failures),
            "requests_per_second": round(self.requests_per_second, 1),
            "steady_requests_per_second": round(self.steady_requests_per_second, 1),
            "p50_ms": round(self.latency_ms(50), 2),
            "p95_ms": round(self.latency_ms(95), 2),
            "p99_ms": round(self.latency_ms(99), 2),
            "mean_ms": round(sum(self.latencies) / max(len(self.latencies), 1) * 1000, 2),
            "client_cpu_share": round(self.client_cpu_share, 2),
            "client_bound": self.client_bound,
            **({} if self.mean_batch_size is None else {"mean_batch_size": round(self.mean_batch_size, 2)}),
        }


@dataclass
class StreamLoadResult(_LoadPoint):
    """One streaming load point: every stream the clients read, with per-chunk arrival times."""

    transcripts: list[StreamTranscript] = field(default_factory=list)
    client_cpu_share: float = 0.0

    def only_chunks(self, chunks: int) -> "StreamLoadResult":
        """The same load point restricted to the streams that asked for ``chunks`` chunks."""
        return replace(self, transcripts=[t for t in self.transcripts if t.request_body.get("chunks") == chunks])

    @property
    def measured(self) -> list[StreamTranscript]:
        return [t for t in self.transcripts if self.window_start <= t.sent_at < self.window_end]

    @property
    def failures(self) -> list[StreamTranscript]:
        return [t for t in self.transcripts if t.status != 200 or not t.ended_cleanly]

    @property
    def ttft(self) -> list[float]:
        return [t.chunks[0].arrived_at - t.sent_at for t in self.measured if t.chunks]

    @property
    def e2el(self) -> list[float]:
        return [t.finished_at - t.sent_at for t in self.measured]

    @property
    def itl(self) -> list[float]:
        return [b.arrived_at - a.arrived_at for t in self.measured for a, b in zip(t.chunks, t.chunks[1:])]

    @property
    def tpot(self) -> list[float]:
        return [(t.finished_at - t.chunks[0].arrived_at) / (len(t.chunks) - 1)
                for t in self.measured if len(t.chunks) > 1]

    @property
    def chunks_per_second(self) -> float:
        """Chunks that reached any client inside the window, per second (output throughput)."""
        arrivals = [c.arrived_at for t in self.transcripts for c in t.chunks]
        return sum(1 for a in arrivals if self.window_start <= a < self.window_end) / self.seconds

    @property
    def steady_chunks_per_second(self) -> float:
        return steady_rate([c.arrived_at for t in self.transcripts for c in t.chunks], self.window_start,
                           self.window_end)

    @property
    def streams_per_second(self) -> float:
        return sum(1 for t in self.transcripts if self.window_start <= t.finished_at < self.window_end) / self.seconds

    def summary(self) -> dict[str, Any]:
        def ms(values: list[float], pct: float) -> float:
            return round(percentile(values, pct) * 1000, 2)

        ttft, itl, e2el = self.ttft, self.itl, self.e2el
        return {
            "label": self.label,
            "clients": self.concurrency,
            "streams": len(self.measured),
            "failed": len(self.failures),
            "chunks_per_stream": round(sum(len(t.chunks) for t in self.measured) / max(len(self.measured), 1), 1),
            "chunks_per_second": round(self.chunks_per_second, 1),
            "steady_chunks_per_second": round(self.steady_chunks_per_second, 1),
            "streams_per_second": round(self.streams_per_second, 2),
            "ttft_p50_ms": ms(ttft, 50), "ttft_p99_ms": ms(ttft, 99),
            "itl_p50_ms": ms(itl, 50), "itl_p95_ms": ms(itl, 95), "itl_p99_ms": ms(itl, 99),
            "tpot_p50_ms": ms(self.tpot, 50),
            "e2el_p50_ms": ms(e2el, 50), "e2el_p99_ms": ms(e2el, 99),
            "client_cpu_share": round(self.client_cpu_share, 2),
        }


BodyFor = Callable[[int, int], Any]
"""``body_for(client_index, request_number)`` -> the JSON body of that client's next request."""


async def _closed_loop(concurrency: int, seconds: float, warmup: float, url: str,
                       one: Callable[[httpx.AsyncClient, int, int], Any]) -> tuple[float, float, list]:
    """``concurrency`` loops, each with its own client and keep-alive connection, all connected before they start.

    One client per loop: a single httpx client shared by many concurrent requests slows down in its
    connection pool. The clients load no TLS certificates (plain HTTP to 127.0.0.1), which keeps
    creating 32 of them cheap on a busy machine.
    """
    results: list = []
    clients = [httpx.AsyncClient(timeout=httpx.Timeout(DEFAULT_TIME_LIMIT), verify=False) for _ in range(concurrency)]
    try:
        await asyncio.gather(*(connect(client, url) for client in clients))
        start = time.monotonic() + warmup
        end = start + seconds

        async def client_loop(index: int) -> None:
            number = 0
            while time.monotonic() < end:
                results.append(await one(clients[index], index, number))
                number += 1

        await asyncio.gather(*(client_loop(i) for i in range(concurrency)))
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))
    return start, end, results


def measure_requests(url: str, concurrency: int, body_for: BodyFor, *, seconds: float, warmup: float = 0.3,
                     label: str = "", keep_text: bool = False, alternate_get: str | None = None,
                     time_limit: float = DEFAULT_TIME_LIMIT) -> LoadResult:
    """Closed-loop load of POSTs at ``concurrency`` for ``seconds`` after ``warmup``.

    With ``alternate_get``, every other request is a GET of that URL instead (tagged "get", the
    POSTs "post"): two kinds of request measured in turn, under the same conditions.
    """

    async def one(client: httpx.AsyncClient, index: int, number: int) -> Sample:
        get = alternate_get is not None and number % 2 == 1
        sent = time.monotonic()
        request = client.get(alternate_get) if get else client.post(url, json=body_for(index, number))
        try:
            response = await asyncio.wait_for(request, time_limit)
        except asyncio.TimeoutError:
            raise NoAnswerInTime(f"{alternate_get if get else url} got no answer within {time_limit:g} s "
                                 "under load") from None
        return Sample(sent, time.monotonic(), response.status_code, response.text if keep_text else "",
                      "get" if get else "post")

    (start, end, samples), cpu_share = _with_cpu_share(_closed_loop(concurrency, seconds, warmup, url, one))
    return LoadResult(label, concurrency, start, end, samples, cpu_share)


def measure_in_turn(urls: Sequence[str], body_for: BodyFor, *, seconds: float, warmup: float = 0.3,
                    label: str = "", time_limit: float = DEFAULT_TIME_LIMIT) -> LoadResult:
    """One client POSTing to each of ``urls`` in turn, back to back (samples tagged "0", "1", ...).

    Servers measured this way share every pause of the machine, so the ratio of their latencies
    holds on a busy machine where each one's absolute times do not. The client keeps one
    keep-alive connection per server.
    """

    async def one(client: httpx.AsyncClient, index: int, number: int) -> Sample:
        which = number % len(urls)
        sent = time.monotonic()
        try:
            response = await asyncio.wait_for(client.post(urls[which], json=body_for(index, number)), time_limit)
        except asyncio.TimeoutError:
            raise NoAnswerInTime(f"{urls[which]} got no answer within {time_limit:g} s") from None
        return Sample(sent, time.monotonic(), response.status_code, response.text, str(which))

    # The connections to the other servers open during the warm-up.
    (start, end, samples), cpu_share = _with_cpu_share(_closed_loop(1, seconds, warmup, urls[0], one))
    return LoadResult(label, 1, start, end, samples, cpu_share)


def measure_streams(url: str, concurrency: int, body_for: BodyFor, *, seconds: float, warmup: float = 0.2,
                    label: str = "", time_limit: float = DEFAULT_TIME_LIMIT) -> StreamLoadResult:
    """Closed-loop load of streaming requests: each client reads one stream after another."""

    async def one(client: httpx.AsyncClient, index: int, number: int) -> StreamTranscript:
        return await read_stream(client, url, body_for(index, number), time_limit=time_limit)

    (start, end, transcripts), cpu_share = _with_cpu_share(_closed_loop(concurrency, seconds, warmup, url, one))
    return StreamLoadResult(label, concurrency, start, end, transcripts, cpu_share)


def _with_cpu_share(coroutine) -> tuple[Any, float]:
    """Run the load and measure the client process's CPU time as a share of one core (wall-clock)."""
    cpu, wall = time.process_time(), time.monotonic()
    outcome = asyncio.run(coroutine)
    return outcome, (time.process_time() - cpu) / max(time.monotonic() - wall, 1e-9)


_FIRST_PROGRESS: list[float] = []


def progress(message: str) -> None:
    """A progress line on the console (also while behave captures stdout), with the seconds since the first."""
    if not _FIRST_PROGRESS:
        _FIRST_PROGRESS.append(time.monotonic())
    elapsed = time.monotonic() - _FIRST_PROGRESS[0]
    print(f"  performance [{elapsed:5.1f} s]: {message}", file=sys.__stderr__, flush=True)
