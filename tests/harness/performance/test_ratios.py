"""The ratios the performance gate decides with (harness/performance/figures.py, overhead.py), on known runs."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest

from harness.load.model import Run, Sample
from harness.performance import figures, overhead
from harness.performance.figures import Measured, MissingFigure
from servers.settings import AppSettings


def server(app: str = "square", **settings) -> SimpleNamespace:
    """A stand-in for a RunningServer: the ratios read only its app and settings."""
    return SimpleNamespace(spec=SimpleNamespace(app=app, settings=AppSettings(**settings)))


def requests(latency: float, clients: int = 1, seconds: float = 4.0, kind: str = "plain") -> Run:
    """``clients`` clients back to back, each answer taking ``latency`` s: a window of ``seconds``."""
    count = round(seconds / latency)
    samples = [Sample(kind, n * latency, (n + 1) * latency, 200, user=c) for c in range(clients) for n in range(count)]
    return Run(samples, 0.0, (0.0, seconds), clients)


def latencies(values: list[float]) -> Run:
    """One client whose answers took ``values`` s, in that order."""
    samples, at = [], 0.0
    for value in values:
        samples.append(Sample("plain", at, at + value, 200))
        at += value
    return Run(samples, 0.0, (0.0, at + 1), 1)


def streams(ttft: float, gap: float, chunks: int, clients: int = 1, seconds: float = 4.0,
            model_gap: float | None = None) -> Run:
    """Streams of ``chunks`` chunks back to back: the first after ``ttft``, then one every ``gap``."""
    length = ttft + gap * (chunks - 1)
    samples = []
    for client in range(clients):
        at = 0.0
        while at < seconds:
            arrivals = [at + ttft + gap * i for i in range(chunks)]
            produced = [at + ttft + (model_gap if model_gap is not None else gap) * i for i in range(chunks)]
            samples.append(Sample("stream", at, at + length, 200, user=client, arrivals=arrivals, produced=produced))
            at += length
    return Run(samples, 0.0, (0.0, seconds), clients)


def test_prediction_over_health_check_in_turn():
    plain = server()
    measured = [Measured(plain, "paired predict", latencies([0.02] * 10 + [0.08])),
                Measured(plain, "paired health", latencies([0.01] * 10 + [0.02]))]
    assert math.isclose(figures.predict_over_health(measured).value, 2.0)
    assert math.isclose(figures.tail_over_health(measured).value, 0.08 / 0.02, rel_tol=0.3)


def test_batching_gain_and_the_lone_clients_wait():
    plain, batched = server(predict_seconds=0.1), server(predict_seconds=0.1, max_batch_size=8, batch_timeout=0.1)
    measured = [Measured(plain, "predict", requests(0.1)), Measured(batched, "predict", requests(0.15)),
                Measured(plain, "predict", requests(0.5, clients=8)),
                Measured(batched, "predict", requests(0.125, clients=8))]
    assert math.isclose(figures.batching_gain(measured, 8).value, 4.0)
    assert math.isclose(figures.lone_wait_over_window(measured).value, 0.5)
    assert math.isclose(figures.throughput_over_capacity(measured, 8).value, 1.6)   # 16 answers/s x 0.1 s
    assert math.isclose(figures.p50_over_model_time(measured).value, 1.0)


def test_the_last_measurement_of_a_kind_counts_and_a_missing_one_is_said():
    plain = server()
    measured = [Measured(plain, "predict", latencies([0.01] * 9 + [0.05])),
                Measured(plain, "predict", latencies([0.01] * 9 + [0.02]))]
    assert math.isclose(figures.p99_over_p50(measured).value, 1.91)   # the second: p99 0.0191 s (interpolated)
    with pytest.raises(MissingFigure, match="did not measure 8 clients with batching"):
        figures.batching_gain(measured, 8)
    with pytest.raises(MissingFigure, match="fixed time per call"):
        figures.p50_over_model_time(measured)


def test_streaming_ratios():
    paced = server("tokens", chunk_pause=0.05)
    measured = [Measured(paced, "stream", streams(0.01, 0.06, 6, model_gap=0.05))]
    assert math.isclose(figures.ttft_over_e2el(measured).value, 0.01 / 0.31)
    assert math.isclose(figures.itl_over_pause(measured).value, 1.2)
    assert math.isclose(figures.e2el_over_model_time(measured).value, 0.31 / 0.25)


def test_long_over_short_replies_in_turn():
    unpaced = server("tokens")
    measured = [Measured(unpaced, "paired stream of 20, no pause", streams(0.01, 0.002, 20)),
                Measured(unpaced, "paired stream of 1, no pause", streams(0.01, 0, 1))]
    assert math.isclose(figures.long_over_short(measured).value, (0.01 + 19 * 0.002) / 0.01)
    with pytest.raises(MissingFigure):
        figures.long_over_short(measured[:1])


def test_stream_gains_are_steady_chunk_rates_side_by_side():
    paced, batched = server("tokens", chunk_pause=0.05), server("tokens", chunk_pause=0.05, max_batch_size=8)
    measured = [Measured(paced, "stream", streams(0.05, 0.05, 6)),
                Measured(paced, "stream", streams(0.25, 0.25, 6, clients=8)),
                Measured(batched, "stream", streams(0.05, 0.05, 6)),
                Measured(batched, "stream", streams(0.0625, 0.0625, 6, clients=8))]
    # chunks per second: 20 (1 client) and 32 (8) without batching, 20 and 128 with
    assert math.isclose(figures.stream_batching_gain(measured, 8).value, 4.0, rel_tol=0.05)
    assert math.isclose(figures.stream_concurrency_gain(measured, 8, batched=True).value, 6.4, rel_tol=0.05)
    assert math.isclose(figures.stream_concurrency_gain(measured, 8, batched=False).value, 1.6, rel_tol=0.05)


def test_all_ratios_are_those_the_measurements_allow():
    plain, batched = server(predict_seconds=0.1), server(predict_seconds=0.1, max_batch_size=8, batch_timeout=0.1)
    measured = [Measured(plain, "predict", requests(0.1)), Measured(batched, "predict", requests(0.15))]
    keys = {ratio.key for ratio in figures.all_ratios(measured)}
    assert keys == {"requests.c1_p99_over_p50", "fixed_cost.c1_p50_over_model_time", "batching.c1_extra_wait_over_window",
                    "fixed_cost.c1_throughput_over_capacity", "batching.c1_gain"}


def test_overhead_ratios_litserve_over_the_bare_app():
    litserve, bare = server(), server("reference")
    measured = [Measured(litserve, "predict", latencies([0.002] * 10 + [0.02] * 10)),
                Measured(bare, overhead.REFERENCE, latencies([0.001] * 10 + [0.03] * 10)),
                Measured(litserve, "predict", requests(0.004, clients=8)),
                Measured(bare, overhead.REFERENCE, requests(0.001, clients=8))]
    assert math.isclose(overhead.latency_over_reference(measured, 10).value, 2.0)
    assert math.isclose(overhead.throughput_share_of_reference(measured, 8).value, 0.25)
    assert {r.key for r in overhead.overhead_ratios(measured)} == {
        "overhead.c1_p10_over_fastapi_p10", "overhead.c1_p50_over_fastapi_p50", "overhead.c8_throughput_over_fastapi"}
