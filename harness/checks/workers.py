"""Checks on who served requests, and when: worker processes, overlap in time, answers in time.

The traced apps (``servers/deployment_apps.py``) answer with the ``worker`` pid and the server-side
``started_at`` / ``finished_at`` of predict (``time.monotonic()``); streamed chunks carry ``produced_at``
and a ``batch`` named ``<pid>-<n>``. Overlap is proven from those server-side readings, not from the
client's wall clock.
"""

from __future__ import annotations

from hamcrest import assert_that, equal_to, less_than, less_than_or_equal_to

from harness.clients.http import Exchange
from harness.clients.streams import StreamTranscript


def _traces(exchanges: list[Exchange]) -> list[dict]:
    traces = []
    for exchange in exchanges:
        assert_that(exchange.status, equal_to(200), f"a request was answered with status {exchange.status}: "
                    f"{exchange.text[:200]!r}")
        traces.append(exchange.json())
    return traces


def workers_of(exchanges: list[Exchange]) -> set[int]:
    """The worker processes that served these requests."""
    return {trace["worker"] for trace in _traces(exchanges)}


def served_by(exchanges: list[Exchange], workers: int) -> None:
    """The requests were served by exactly ``workers`` different worker processes."""
    seen = workers_of(exchanges)
    assert_that(len(seen), equal_to(workers),
                f"{len(exchanges)} requests were served by {len(seen)} worker process(es) {sorted(seen)}, "
                f"not by {workers}")


def served_at_the_same_time(exchanges: list[Exchange]) -> None:
    """There is a moment at which every request was inside predict (server-side timestamps)."""
    traces = _traces(exchanges)
    last_start = max(trace["started_at"] for trace in traces)
    first_finish = min(trace["finished_at"] for trace in traces)
    timeline = "\n".join(f"  {t['client']}: worker {t['worker']}, predict from {t['started_at'] - last_start:+.3f} s "
                         f"to {t['finished_at'] - last_start:+.3f} s" for t in sorted(traces, key=lambda t: t["started_at"]))
    assert_that(last_start, less_than(first_finish),
                f"the requests were not served at the same time: one finished {last_start - first_finish:.3f} s "
                f"before the last one started (times relative to the last start):\n{timeline}")


def streams_at_the_same_time(transcripts: list[StreamTranscript], workers: int) -> None:
    """The streams were produced by ``workers`` worker processes, and all were being produced at one moment."""
    pids = {str(item["batch"]).split("-")[0] for t in transcripts for item in t.items if isinstance(item, dict)}
    assert_that(len(pids), equal_to(workers),
                f"{len(transcripts)} streams were produced by {len(pids)} worker process(es) {sorted(pids)}, not {workers}")
    firsts = [t.items[0]["produced_at"] for t in transcripts]
    lasts = [t.items[-1]["produced_at"] for t in transcripts]
    assert_that(max(firsts), less_than(min(lasts)),
                f"the streams were produced one after another, not together: the last stream began "
                f"{max(firsts) - min(lasts):.3f} s after the first one had ended")


def answered_within(exchanges: list[Exchange], limit: float) -> None:
    """Every answer came within ``limit`` seconds of its request."""
    slowest = max(exchanges, key=lambda e: e.seconds)
    assert_that(slowest.seconds, less_than_or_equal_to(limit),
                f"the answer to {slowest.request_body!r} came {slowest.seconds * 1000:.0f} ms after the request, "
                f"later than {limit * 1000:.0f} ms")


def streams_within(transcripts: list[StreamTranscript], limit: float) -> None:
    """Every stream ended within ``limit`` seconds of its request."""
    slowest = max(transcripts, key=lambda t: t.finished_at - t.sent_at)
    took = slowest.finished_at - slowest.sent_at
    assert_that(took, less_than_or_equal_to(limit),
                f"the stream for {slowest.request_body!r} ended {took * 1000:.0f} ms after the request, "
                f"later than {limit * 1000:.0f} ms")
