"""The one result model of performance and load: a :class:`Sample` per request, a :class:`Run` per load run.

Both engines return a :class:`Run`: Locust (:mod:`harness.load.engine`, every concurrent load) and the
one-client loop of the performance feature (:mod:`harness.performance.one_client`). Times are
``time.monotonic()``, which every process of the machine shares (the servers' ``produced_at`` too).

* A run's time 0 is :attr:`Run.started`; its **window** is the part that counts, in seconds after
  that: the first :data:`WARMUP` seconds of a closed loop (clients connecting) are left out.
  Every figure is over the window unless a step asks for other seconds (``start``, ``end``).
* Latencies are those of the requests *sent* in the window, throughput counts the answers *completed*
  in it, the steady rate is the median over :data:`harness.load.stats.STEADY_SLICES` slices.
* A client whose busiest process uses :data:`CLIENT_BOUND_CPU_SHARE` of a core or more was
  measuring itself (:attr:`Run.client_bound`).

Metric names follow the serving benchmarks people know (vLLM ``benchmark_serving``, NVIDIA
``genai-perf``), with "chunk" where they say "token": request latency (E2EL), TTFT (time to first
chunk), ITL (gaps between chunks), TPOT (``(E2EL - TTFT) / (chunks - 1)``), chunks per second.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Sequence

from harness.load.stats import percentile, steady_rate

#: Seconds at the start of a closed-loop run that are not counted (clients connecting, first requests).
WARMUP = 0.5
#: A client whose busiest process uses this share of one core or more is reported as the bottleneck.
CLIENT_BOUND_CPU_SHARE = 0.9


@dataclass
class Sample:
    """One request as its client saw it."""

    kind: str                      # what was asked: a Locust user kind ("plain", "batched", "stream") or a tag
    sent: float                    # time.monotonic() when it was sent
    done: float                    # ... when its whole answer had arrived
    status: int                    # HTTP status (0: no answer)
    ok: bool = True                # answered right: status 200, the right answer, a whole stream
    error: str = ""
    user: int = 0                  # which client sent it
    text: str = ""                 # the answer's body, when the client keeps it
    arrivals: list[float] = field(default_factory=list)   # streams: when each chunk arrived
    produced: list[float] = field(default_factory=list)   # streams: when the model made each chunk (produced_at)
    batch_size: int | None = None  # the size of the batch that served it, when the answer says

    @property
    def seconds(self) -> float:
        return self.done - self.sent

    @property
    def ms(self) -> float:
        return (self.done - self.sent) * 1000

    @property
    def ttft(self) -> float | None:
        """Seconds to the first chunk (None: no chunk)."""
        return self.arrivals[0] - self.sent if self.arrivals else None

    @property
    def gaps(self) -> list[float]:
        return [b - a for a, b in zip(self.arrivals, self.arrivals[1:])]

    def shifted(self, by: float) -> "Sample":
        """The same request with every time moved by ``by`` seconds."""
        return replace(self, sent=self.sent + by, done=self.done + by, arrivals=[t + by for t in self.arrivals],
                       produced=[t + by for t in self.produced])


@dataclass
class Run:
    """One load run: what every request did, the window that counts, and the client's CPU use."""

    samples: list[Sample]
    started: float                                  # time.monotonic() of the run's time 0 (first request sent)
    window: tuple[float, float]                     # [start, end) seconds after ``started`` that count
    clients: int                                    # clients (Locust users) at once
    cpu_shares: dict[int, float] = field(default_factory=dict)   # client process pid -> share of one core
    label: str = ""
    plan: Any = None                                # the engine's LoadPlan (None: the one-client loop)
    stats: list[dict[str, Any]] = field(default_factory=list)    # Locust's own statistics (--json)
    finished: float = 0.0                           # time.monotonic() when the client had stopped

    # -- choosing samples
    def _span(self, start: float | None, end: float | None) -> tuple[float, float]:
        return (self.window[0] if start is None else start), (self.window[1] if end is None else end)

    def of(self, kind: str | None = None, start: float | None = None, end: float | None = None) -> list[Sample]:
        """Samples of ``kind`` (None: all) sent in [start, end) seconds after the start (default: the window)."""
        lo, hi = self._span(start, end)
        return [s for s in self.samples if (kind is None or s.kind == kind) and lo <= s.sent - self.started < hi]

    def only(self, kind: str) -> "Run":
        """The same run restricted to the requests of ``kind``."""
        return replace(self, samples=[s for s in self.samples if s.kind == kind])

    @property
    def errors(self) -> list[Sample]:
        """Every request not answered right (in or out of the window)."""
        return [s for s in self.samples if not s.ok]

    @property
    def duration(self) -> float:
        """Seconds from the start to the last answer."""
        return max((s.done for s in self.samples), default=self.started) - self.started

    # -- requests
    def latencies(self, kind: str | None = None, start: float | None = None, end: float | None = None) -> list[float]:
        return [s.seconds for s in self.of(kind, start, end)]

    def latency_ms(self, pct: float, kind: str | None = None, start: float | None = None,
                   end: float | None = None) -> float:
        return percentile(self.latencies(kind, start, end), pct) * 1000

    def requests_per_second(self, kind: str | None = None, start: float | None = None,
                            end: float | None = None) -> float:
        """Answers completed per second in [start, end) seconds after the start (default: the window)."""
        lo, hi = self._span(start, end)
        done = [s for s in self.samples if (kind is None or s.kind == kind) and lo <= s.done - self.started < hi]
        return len(done) / max(hi - lo, 1e-9)

    def steady_requests_per_second(self, kind: str | None = None) -> float:
        """Answers per second in a typical slice of the window (a stall of the machine hardly moves it)."""
        return steady_rate([s.done for s in self.samples if kind is None or s.kind == kind], *self._absolute())

    # -- streams
    def ttfts(self) -> list[float]:
        return [s.ttft for s in self.of() if s.ttft is not None]

    def ttft_ms(self, pct: float, start: float | None = None, end: float | None = None) -> float:
        return percentile([s.ttft for s in self.of(None, start, end) if s.ttft is not None], pct) * 1000

    def itls(self) -> list[float]:
        return [gap for s in self.of() for gap in s.gaps]

    def tpots(self) -> list[float]:
        return [(s.done - s.arrivals[0]) / (len(s.arrivals) - 1) for s in self.of() if len(s.arrivals) > 1]

    def chunks_per_second(self) -> float:
        """Chunks that reached any client inside the window, per second (output throughput)."""
        lo, hi = self._absolute()
        return sum(1 for s in self.samples for at in s.arrivals if lo <= at < hi) / (hi - lo)

    def steady_chunks_per_second(self) -> float:
        return steady_rate([at for s in self.samples for at in s.arrivals], *self._absolute())

    def _absolute(self) -> tuple[float, float]:
        return self.started + self.window[0], self.started + self.window[1]

    # -- the client
    @property
    def client_cpu_share(self) -> float:
        """The busiest client process's CPU time as a share of one core."""
        return max(self.cpu_shares.values(), default=0.0)

    @property
    def client_bound(self) -> bool:
        return self.client_cpu_share >= CLIENT_BOUND_CPU_SHARE

    def summary(self, kind: str | None = None) -> dict[str, Any]:
        """The run's figures (of ``kind``), times in ms, for tables and ``reports/performance.json``."""
        part = self if kind is None else self.only(kind)
        measured = part.of()

        def ms(values: Sequence[float], pct: float) -> float:
            return round(percentile(values, pct) * 1000, 2)

        latencies = part.latencies()
        figures: dict[str, Any] = {
            "label": self.label, "kind": kind or "all", "clients": self.clients, "requests": len(measured),
            "failed": len(part.errors), "requests_per_second": round(part.requests_per_second(), 1),
            "steady_requests_per_second": round(part.steady_requests_per_second(), 1),
            "p50_ms": ms(latencies, 50), "p95_ms": ms(latencies, 95), "p99_ms": ms(latencies, 99),
            "mean_ms": round(sum(latencies) / max(len(latencies), 1) * 1000, 2),
            "client_cpu_share": round(self.client_cpu_share, 2), "client_bound": self.client_bound,
            "client_processes": len(self.cpu_shares)}
        sizes = [s.batch_size for s in measured if s.batch_size is not None]
        if sizes:
            figures["mean_batch_size"] = round(sum(sizes) / len(sizes), 2)
        if any(s.arrivals for s in measured):
            ttft, itl = part.ttfts(), part.itls()
            figures.update(
                chunks_per_stream=round(sum(len(s.arrivals) for s in measured) / max(len(measured), 1), 1),
                chunks_per_second=round(part.chunks_per_second(), 1),
                steady_chunks_per_second=round(part.steady_chunks_per_second(), 1),
                ttft_p50_ms=ms(ttft, 50), ttft_p99_ms=ms(ttft, 99), itl_p50_ms=ms(itl, 50), itl_p95_ms=ms(itl, 95),
                itl_p99_ms=ms(itl, 99), tpot_p50_ms=ms(part.tpots(), 50), e2el_p50_ms=ms(latencies, 50),
                e2el_p99_ms=ms(latencies, 99))
        return figures


def laid_end_to_end(runs: Sequence[Run], label: str = "") -> Run:
    """Several runs of one load point as one run: each run's window, in turn, one after the other.

    A load point measured in several runs (A, B, B, A, so that a drift of the machine cancels out)
    is then read like one: its rates are the answers of all windows over their total length.
    """
    samples: list[Sample] = []
    offset = 0.0
    for run in runs:
        start, end = run.window
        shift = offset - (run.started + start)
        samples += [s.shifted(shift) for s in run.samples if start <= s.sent - run.started < end]
        offset += end - start
    busiest = max((run.client_cpu_share for run in runs), default=0.0)
    return Run(samples, 0.0, (0.0, offset), max((run.clients for run in runs), default=0), {0: busiest}, label)

