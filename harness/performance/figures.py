"""The ratios the performance scenarios check and the baseline compares, derived from side-by-side measurements.

A :class:`Measured` is one load point on one server. The ratio functions take the list of a
scenario's measurements and return a :class:`Ratio` (value, which way is better, what it means)
or raise :class:`MissingFigure` when the scenario did not measure what the ratio needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from harness.load.model import Run
from harness.load.stats import median
from harness.serving.launcher import RunningServer


class MissingFigure(AssertionError):
    """The scenario did not measure what this check needs (a mistake in the feature file)."""


@dataclass
class Measured:
    """One load point: which server, what kind of request (predict, health or stream), the run."""

    server: RunningServer
    kind: str
    result: Run

    @property
    def settings(self):
        return self.server.spec.settings

    @property
    def batched(self) -> bool:
        return self.settings.max_batch_size > 1

    @property
    def clients(self) -> int:
        return self.result.clients


@dataclass
class Ratio:
    key: str
    value: float
    better: str
    meaning: str

    def as_dict(self) -> dict:
        return {"value": round(self.value, 4), "better": self.better, "meaning": self.meaning}


def describe(server: RunningServer) -> str:
    """A short plain-language name for a server, used in tables, charts and progress lines."""
    s = server.spec.settings
    parts = []
    if server.spec.app == "reference":
        return "bare FastAPI app, x*x (no LitServe)"
    if server.spec.app == "square":
        parts.append(f"x*x, {s.predict_seconds * 1000:g} ms per call" if s.predict_seconds else "x*x")
    else:
        parts.append(f"stream, {s.chunk_pause * 1000:g} ms pause" if s.chunk_pause else "stream, no pause")
    parts.append(f"batches of {s.max_batch_size} within {s.batch_timeout * 1000:g} ms" if s.max_batch_size > 1
                 else "no batching")
    return ", ".join(parts)


def distinct(servers: list[RunningServer]) -> list[RunningServer]:
    """``servers`` without repeats, in their order (a scenario may use one server twice)."""
    seen: list[RunningServer] = []
    for server in servers:
        if server not in seen:
            seen.append(server)
    return seen


def _one(measured: list[Measured], test: Callable[[Measured], bool], what: str) -> Measured:
    found = [m for m in measured if test(m)]
    if not found:
        raise MissingFigure(f"this scenario did not measure {what}; measured: "
                            f"{[(describe(m.server), m.kind, m.clients) for m in measured]}")
    return found[-1]


def _unbatched(kind: str, clients: int, *, paced: bool | None = None) -> Callable[[Measured], bool]:
    def test(m: Measured) -> bool:
        if m.kind != kind or m.batched or m.clients != clients:
            return False
        if paced is None:
            return True
        return (m.settings.chunk_pause > 0) == paced

    return test


def _batched(kind: str, clients: int) -> Callable[[Measured], bool]:
    return lambda m: m.kind == kind and m.batched and m.clients == clients


def _model_seconds(m: Measured) -> float:
    if m.settings.predict_seconds <= 0:
        raise MissingFigure("this check needs a model with a fixed time per call")
    return m.settings.predict_seconds


# --- single prediction -------------------------------------------------------------------------

def _predictions_and_health_checks(measured: list[Measured]) -> tuple[Measured, Measured]:
    """One client's predictions and health checks, asked in turn."""
    return (_one(measured, _unbatched("paired predict", 1), "one client's predictions in turn with health checks"),
            _one(measured, _unbatched("paired health", 1), "one client's health checks in turn with predictions"))


def predict_over_health(measured: list[Measured]) -> Ratio:
    predict, health = _predictions_and_health_checks(measured)
    return Ratio("overhead.predict_p50_over_health_p50", predict.result.latency_ms(50) / health.result.latency_ms(50),
                 "lower", "a lone client's median prediction time (through the inference worker) "
                 "divided by its median health-check time (answered by the API server alone), measured in turn")


def tail_over_health(measured: list[Measured]) -> Ratio:
    predict, health = _predictions_and_health_checks(measured)
    return Ratio("overhead.predict_p95_over_health_p95", predict.result.latency_ms(95) / health.result.latency_ms(95),
                 "lower", "a lone client's 95th-percentile prediction time divided by its 95th-percentile "
                 "health-check time, measured in turn (the slow answers, with the machine's stalls on both sides)")


def p99_over_p50(measured: list[Measured]) -> Ratio:
    m = _one(measured, _unbatched("predict", 1), "one client's predictions")
    return Ratio("requests.c1_p99_over_p50", m.result.latency_ms(99) / m.result.latency_ms(50), "lower",
                 "a lone client's 99th-percentile answer time divided by its median")


def p50_over_model_time(measured: list[Measured]) -> Ratio:
    m = _one(measured, lambda m: _unbatched("predict", 1)(m) and m.settings.predict_seconds > 0,
             "one client's predictions on a model with a fixed time per call")
    return Ratio("fixed_cost.c1_p50_over_model_time", m.result.latency_ms(50) / 1000 / _model_seconds(m), "lower",
                 "a lone client's median answer time divided by the model's own time per call")


def throughput_over_capacity(measured: list[Measured], clients: int) -> Ratio:
    m = _one(measured, lambda m: _unbatched("predict", clients)(m) and m.settings.predict_seconds > 0,
             f"{clients} clients' predictions on a model with a fixed time per call")
    return Ratio(f"fixed_cost.c{clients}_throughput_over_capacity",
                 m.result.steady_requests_per_second() * _model_seconds(m), "higher",
                 f"steady answers per second with {clients} clients divided by the calls per second the model "
                 "can make one at a time (1 / its time per call)")


# --- dynamic batching --------------------------------------------------------------------------

def batching_gain(measured: list[Measured], clients: int) -> Ratio:
    batched = _one(measured, _batched("predict", clients), f"{clients} clients with batching")
    plain = _one(measured, _unbatched("predict", clients), f"{clients} clients without batching")
    gain = batched.result.steady_requests_per_second() / plain.result.steady_requests_per_second()
    return Ratio(f"batching.c{clients}_gain", gain, "higher",
                 f"steady answers per second with {clients} clients, with batching divided by without")


def lone_wait_over_window(measured: list[Measured]) -> Ratio:
    batched = _one(measured, _batched("predict", 1), "a lone client with batching")
    plain = _one(measured, _unbatched("predict", 1), "a lone client without batching")
    window = batched.settings.batch_timeout
    if window <= 0:
        raise MissingFigure("this check needs a batch window above 0 ms")
    extra = (batched.result.latency_ms(50) - plain.result.latency_ms(50)) / 1000
    return Ratio("batching.c1_extra_wait_over_window", extra / window, "lower",
                 "how much longer a lone client's median answer takes with batching than without, "
                 "in batch windows")


# --- streaming ---------------------------------------------------------------------------------

def _paced(measured: list[Measured]) -> Measured:
    return _one(measured, _unbatched("stream", 1, paced=True), "one client streaming from a model with a pause")


def ttft_over_e2el(measured: list[Measured]) -> Ratio:
    r = _paced(measured).result
    return Ratio("streaming.ttft_over_e2el", median(r.ttfts()) / median(r.latencies()), "lower",
                 "median time to the first chunk divided by the median time of the whole stream")


def itl_over_pause(measured: list[Measured]) -> Ratio:
    m = _paced(measured)
    return Ratio("streaming.itl_p50_over_pause", median(m.result.itls()) / m.settings.chunk_pause, "lower",
                 "median gap between chunks at the client divided by the model's pause between chunks")


def e2el_over_model_time(measured: list[Measured]) -> Ratio:
    """Whole-stream time at the client over the time the model really took, from its own timestamps.

    The model's pauses are sleeps, which overshoot on a busy machine; LitServe is not to blame
    for that, so each stream is compared with the model's own first-to-last chunk time
    (``produced_at``, the server's ``time.monotonic()``), not with the configured pauses.
    """
    m = _paced(measured)
    ratios = []
    for sample in m.result.of():
        produced = sample.produced
        model_time = produced[-1] - produced[0] if len(produced) > 1 else 0.0
        if model_time <= 0:
            model_time = (len(sample.arrivals) - 1) * m.settings.chunk_pause
        if model_time > 0:
            ratios.append(sample.seconds / model_time)
    if not ratios:
        raise MissingFigure("this check needs streams of two or more chunks")
    return Ratio("streaming.e2el_over_model_time", median(ratios), "lower",
                 "median over streams of the whole-stream time at the client divided by the time the model "
                 "took from its first chunk to its last (its own timestamps)")


def long_over_short(measured: list[Measured]) -> Ratio:
    """Whole-stream time of the longer replies over the shorter ones, measured in turn on a model with no pause."""
    pairs = [m for m in measured if m.kind.startswith("paired stream")]
    if len(pairs) < 2:
        raise MissingFigure("this check needs one client streaming short and long replies in turn from a model "
                            "with no pause")
    short, long = sorted(pairs[-2:], key=lambda m: median([len(s.arrivals) for s in m.result.of()]))
    return Ratio("streaming.unpaced_long_over_short_e2el", median(long.result.latencies()) / median(short.result.latencies()),
                 "lower", "median time of a long reply divided by that of a short reply, from a model with no "
                 "pause, measured in turn (the cost of the extra chunks relative to the cost of a request)")


def stream_batching_gain(measured: list[Measured], clients: int) -> Ratio:
    batched = _one(measured, _batched("stream", clients), f"{clients} clients streaming with batching")
    plain = _one(measured, _unbatched("stream", clients, paced=True), f"{clients} clients streaming without batching")
    gain = batched.result.steady_chunks_per_second() / plain.result.steady_chunks_per_second()
    return Ratio(f"batched_streaming.c{clients}_gain", gain, "higher",
                 f"steady chunks per second to {clients} streaming clients, with batching divided by without")


def stream_concurrency_gain(measured: list[Measured], clients: int, batched: bool) -> Ratio:
    pick = _batched if batched else (lambda kind, n: _unbatched(kind, n, paced=True))
    many = _one(measured, pick("stream", clients), f"{clients} streaming clients")
    one = _one(measured, pick("stream", 1), "one streaming client")
    name = "batched_streaming" if batched else "unbatched_streaming"
    gain = many.result.steady_chunks_per_second() / one.result.steady_chunks_per_second()
    return Ratio(f"{name}.c{clients}_over_c1", gain, "higher",
                 f"steady chunks per second to {clients} clients divided by those to 1 client, "
                 f"{'with' if batched else 'without'} batching")


def all_ratios(measured: list[Measured]) -> list[Ratio]:
    """Every ratio that the scenario's measurements allow, for the report and the baseline."""
    clients = sorted({m.clients for m in measured})
    candidates: list[Callable[[], Ratio]] = [
        lambda: predict_over_health(measured), lambda: tail_over_health(measured),
        lambda: p50_over_model_time(measured),
        lambda: p99_over_p50(measured), lambda: lone_wait_over_window(measured),
        lambda: ttft_over_e2el(measured), lambda: itl_over_pause(measured),
        lambda: e2el_over_model_time(measured), lambda: long_over_short(measured),
    ]
    for n in clients:
        candidates += [lambda n=n: throughput_over_capacity(measured, n), lambda n=n: batching_gain(measured, n)]
        if n > 1:
            candidates += [lambda n=n: stream_batching_gain(measured, n),
                           lambda n=n: stream_concurrency_gain(measured, n, True),
                           lambda n=n: stream_concurrency_gain(measured, n, False)]
    return ratios_measured(candidates)


def ratios_measured(candidates: list[Callable[[], Ratio]]) -> list[Ratio]:
    """The ratios among ``candidates`` that the measurements allow (the others lack a figure)."""
    ratios = []
    for candidate in candidates:
        try:
            ratios.append(candidate())
        except (MissingFigure, ZeroDivisionError):
            pass
    return ratios
