"""What LitServe itself costs: LitServe measured in turn or side by side with a bare FastAPI app
(``servers/reference.py``) in the same run, and the ratios the overhead checks read.

* one client asks every server of the scenario in turn (:func:`harness.performance.one_client.ask_in_turn`),
  so all of them share every pause of the machine;
* at 8 and more clients Locust (:mod:`harness.load.engine`) loads LitServe and the bare app one
  after the other, in the order LitServe, bare, bare, LitServe, and each side's two runs are read
  as one (:func:`harness.load.model.laid_end_to_end`: a drift of the machine's load cancels out).
"""

from __future__ import annotations

import json

from harness.load.engine import LoadPlan, run_load
from harness.load.model import Run, laid_end_to_end
from harness.load.progress import progress
from harness.performance.figures import Measured, MissingFigure, Ratio, describe, distinct, ratios_measured
from harness.performance.one_client import Ask, ask_in_turn
from harness.serving.launcher import RunningServer

#: The kind of a load point on the bare FastAPI app.
REFERENCE = "reference predict"


def _kind(server: RunningServer) -> str:
    return REFERENCE if server.spec.app == "reference" else "predict"


def predicting_servers(context) -> list[RunningServer]:
    """The scenario's servers that answer ``/predict`` with the square of ``input``."""
    chosen = [s for s in distinct(context.servers_used) if s.spec.app in ("square", "reference")]
    if len(chosen) < 2:
        raise MissingFigure(f"this step compares servers side by side: it needs two or more servers that square "
                            f"numbers, started by Given steps; this scenario has "
                            f"{[s.spec.app for s in distinct(context.servers_used)]}")
    return chosen


def load_in_turn(context, seconds: float) -> None:
    """One client asking every squaring server of the scenario in turn, back to back."""
    servers = predicting_servers(context)
    progress(f"one client in turn: {' / '.join(describe(s) for s in servers)}, {seconds:g} s ...")
    result = ask_in_turn([Ask(str(index), f"{server.base_url}/predict",
                              lambda n: {"client": f"client-{n}", "input": n % 100})
                          for index, server in enumerate(servers)], seconds=seconds, label="in turn")
    for index, server in enumerate(servers):
        part = result.only(str(index))
        _check_squares(part, server)
        context.measured.append(Measured(server, _kind(server), part))
        summary = part.summary()
        progress(f"    {describe(server)}: p50 {summary['p50_ms']:.2f} ms, p99 {summary['p99_ms']:.2f} ms, "
                 f"{summary['requests']} answers")


def load_with_locust(context, seconds: float, counts: list[int]) -> None:
    """At each concurrency, Locust on LitServe and on the bare app in the order A, B, B, A."""
    servers = predicting_servers(context)
    for clients in counts:
        runs: dict[int, list[Run]] = {index: [] for index in range(len(servers))}
        order = list(range(len(servers)))
        for index in order + order[::-1]:
            server = servers[index]
            progress(f"{describe(server)}: Locust, {clients} users for {seconds:g} s ...")
            run = run_load(LoadPlan(hosts={"plain": server.base_url}, users=clients, seconds=seconds))
            if run.errors:
                raise AssertionError(f"{len(run.errors)} of {len(run.samples)} requests to {describe(server)} "
                                     f"failed under load; the first: {run.errors[0].status} {run.errors[0].error}")
            runs[index].append(run)
        for index, server in enumerate(servers):
            result = laid_end_to_end(runs[index], describe(server))
            context.measured.append(Measured(server, _kind(server), result))
            progress(f"    {describe(server)}: {result.steady_requests_per_second():.0f} answers/s with "
                     f"{clients} users (client CPU {result.client_cpu_share:.0%} of a core)")


def _check_squares(result: Run, server: RunningServer) -> None:
    if not result.of():
        raise AssertionError(f"no request to {describe(server)} was answered during the measurement")
    for sample in result.samples:
        body = json.loads(sample.text) if sample.status == 200 else None
        if body is None or "output" not in body:
            raise AssertionError(f"{describe(server)} answered {sample.status}: {sample.text[:300]}")


# --- ratios ------------------------------------------------------------------------------------

def _pick(measured: list[Measured], kind: str, clients: int, what: str) -> Measured:
    found = [m for m in measured if m.kind == kind and m.clients == clients and not m.batched]
    if not found:
        raise MissingFigure(f"this scenario did not measure {what}")
    return found[-1]


def latency_over_reference(measured: list[Measured], percentile: int = 10) -> Ratio:
    """LitServe's answer time at ``percentile`` over the bare app's, asked in turn by one client.

    The gate checks the 10th percentile, the answers the machine did not get in the way of: a
    slowdown in LitServe's code moves every answer, the fastest too, while a busy machine mostly
    moves the slower ones. Measured on a 2-core machine at load average 8-11, the 10th-percentile
    ratio stayed within 1.6-1.8 while the median's moved between 1.2 and 2.7.
    """
    litserve = _pick(measured, "predict", 1, "a lone client's answers from LitServe without batching")
    bare = _pick(measured, REFERENCE, 1, "a lone client's answers from the bare FastAPI app")
    which = "median" if percentile == 50 else f"{percentile}th-percentile"
    return Ratio(f"overhead.c1_p{percentile}_over_fastapi_p{percentile}",
                 litserve.result.latency_ms(percentile) / bare.result.latency_ms(percentile), "lower",
                 f"a lone client's {which} answer time from LitServe (do-nothing model) divided by that "
                 "from a bare FastAPI app doing the same, asked in turn")


def throughput_share_of_reference(measured: list[Measured], clients: int) -> Ratio:
    litserve = _pick(measured, "predict", clients, f"{clients} clients' answers from LitServe")
    bare = _pick(measured, REFERENCE, clients, f"{clients} clients' answers from the bare FastAPI app")
    return Ratio(f"overhead.c{clients}_throughput_over_fastapi",
                 litserve.result.steady_requests_per_second() / bare.result.steady_requests_per_second(), "higher",
                 f"answers per second to {clients} clients (Locust) from LitServe (do-nothing model) divided by "
                 "those from a bare FastAPI app doing the same, measured one after the other")


def overhead_ratios(measured: list[Measured]) -> list[Ratio]:
    """Every overhead ratio these measurements allow."""
    candidates = [lambda: latency_over_reference(measured, 10), lambda: latency_over_reference(measured, 50)]
    for n in sorted({m.clients for m in measured if m.kind == REFERENCE and m.clients > 1}):
        candidates.append(lambda n=n: throughput_share_of_reference(measured, n))
    return ratios_measured(candidates)

