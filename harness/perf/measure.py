"""The logic behind the performance steps: twin servers, load points with progress lines, result checks."""

from __future__ import annotations

import json

from harness.perf import load
from harness.perf import results
from harness.perf.overhead import overhead_ratios
from harness.serving.launcher import RunningServer
from harness.perf.figures import Measured, all_ratios, describe
from harness.serving.scenario import start_app


class BadPerformanceStep(ValueError):
    """A performance step was written in a way the suite cannot read (a mistake in the feature file)."""


def require_columns(table, columns: list[str]) -> None:
    if table is None or list(table.headings) != columns:
        found = None if table is None else list(table.headings)
        raise BadPerformanceStep(f"this step needs a table with the columns {columns}, not {found}")


def require_kinds(context, kinds: list[str]) -> None:
    """The scenario measured these kinds of load (else the Then does not match its When)."""
    measured = {m.kind for m in context.measured}
    missing = [kind for kind in kinds if kind not in measured]
    if missing:
        raise BadPerformanceStep(f"this check needs measurements of {missing}, but the scenario measured "
                                 f"{sorted(measured)}; make the Then match the When")


def start_twin(context, **changes) -> RunningServer:
    """Start the same app as the scenario's last server with some settings changed, beside it."""
    first = context.server
    if first is None:
        raise BadPerformanceStep('a "beside it" step needs a server started by an earlier Given step')
    return start_app(context, first.spec.app, **{**first.spec.settings.changed(), **changes})


def _servers(context, app: str) -> list[RunningServer]:
    servers: list[RunningServer] = []
    for server in context.servers_used:
        if server not in servers:
            servers.append(server)
    chosen = [s for s in servers if s.spec.app == app]
    if not chosen:
        raise BadPerformanceStep(f"this step needs a {app!r} server started by a Given step; "
                                 f"this scenario has {[s.spec.app for s in servers]}")
    return chosen


def _announce(server: RunningServer, kind: str, clients: int, seconds: float) -> None:
    load.progress(f"{describe(server)}: {kind}, {clients} client(s) for {seconds:g} s ...")


def load_predictions(context, seconds: float, counts: list[int]) -> None:
    """Every square server of the scenario, at every concurrency; every answer must be right."""
    for server in _servers(context, "square"):
        for clients in counts:
            _announce(server, "predictions", clients, seconds)
            result = load.measure_requests(f"{server.base_url}/predict", clients,
                                           lambda i, n: {"client": f"client-{i}-{n}", "input": i + n},
                                           seconds=seconds, keep_text=True, label=describe(server))
            _check_answers(result, server)
            context.measured.append(Measured(server, "predict", result))
            _report(result.summary(), "req/s", "requests_per_second", "p50_ms", "p95_ms", "p99_ms")


def load_predictions_and_health(context, seconds: float) -> None:
    """One client alternating predictions and health checks, so both are measured under the same conditions."""
    for server in _servers(context, "square"):
        _announce(server, "predictions and health checks in turn", 1, seconds)
        result = load.measure_requests(f"{server.base_url}/predict", 1, lambda i, n: {"client": "c", "input": n},
                                       seconds=seconds, keep_text=True, label=describe(server),
                                       alternate_get=f"{server.base_url}/health")
        _check_answers(result.only("post"), server)
        _check_answers(result.only("get"), server)
        for kind, tag in (("paired predict", "post"), ("paired health", "get")):
            context.measured.append(Measured(server, kind, result.only(tag)))
            _report(result.only(tag).summary(), "req/s", "requests_per_second", "p50_ms", "p99_ms", kind)


def load_stream_pairs(context, short: int, long: int, seconds: float) -> None:
    """One client alternating short and long replies, asked for without pauses, from every streaming server."""
    for server in _servers(context, "tokens"):
        _announce(server, f"streams of {short} and {long} chunks in turn, no pause", 1, seconds)
        result = load.measure_streams(
            f"{server.base_url}/predict", 1,
            lambda i, n: {"client": f"client-{i}-{n}", "prompt": f"p{i}", "chunks": long if n % 2 else short,
                          "chunk_pause": 0},
            seconds=seconds, label=describe(server))
        for chunks in (short, long):
            part = result.only_chunks(chunks)
            _check_streams(part, server, chunks)
            context.measured.append(Measured(server, paired_stream_kind(chunks), part))
            _report(part.summary(), "chunks/s", "chunks_per_second", "ttft_p50_ms", "e2el_p50_ms",
                    f"streams of {chunks} chunk(s)")


def paired_stream_kind(chunks: int) -> str:
    return f"paired stream of {chunks}, no pause"


def load_streams(context, chunks: int, seconds: float, counts: list[int]) -> None:
    """Every streaming server of the scenario, at every concurrency; every stream must be complete."""
    for clients in counts:
        for server in _servers(context, "tokens"):
            _announce(server, "streams", clients, seconds)
            result = load.measure_streams(
                f"{server.base_url}/predict", clients,
                lambda i, n: {"client": f"client-{i}-{n}", "prompt": f"p{i}", "chunks": chunks},
                seconds=seconds, label=describe(server))
            _check_streams(result, server, chunks)
            context.measured.append(Measured(server, "stream", result))
            _report(result.summary(), "chunks/s", "chunks_per_second", "ttft_p50_ms", "itl_p50_ms", "e2el_p50_ms")


def finish_scenario(context, scenario) -> None:
    """After a measuring scenario (passed or not): its ratios into performance.json, tables and charts attached."""
    measured = context.measured
    if not measured:
        return
    ratios = all_ratios(measured) + overhead_ratios(measured)
    results.current_run().record(scenario.name, measured, ratios)
    results.attach(measured, ratios)
    for ratio in ratios:
        load.progress(f"{ratio.key} = {ratio.value:.3f}")


def _report(summary: dict, unit: str, rate: str, *times: str) -> None:
    names = [t for t in times if t.endswith("_ms")]
    prefix = "".join(f"{t}: " for t in times if not t.endswith("_ms"))
    shown = ", ".join(f"{key.removesuffix('_ms')} {summary[key]:.1f} ms" for key in names)
    cpu = f", client CPU {summary['client_cpu_share']:.0%} of a core"
    bound = " (the client was the bottleneck)" if summary.get("client_bound") else ""
    batch = f", mean batch {summary['mean_batch_size']:.1f}" if "mean_batch_size" in summary else ""
    load.progress(f"    {prefix}{summary[rate]:.1f} {unit}, {shown}{batch}{cpu}{bound}")


def _check_answers(result: load.LoadResult, server: RunningServer) -> None:
    if not result.measured:
        raise AssertionError(f"no request to {describe(server)} was answered during the measurement")
    if result.failures:
        failed = result.failures[0]
        raise AssertionError(f"{len(result.failures)} of {len(result.samples)} requests to {describe(server)} failed "
                             f"under load; the first got status {failed.status}: {failed.text[:300]}")
    if server.spec.settings.max_batch_size > 1:
        sizes = [json.loads(s.text)["trace"]["size"] for s in result.measured]
        result.mean_batch_size = sum(sizes) / len(sizes)


def _check_streams(result: load.StreamLoadResult, server: RunningServer, chunks: int) -> None:
    if not result.measured:
        raise AssertionError(f"no stream from {describe(server)} started during the measurement")
    broken = [t for t in result.transcripts if t.status != 200 or not t.ended_cleanly or len(t.chunks) != chunks]
    if broken:
        t = broken[0]
        raise AssertionError(f"{len(broken)} of {len(result.transcripts)} streams from {describe(server)} were not "
                             f"complete: the first had status {t.status}, {len(t.chunks)} of {chunks} chunks, "
                             f"ended cleanly: {t.ended_cleanly} {t.error}")
