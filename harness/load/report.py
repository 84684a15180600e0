"""What a load scenario leaves in the report: a table of figures, charts over time, the latency
distribution, and its entry in ``reports/performance.json`` (beside the ``@performance`` figures).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from harness.clients.payloads import BigStream, EchoResult
from harness.load import charts
from harness.load import figures as load_figures
from harness.load.model import Run
from harness.load.server_tree import Footprint
from harness.performance import results
from harness.reporting import svg
from harness.versions import package_version

if TYPE_CHECKING:
    from harness.load.scenarios import Target


@dataclass
class LoadRecord:
    """The runs and figures of one load scenario (``context.load``)."""

    runs: list[tuple[str, Run]] = field(default_factory=list)      # (what the run was, the run)
    figures: dict[str, Any] = field(default_factory=dict)              # name -> value (checked or reported)
    footprints: list[Footprint] = field(default_factory=list)          # readings of the server tree over time
    marks: list[tuple[float, str]] = field(default_factory=list)       # (seconds into the last run, label)
    targets: list[Target] = field(default_factory=list)   # the servers the load goes to (suite's or -D target)
    burst_end: float = 0.0                              # seconds into the burst run when the burst ended
    idle_footprint: Footprint | None = None             # the server tree before the load (median of 3 readings)
    finished_at: float = 0.0                            # time.monotonic() when the last load run ended
    echo: EchoResult | None = None                      # the last large request and its echo
    big_stream: BigStream | None = None                 # the last stream of large chunks

    def add(self, label: str, run: Run) -> Run:
        self.runs.append((label, run))
        return run

    def last(self, label: str | None = None) -> Run:
        chosen = [run for name, run in self.runs if label is None or name == label]
        if not chosen:
            raise LookupError(f"this step needs a load run {label or ''} from an earlier When step; "
                              f"the scenario ran {[name for name, _ in self.runs]}")
        return chosen[-1]


def finish(scenario_name: str, record: LoadRecord) -> None:
    """Write the scenario's figures to performance.json and attach its table and charts."""
    if not record.runs and not record.figures:
        return
    rows = [{"run": label, **run.summary(kind)} for label, run in record.runs
            for kind in ([None] + sorted({s.kind for s in run.samples}) if len({s.kind for s in run.samples}) > 1
                         else [None])]
    perf = results.current_run()
    perf.data["scenarios"][scenario_name] = {
        "engine": f"locust {package_version('locust')}",
        "load_runs": rows,
        "figures": record.figures,
        "series": {label: _series_by_kind(run) for label, run in record.runs},
        "server_footprint": [{"t": round(f.at - record.runs[-1][1].started, 2), **f.as_dict()}
                             for f in record.footprints],
    }
    perf.write()
    if record.runs:
        _attach(record, rows)


def _attach(record: LoadRecord, rows: list[dict]) -> None:
    from harness.reporting.attachments import attach_html  # Allure is imported only where the report is written

    figure_rows = [{"figure": key, "value": value} for key, value in record.figures.items()]
    attach_html("Load figures", svg.page("Load figures", svg.table(rows, "Load runs (times in ms)"),
                                            svg.table(figure_rows, "Figures of this scenario")))
    label, main = max(record.runs, key=lambda pair: pair[1].duration)
    series = load_figures.series(main, 1.0)
    attach_html("Throughput and latency over time", svg.page(
        f"Throughput and latency over time ({label})",
        charts.lines({"answers per second": [(r["t"], r["rps"]) for r in series],
                      "requests sent per second": [(r["t"], r["sent_per_second"]) for r in series]},
                     "seconds into the run", "per second", "Throughput", record.marks),
        charts.lines(_latency_lines(main), "seconds into the run", "ms",
                     "Latency of the requests sent in each second", record.marks)))
    distribution = {f"{name}, {kind}": [s.ms for s in run.samples if s.kind == kind]
                    for name, run in record.runs for kind in sorted({s.kind for s in run.samples})}
    ttft = {f"{name}, first chunk": [s.ttft * 1000 for s in run.samples if s.ttft is not None]
            for name, run in record.runs if any(s.arrivals for s in run.samples)}
    attach_html("Latency distribution", svg.page("Latency distribution", charts.cdf(
        {**distribution, **ttft}, "latency (ms, log scale)", "Share of requests answered within x ms")))
    if record.footprints:
        start = main.started
        attach_html("Server memory and open files over time", svg.page(
            "Server memory and open files over time",
            charts.lines({"resident memory (MB)": [(f.at - start, f.rss_mb) for f in record.footprints]},
                         "seconds into the run", "MB", "Memory of the server's processes", record.marks),
            charts.lines({"open files": [(f.at - start, f.open_files) for f in record.footprints]},
                         "seconds into the run", "file descriptors", "Open files of the server's processes",
                         record.marks)))


def _latency_lines(run: Run) -> dict[str, list[tuple[float, float]]]:
    """p50 and p99 per second; per kind of request when the run mixed several."""
    kinds = sorted({s.kind for s in run.samples})
    lines: dict[str, list[tuple[float, float]]] = {}
    for kind in (kinds if len(kinds) > 1 else [None]):
        series = load_figures.series(run, 1.0, kind)
        name = f"{kind} " if kind else ""
        lines[f"{name}p50"] = [(r["t"], r["p50_ms"]) for r in series]
        lines[f"{name}p99"] = [(r["t"], r["p99_ms"]) for r in series]
    return lines


def _series_by_kind(run: Run) -> dict[str, list[dict[str, float]]]:
    """Per second, for all requests and, when the run mixed kinds, for each kind."""
    kinds = sorted({s.kind for s in run.samples})
    series = {"all": load_figures.series(run, 1.0)}
    if len(kinds) > 1:
        series.update({kind: load_figures.series(run, 1.0, kind) for kind in kinds})
    return series
