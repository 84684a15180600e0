"""The logic behind the load steps: which server is loaded, the Locust runs, and the checks on them.

A scenario's state lives in ``context.load`` (a :class:`harness.load.report.LoadRecord`: the
:class:`Target` servers, the runs and their figures). :func:`target`, :func:`plan`, :func:`run`
and :func:`seconds` are the building blocks :mod:`harness.load.endurance` uses too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import psutil

from harness.load import figures as load_figures
from harness.load.engine import LoadPlan, burst, ramp, run_load, steady
from harness.load.model import Run
from harness.load.progress import progress
from harness.load.server_tree import tree_of_port
from harness.serving.launcher import RunningServer
from harness.serving.scenario import start_app


@dataclass
class Target:
    """A server the load goes to: one of the suite's, or a deployed LitServe (``-D target``)."""

    base_url: str
    kind: str                                # the Locust user kind: "plain", "batched" or "stream"
    model_rate: float | None                 # answers per second the model allows (None: unknown)
    tree: Callable[[], list[psutil.Process]]
    deployed: bool = False
    chunk_pause: float = 0.0

    @classmethod
    def of(cls, server: RunningServer) -> "Target":
        settings = server.spec.settings
        if server.spec.app == "tokens":
            return cls(server.base_url, "stream", None, server.tree, chunk_pause=settings.chunk_pause)
        rate = None
        if settings.predict_seconds > 0:
            rate = settings.max_batch_size / settings.predict_seconds
        return cls(server.base_url, "batched" if settings.max_batch_size > 1 else "plain", rate, server.tree)

    @classmethod
    def deployed_at(cls, url: str) -> "Target":
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        return cls(url, "plain", None, lambda: tree_of_port(port), deployed=True)


def server_under_load(context, **settings) -> None:
    """The target of ``-D target``, or the suite's ``square`` app with ``settings``."""
    options = context.options
    if options.target:
        context.load.targets.append(Target.deployed_at(options.target))
    else:
        context.load.targets.append(Target.of(start_app(context, "square", **settings)))


def suite_server(context, server: RunningServer) -> None:
    context.load.targets.append(Target.of(server))


def target(context, kind: str | None = None) -> Target:
    """The scenario's first server under load (of ``kind``: "plain", "batched", "stream")."""
    chosen = [t for t in context.load.targets if kind is None or t.kind == kind]
    if not chosen:
        raise LookupError(f"this step needs a {kind or ''} server started by a Given step; the scenario has "
                          f"{[t.kind for t in context.load.targets]}")
    return chosen[0]


def plan(context, server: Target, **fields) -> LoadPlan:
    """A Locust plan for ``server`` with the run's ``-D`` options (a deployed target: any 200 is right)."""
    options = context.options
    deployed = {"check": "status", "body": options.target_body} if server.deployed else {}
    return LoadPlan(hosts={server.kind: server.base_url}, processes=options.load_processes, **deployed, **fields)


def run(context, label: str, load_plan: LoadPlan) -> Run:
    """Run ``load_plan`` with Locust, keep it in the scenario's record as ``label``, say what it did."""
    what = f"{load_plan.users} users" if not load_plan.stages else f"stages {[s[1] for s in load_plan.stages]}"
    progress(f"{label}: {what}, {load_plan.duration:g} s ...")
    done = context.load.add(label, run_load(load_plan, label=label))
    summary = done.summary()
    progress(f"    {summary['requests']} requests, {summary['failed']} failed, {summary['requests_per_second']} req/s, "
             f"p50 {summary['p50_ms']} ms, p99 {summary['p99_ms']} ms, client CPU {summary['client_cpu_share']:.0%}"
             + (" (the client was the bottleneck)" if done.client_bound else ""))
    return done


def seconds(context, value: float) -> float:
    """A load duration scaled by ``-D load_scale``."""
    return context.options.seconds(value)


# --- calibration, steady arrivals, bursts, ramps ---------------------------------------------------


def calibrate(context, clients: int, duration: float) -> None:
    """Unloaded latency (1 client, back to back) and capacity (``clients`` back to back), in the same run."""
    server = target(context)
    duration = seconds(context, duration)
    alone = run(context, "unloaded", plan(context, server, users=1, seconds=duration))
    full = run(context, "capacity", plan(context, server, users=clients, seconds=duration))
    context.load.figures["unloaded_p50_ms"] = round(alone.latency_ms(50), 2)
    context.load.figures["unloaded_p99_ms"] = round(alone.latency_ms(99), 2)
    context.load.figures["capacity_per_second"] = round(full.requests_per_second(), 1)
    context.load.figures["capacity_client_bound"] = full.client_bound


def _capacity(context) -> float:
    if "capacity_per_second" not in context.load.figures:
        raise LookupError("this step needs the capacity measured by an earlier step "
                          '("its unloaded latency is measured ... and its capacity ...")')
    return context.load.figures["capacity_per_second"]


def steady_arrivals(context, share: float, duration: float) -> None:
    """Requests at ``share`` of the capacity, evenly spread (see :func:`harness.load.engine.steady`)."""
    rate = share * _capacity(context)
    users, spawn_rate, pace = steady(rate)
    duration = seconds(context, duration)
    settle = 1 / pace + 0.5  # the warm-up of a paced run: one period, and the users connecting
    steady_run = run(context, "steady", plan(context, target(context), users=users, spawn_rate=spawn_rate, pace=pace,
                                             warmup=settle, seconds=duration))
    lag = load_figures.arrival_lag(steady_run, rate, *steady_run.window)
    context.load.figures.update({"steady_" + key: value for key, value in lag.as_dict().items()})
    context.load.figures.update(steady_users=users, steady_pace_per_user=round(pace, 3),
                                steady_p99_ms=round(steady_run.latency_ms(99), 2))
    context.load.figures["steady_window"] = [round(settle, 2), round(settle + duration, 2)]
    context.load.marks[:] = [(settle, "measured from here")]


def bursting_arrivals(context, share: float, before: float, times: float, during: float, after: float) -> None:
    """``share`` of the capacity, ``times`` that rate for ``during`` s, then the first rate again."""
    base_rate = share * _capacity(context)
    users, spawn_rate, pace = steady(base_rate)
    before, during, after = seconds(context, before), seconds(context, during), seconds(context, after)
    stages = burst(users, round(users * times), before, during, after, spawn_rate)
    burst_run = run(context, "burst", plan(context, target(context), users=users, pace=pace, stages=stages))
    settle = 1 / pace + 0.5
    figures = context.load.figures
    figures.update(burst_base_per_second=round(base_rate, 1), burst_peak_per_second=round(base_rate * times, 1),
                   burst_real_peak_per_second=round(len(burst_run.of(None, before, before + during)) / during, 1),
                   before_burst_p50_ms=round(burst_run.latency_ms(50, start=settle, end=before), 2),
                   during_burst_p99_ms=round(burst_run.latency_ms(99, start=before, end=before + during), 2))
    context.load.marks[:] = [(before, "burst"), (before + during, "back")]
    context.load.burst_end = before + during


def recovery(context, times: float) -> float:
    level = context.load.figures["before_burst_p50_ms"]
    took = load_figures.recovery_seconds(context.load.last("burst"), context.load.burst_end, level, times)
    context.load.figures["recovery_s"] = None if math.isinf(took) else round(took, 2)
    return took


def ramp_up(context, counts: list[int], step: float) -> list[load_figures.Step]:
    step = seconds(context, step)
    steps = load_figures.ramp_steps(run(context, "ramp", plan(context, target(context), stages=ramp(counts, step))))
    knee = load_figures.knee(steps)
    context.load.figures["ramp"] = [{"users": s.users, "rps": round(s.rps, 1), "p50_ms": round(s.p50_ms, 1),
                                     "p99_ms": round(s.p99_ms, 1)} for s in steps]
    context.load.figures.update(knee_users=knee.users, knee_per_second=round(knee.rps, 1),
                                best_per_second=round(max(s.rps for s in steps), 1))
    context.load.marks[:] = [(i * step, f"{users}") for i, users in enumerate(counts)]
    return steps


# --- checks ----------------------------------------------------------------------------------------

def check_all_answered(context) -> None:
    runs = context.load.runs
    if not runs:
        raise LookupError("this step needs a load run from an earlier When step")
    total = sum(len(done.samples) for _, done in runs)
    failed = [(label, s) for label, done in runs for s in done.errors]
    for label, done in runs:
        locust_count = sum(entry.get("num_requests", 0) for entry in done.stats)
        if done.stats and locust_count != len(done.samples):
            raise AssertionError(f"Locust counted {locust_count} requests in the {label} run but its users recorded "
                                 f"{len(done.samples)}: the samples are incomplete")
    if total == 0:
        raise AssertionError("no request was sent under load")
    if failed:
        label, first = failed[0]
        kinds = sorted({s.kind for _, s in failed})
        raise AssertionError(f"{len(failed)} of {total} requests under load were not answered correctly ({kinds}); "
                             f"the first, in the {label} run, {first.ms:.0f} ms after it was sent: "
                             f"status {first.status}, {first.error}")
