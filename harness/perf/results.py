"""Performance results during a run: ``reports/performance.json``, Allure tables and charts.

Every performance scenario adds its figures to ``reports/performance.json`` (environment, each
load point's summary, each ratio). Comparing them with a stored baseline is
``tools/perf_baseline.py``'s job.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from harness.perf import charts, machine
from harness.reporting import svg
from harness.perf.load import LoadResult, StreamLoadResult
from harness.paths import REPORTS_DIR
from harness.perf.figures import Measured, Ratio, describe

RESULTS_PATH = REPORTS_DIR / "performance.json"


def environment() -> dict[str, Any]:
    """What the figures were measured on."""
    return {
        **machine.state(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "uptime_at_start": machine.uptime_line(),
        "measured_at_raised_priority": hasattr(os, "geteuid") and os.geteuid() == 0,
        "started_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }


class PerformanceRun:
    """The figures of one behave run, written to ``path`` after every scenario that measures."""

    def __init__(self, path: Path = RESULTS_PATH) -> None:
        self.path = path
        self.data: dict[str, Any] = {"environment": environment(), "scenarios": {}}

    def record(self, scenario: str, measured: list[Measured], ratios: list[Ratio]) -> None:
        entry = self.data["scenarios"].setdefault(scenario, {})
        entry["load_points"] = [{"server": describe(m.server), "kind": m.kind, **m.result.summary()}
                                for m in measured]
        entry["ratios"] = {r.key: r.as_dict() for r in ratios}
        entry.setdefault("checks", [])
        self.write()

    def record_check(self, scenario: str, check: dict) -> None:
        """One Then of ``scenario``: the ratio, its value, the feature's limit, passed or not."""
        self.data["scenarios"].setdefault(scenario, {}).setdefault("checks", []).append(check)
        self.write()

    def write(self) -> None:
        self.data["environment"]["load_average_at_end"] = machine.load_average()
        self.data["environment"]["uptime_at_end"] = machine.uptime_line()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.data, indent=2) + "\n")


_RUN: PerformanceRun | None = None


def current_run() -> PerformanceRun:
    """The figures of this process's run (created on first use)."""
    global _RUN
    if _RUN is None:
        _RUN = PerformanceRun()
    return _RUN


# --- Allure attachments ------------------------------------------------------------------------

def attach(measured: list[Measured], ratios: list[Ratio]) -> None:
    """A table of every load point and ratio, and the charts that fit what was measured."""
    from harness.reporting.attachments import attach_html  # Allure is imported only where the report is written

    requests = [m for m in measured if isinstance(m.result, LoadResult)]
    streams = [m for m in measured if isinstance(m.result, StreamLoadResult)]
    rows = [{"server": describe(m.server), "kind": m.kind, **m.result.summary()} for m in measured]
    for row in rows:
        row.pop("label", None)
    ratio_rows = [{"ratio": r.key, "value": round(r.value, 3), "better": r.better, "meaning": r.meaning} for r in ratios]
    attach_html("Performance figures", svg.page(
        "Performance figures", svg.table(rows, "Load points (times in ms)"),
        svg.table(ratio_rows, "Ratios measured side by side")))
    if requests:
        attach_html("Latency distribution", svg.page("Latency distribution", charts.cdf(
            {f"{describe(m.server)}, {m.kind}, {m.clients} cl.": [x * 1000 for x in m.result.latencies]
             for m in requests}, "request latency (ms, log scale)", "Share of requests answered within x ms")))
    throughput_of = {
        m_id: (m.result.requests_per_second if isinstance(m.result, LoadResult) else m.result.chunks_per_second)
        for m_id, m in enumerate(measured)
    }
    series: dict[str, dict[int, float]] = {}
    for m_id, m in enumerate(measured):
        if m.kind != "health":
            series.setdefault(describe(m.server), {})[m.clients] = throughput_of[m_id]
    clients = sorted({c for values in series.values() for c in values})
    unit = "chunks per second" if streams and not requests else "requests per second"
    attach_html("Throughput per concurrency", svg.page("Throughput per concurrency", charts.bars(
        [str(c) for c in clients], {name: [values.get(c, float("nan")) for c in clients]
                                    for name, values in series.items()}, unit, f"{unit.capitalize()} by clients")))
    if streams:
        attach_html("Chunk-arrival timeline", svg.page("Chunk-arrival timeline", *(
            charts.timeline(_timeline_rows(m), f"{describe(m.server)}, {m.clients} client(s): first streams")
            for m in streams)))


def _timeline_rows(m: Measured, most: int = 8) -> list[tuple[str, list[float], list[float]]]:
    rows = []
    for index, transcript in enumerate(m.result.measured[:most]):
        arrived = [(c.arrived_at - transcript.sent_at) * 1000 for c in transcript.chunks]
        produced = [(item["produced_at"] - transcript.sent_at) * 1000 for item in transcript.items
                    if isinstance(item, dict) and "produced_at" in item]
        rows.append((f"stream {index + 1}", arrived, produced))
    return rows
