"""Load steps that watch the server's processes: many open connections, mixed traffic, the soak.

The server tree (every process of a server: API servers and inference workers) is read with
psutil before, during and after the load (:mod:`harness.load.server_tree`). The Locust runs are
made with the public building blocks of :mod:`harness.load.scenarios` (``target``, ``plan``, ``run``).
"""

from __future__ import annotations

import resource
import time

from harness.load import scenarios
from harness.load.engine import LoadPlan, steady
from harness.load.progress import progress
from harness.load.server_tree import Footprint, Watch, footprint, median_footprint


def raise_open_files_limit(connections: int) -> int:
    """Let this process (and the servers and Locust it starts) open ``connections`` sockets and more."""
    needed = connections * 2 + 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            raise AssertionError(f"the open-files limit is {hard}; {connections} connections need {needed}: "
                                 f"raise it (ulimit -Hn) and run again")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
    return max(soft, needed)


def _tree(context):
    return [proc for target in context.load.targets for proc in target.tree()]


def many_connections(context, clients: int, every: float, duration: float) -> None:
    """``clients`` users, each with its own keep-alive connection, asking once every ``every`` s."""
    target = scenarios.target(context)
    duration = scenarios.seconds(context, duration)
    context.load.idle_footprint = median_footprint([_settled(context) for _ in range(3)])
    port = int(target.base_url.rsplit(":", 1)[1])
    spawn_rate = clients / 4
    with Watch(lambda: _tree(context), port=port, every=1.0) as watch:
        run = scenarios.run(context, "connections", scenarios.plan(
            context, target, users=clients, spawn_rate=spawn_rate, pace=1 / every, warmup=0, seconds=duration))
    context.load.footprints = watch.readings
    context.load.figures.update(users=clients, most_connections=watch.most_connections,
                                idle=context.load.idle_footprint.as_dict(),
                                busiest={"rss_mb": round(max(r.rss_mb for r in watch.readings), 1),
                                         "open_files": max(r.open_files for r in watch.readings)})
    context.load.marks[:] = [(clients / spawn_rate, "all connected")]
    context.load.finished_at = time.monotonic()
    assert run.samples


def _settled(context) -> Footprint:
    time.sleep(0.2)  # three readings 0.2 s apart: the median ignores a passing spike
    return footprint(_tree(context))


def back_to_idle(context, within: float, memory_share: float) -> tuple[bool, Footprint]:
    """Poll the server tree until its open files are at the idle level and its memory within the share."""
    idle = context.load.idle_footprint
    deadline = context.load.finished_at + within
    while True:
        now = footprint(_tree(context))
        context.load.footprints.append(now)
        ok = now.open_files <= idle.open_files and now.rss_mb <= idle.rss_mb * (1 + memory_share)
        if ok or time.monotonic() > deadline:
            context.load.figures["after"] = {**now.as_dict(),
                                             "seconds_after_the_load": round(now.at - context.load.finished_at, 1)}
            return ok, now
        time.sleep(0.5)


# --- mixed traffic ----------------------------------------------------------------------------

def streams_alone(context, clients: int, chunks: int, duration: float) -> None:
    stream = scenarios.target(context, "stream")
    duration = scenarios.seconds(context, duration)
    run = scenarios.run(context, "streams alone", LoadPlan(
        hosts={"stream": stream.base_url}, users=clients, seconds=duration,
        stream_chunks=chunks, stream_pause=stream.chunk_pause,
        processes=context.options.load_processes))
    context.load.figures["alone_ttft_p50_ms"] = round(run.ttft_ms(50), 2)
    context.load.figures["alone_ttft_p99_ms"] = round(run.ttft_ms(99), 2)


def mixed(context, duration: float, plain: int, batched: int, pace: float) -> None:
    alone = context.load.last("streams alone")
    targets = {kind: scenarios.target(context, kind) for kind in ("plain", "batched", "stream")}
    duration = scenarios.seconds(context, duration)
    streams = alone.plan.users
    run = scenarios.run(context, "mixed", LoadPlan(
        hosts={kind: t.base_url for kind, t in targets.items()}, users=streams + plain + batched,
        spawn_rate=100, seconds=duration, weights={"stream": streams, "plain": plain,
                                                                      "batched": batched},
        paces={"plain": pace, "batched": pace, "stream": 0.0}, stream_chunks=alone.plan.stream_chunks,
        stream_pause=alone.plan.stream_pause, processes=alone.plan.processes))
    figures = context.load.figures
    figures["mixed_ttft_p50_ms"] = round(run.ttft_ms(50), 2)
    figures["mixed_ttft_p99_ms"] = round(run.ttft_ms(99), 2)
    for kind in targets:
        figures[f"mixed_{kind}_per_second"] = round(run.requests_per_second(kind), 1)


# --- soak ----------------------------------------------------------------------------------------

#: Seconds between two readings of the servers' memory and open files during a soak.
SOAK_READING_EVERY = 5.0


def soak(context, rate: float, streams: int, chunks: int) -> None:
    options = context.options
    duration = options.soak_minutes * 60
    plain = scenarios.target(context, "plain")
    stream = [t for t in context.load.targets if t.kind == "stream"]
    users, spawn_rate, pace = steady(rate)
    hosts = {"plain": plain.base_url, **({"stream": stream[0].base_url} if stream else {})}
    weights = {"plain": users, **({"stream": streams} if stream else {})}
    progress(f"soak: {options.soak_minutes:g} minutes (-D soak_minutes=N to change)")
    deployed = {"check": "status", "body": options.target_body} if plain.deployed else {}
    with Watch(lambda: _tree(context), every=SOAK_READING_EVERY) as watch:
        scenarios.run(context, "soak", LoadPlan(
            hosts=hosts, users=sum(weights.values()), spawn_rate=spawn_rate, warmup=0, seconds=duration, weights=weights,
            paces={"plain": pace, "stream": 0.0}, stream_chunks=chunks,
            stream_pause=stream[0].chunk_pause if stream else 0.0, processes=options.load_processes, **deployed))
    context.load.footprints = watch.readings
    context.load.marks[:] = [(60.0, "end of the first minute"), (duration - 60, "last minute")]


def soak_minutes(context) -> tuple[float, float, float]:
    """(start of the first minute, end of the first minute, start of the last minute) in seconds into the soak."""
    run = context.load.last("soak")
    first_start = min(5.0, run.duration / 10)  # leave out the users' start
    return first_start, first_start + 60, max(run.duration - 60, first_start)


def footprint_growth(context) -> tuple[Footprint, Footprint]:
    run = context.load.last("soak")
    first_start, first_end, last_start = soak_minutes(context)
    first = median_footprint(watch_between(context, run.started + first_start, run.started + first_end))
    last = median_footprint(watch_between(context, run.started + last_start, run.started + run.duration + 1))
    context.load.figures.update(first_minute=first.as_dict(), last_minute=last.as_dict())
    return first, last


def watch_between(context, start: float, end: float) -> list[Footprint]:
    return [r for r in context.load.footprints if start <= r.at < end]
