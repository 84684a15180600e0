"""The logic behind the performance steps: twin servers, load points with progress lines, result checks.

A lone client is measured by :mod:`harness.performance.one_client`, more clients by Locust
(:mod:`harness.load.engine`); both give a :class:`harness.load.model.Run`.
"""

from __future__ import annotations

import json

from harness.load.engine import LoadPlan, run_load
from harness.load.model import Run
from harness.load.progress import progress
from harness.performance import one_client, results
from harness.performance.figures import Measured, all_ratios, describe, distinct
from harness.performance.one_client import Ask
from harness.performance.overhead import overhead_ratios
from harness.serving.launcher import RunningServer
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
    servers = distinct(context.servers_used)
    chosen = [s for s in servers if s.spec.app == app]
    if not chosen:
        raise BadPerformanceStep(f"this step needs a {app!r} server started by a Given step; "
                                 f"this scenario has {[s.spec.app for s in servers]}")
    return chosen


def _announce(server: RunningServer, kind: str, clients: int, seconds: float) -> None:
    engine = "" if clients == 1 else " (Locust)"
    progress(f"{describe(server)}: {kind}, {clients} client(s) for {seconds:g} s{engine} ...")


def _predictions(server: RunningServer, clients: int, seconds: float) -> Run:
    """``clients`` asking ``server`` for squares back to back: a lone client in turn with nothing, or Locust."""
    if clients == 1:
        ask = Ask("plain", f"{server.base_url}/predict", lambda n: {"client": f"client-0-{n}", "input": n})
        return one_client.ask_in_turn([ask], seconds=seconds, label=describe(server))
    kind = "batched" if server.spec.settings.max_batch_size > 1 else "plain"
    return _locust(LoadPlan(hosts={kind: server.base_url}, users=clients, seconds=seconds), server)


def _streams(server: RunningServer, clients: int, chunks: int, seconds: float) -> Run:
    """``clients`` reading streams of ``chunks`` chunks from ``server`` back to back."""
    if clients == 1:
        ask = Ask("stream", f"{server.base_url}/predict",
                  lambda n: {"client": f"client-0-{n}", "prompt": "p0", "chunks": chunks}, stream=True)
        return one_client.ask_in_turn([ask], seconds=seconds, label=describe(server))
    return _locust(LoadPlan(hosts={"stream": server.base_url}, users=clients, seconds=seconds, stream_chunks=chunks,
                            stream_pause=server.spec.settings.chunk_pause), server)


def _locust(plan: LoadPlan, server: RunningServer) -> Run:
    run = run_load(plan, label=describe(server))
    if run.errors:
        first = run.errors[0]
        raise AssertionError(f"{len(run.errors)} of {len(run.samples)} requests to {describe(server)} failed under "
                             f"load; the first got status {first.status}: {first.error[:300]}")
    return run


def load_predictions(context, seconds: float, counts: list[int]) -> None:
    """Every square server of the scenario, at every concurrency; every answer must be right."""
    for server in _servers(context, "square"):
        for clients in counts:
            _announce(server, "predictions", clients, seconds)
            result = _predictions(server, clients, seconds)
            _check_answers(result, server)
            context.measured.append(Measured(server, "predict", result))
            _report(result.summary(), "req/s", "requests_per_second", "p50_ms", "p95_ms", "p99_ms")


def load_predictions_and_health(context, seconds: float) -> None:
    """One client alternating predictions and health checks, so both are measured under the same conditions."""
    for server in _servers(context, "square"):
        _announce(server, "predictions and health checks in turn", 1, seconds)
        result = one_client.ask_in_turn(
            [Ask("post", f"{server.base_url}/predict", lambda n: {"client": "c", "input": n}),
             Ask("get", f"{server.base_url}/health")], seconds=seconds, label=describe(server))
        for kind, tag in (("paired predict", "post"), ("paired health", "get")):
            _check_answers(result.only(tag), server)
            context.measured.append(Measured(server, kind, result.only(tag)))
            _report(result.only(tag).summary(), "req/s", "requests_per_second", "p50_ms", "p99_ms", kind)


def load_stream_pairs(context, short: int, long: int, seconds: float) -> None:
    """One client alternating short and long replies, asked for without pauses, from every streaming server."""
    for server in _servers(context, "tokens"):
        _announce(server, f"streams of {short} and {long} chunks in turn, no pause", 1, seconds)
        asks = [Ask(str(chunks), f"{server.base_url}/predict", stream=True,
                    body=lambda n, chunks=chunks: {"client": f"client-0-{n}", "prompt": "p0", "chunks": chunks,
                                                   "chunk_pause": 0})
                for chunks in (short, long)]
        result = one_client.ask_in_turn(asks, seconds=seconds, label=describe(server))
        for chunks in (short, long):
            part = result.only(str(chunks))
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
            result = _streams(server, clients, chunks, seconds)
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
        progress(f"{ratio.key} = {ratio.value:.3f}")


def _report(summary: dict, unit: str, rate: str, *times: str) -> None:
    names = [t for t in times if t.endswith("_ms")]
    prefix = "".join(f"{t}: " for t in times if not t.endswith("_ms"))
    shown = ", ".join(f"{key.removesuffix('_ms')} {summary[key]:.1f} ms" for key in names)
    cpu = f", client CPU {summary['client_cpu_share']:.0%} of a core"
    bound = " (the client was the bottleneck)" if summary.get("client_bound") else ""
    batch = f", mean batch {summary['mean_batch_size']:.1f}" if "mean_batch_size" in summary else ""
    progress(f"    {prefix}{summary[rate]:.1f} {unit}, {shown}{batch}{cpu}{bound}")


def _check_answers(result: Run, server: RunningServer) -> None:
    """Every answer right (Locust's users check theirs); the batch sizes from the batched answers' traces."""
    if not result.of():
        raise AssertionError(f"no request to {describe(server)} was answered during the measurement")
    if result.errors:
        failed = result.errors[0]
        raise AssertionError(f"{len(result.errors)} of {len(result.samples)} requests to {describe(server)} failed "
                             f"under load; the first got status {failed.status}: {(failed.text or failed.error)[:300]}")
    if server.spec.settings.max_batch_size > 1:
        for sample in result.samples:
            if sample.text:
                sample.batch_size = json.loads(sample.text)["trace"]["size"]


def _check_streams(result: Run, server: RunningServer, chunks: int) -> None:
    if not result.of():
        raise AssertionError(f"no stream from {describe(server)} started during the measurement")
    broken = [s for s in result.samples if not s.ok or len(s.arrivals) != chunks]
    if broken:
        s = broken[0]
        raise AssertionError(f"{len(broken)} of {len(result.samples)} streams from {describe(server)} were not "
                             f"complete: the first had status {s.status}, {len(s.arrivals)} of {chunks} chunks, "
                             f"ok: {s.ok} {s.error}")
