"""The one result model: samples, the window every figure is read in, runs laid end to end, the client-bound rule."""

from __future__ import annotations

import math

from harness.load.engine import STARTUP_ALLOWANCE, LoadPlan, locust_command
from harness.load.model import CLIENT_BOUND_CPU_SHARE, WARMUP, Run, Sample, laid_end_to_end


def closed_loop(latency: float = 0.1, seconds: float = 2.0, started: float = 100.0, kind: str = "plain") -> Run:
    """One client back to back from ``started``: a request every ``latency`` s, window after the warm-up."""
    count = round((WARMUP + seconds) / latency)
    samples = [Sample(kind, started + n * latency, started + (n + 1) * latency, 200) for n in range(count)]
    return Run(samples, started, (WARMUP, WARMUP + seconds), 1)


def test_figures_are_read_in_the_window_after_the_warm_up():
    run = closed_loop()
    run.samples[0].done += 5          # a slow first request, in the warm-up: not counted
    assert len(run.of()) == 20 and math.isclose(run.latency_ms(99), 100)
    assert math.isclose(run.requests_per_second(), 10, rel_tol=0.06)
    assert math.isclose(run.steady_requests_per_second(), 10, rel_tol=0.06)
    assert len(run.of(None, 0, math.inf)) == 25, "a step may still ask for other seconds"


def test_latencies_are_of_requests_sent_in_the_window_throughput_of_answers_completed_in_it():
    run = Run([Sample("plain", 10.9, 11.5, 200), Sample("plain", 11.5, 12.5, 200)], 10.0, (1.0, 2.0), 1)
    assert run.latencies() == [1.0]           # the second, sent at 1.5 s
    assert run.requests_per_second() == 1.0   # the first, sent at 0.9 s and answered at 1.5 s


def test_only_and_errors_and_summary():
    run = closed_loop()
    run.samples += [Sample("health", 101.0, 101.01, 200), Sample("health", 101.1, 101.2, 500, False, "boom")]
    assert [s.kind for s in run.only("health").samples] == ["health", "health"]
    assert [s.error for s in run.errors] == ["boom"]
    summary = run.summary("health")
    assert summary["kind"] == "health" and summary["requests"] == 2 and summary["failed"] == 1
    assert "chunks_per_second" not in summary and "mean_batch_size" not in summary


def test_stream_figures_from_arrivals():
    # streams of 3 chunks: first after 0.1 s, then every 0.05 s
    samples = [Sample("stream", t, t + 0.2, 200, arrivals=[t + 0.1, t + 0.15, t + 0.2], produced=[t, t + 0.05, t + 0.1])
               for t in (0.5, 0.7, 0.9, 1.1)]
    run = Run(samples, 0.0, (0.5, 1.4), 1)
    assert all(math.isclose(x, 0.1) for x in run.ttfts())
    assert all(math.isclose(x, 0.05) for x in run.itls()) and len(run.itls()) == 8
    assert all(math.isclose(x, 0.05) for x in run.tpots())
    assert math.isclose(run.chunks_per_second(), 12 / 0.9)
    assert run.summary()["chunks_per_stream"] == 3 and run.summary()["ttft_p50_ms"] == 100


def test_one_client_bound_rule():
    busy = Run([], 0.0, (0, 1), 1, {1: 0.2, 2: CLIENT_BOUND_CPU_SHARE})
    assert busy.client_bound and busy.client_cpu_share == CLIENT_BOUND_CPU_SHARE
    assert not Run([], 0.0, (0, 1), 1, {1: CLIENT_BOUND_CPU_SHARE - 0.01}).client_bound
    assert not Run([], 0.0, (0, 1), 1).client_bound


def test_runs_laid_end_to_end_keep_only_their_windows_and_their_statuses():
    fast, slow = closed_loop(0.1, started=50.0), closed_loop(0.2, started=500.0)
    slow.samples[-1].status, slow.samples[-1].ok = 503, False
    one = laid_end_to_end([fast, slow], "both")
    assert one.window == (0.0, 4.0) and one.label == "both"
    assert len(one.samples) == 20 + 9 and len(one.errors) == 1 and one.errors[0].status == 503
    assert math.isclose(one.of(None, 0, 2)[0].sent, 0.0, abs_tol=1e-9)   # the first window starts at 0
    assert math.isclose(one.requests_per_second(), 29 / 4, rel_tol=0.1)


def test_a_closed_loop_plan_runs_its_warm_up_then_its_window():
    plan = LoadPlan(hosts={"plain": "http://127.0.0.1:1"}, users=2, seconds=3)
    assert plan.window == (WARMUP, WARMUP + 3) and plan.duration == WARMUP + 3
    command = locust_command(plan)
    assert command[command.index("-t") + 1] == f"{math.ceil(WARMUP + 3 + STARTUP_ALLOWANCE)}s"
    staged = LoadPlan(hosts={"plain": "http://127.0.0.1:1"}, stages=((2, 1, 1.0), (5, 4, 10.0)))
    assert staged.window == (0.0, 5)
