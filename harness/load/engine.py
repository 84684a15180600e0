"""Run Locust as a subprocess and read back what every request did: the suite's one engine for concurrent load.

Locust is never imported here (it monkey-patches the standard library with gevent); it runs as
``locust --headless`` with the locustfile ``harness/load/locustfiles/litserve_users.py``, whose
users check every answer and write one JSON line per request (``locustfiles/sink.py``). This
module builds the command, runs it, bounded in time, while sampling the client's CPU, and returns
a :class:`harness.load.model.Run`: the samples, Locust's own statistics (``--json``) and the
client's CPU use. A closed-loop plan runs its ``warmup`` (:data:`harness.load.model.WARMUP`) and then
its ``seconds``, which are the run's window; a plan with stages counts from its first second.

Usage (also from other tools, e.g. ``tools/client_ceiling.py``)::

    from harness.load.engine import LoadPlan, run_load
    run = run_load(LoadPlan(hosts={"plain": "http://127.0.0.1:8000"}, users=8, seconds=5))
    run.requests_per_second(), run.latency_ms(99), run.errors

Load shapes: ``stages=[(until_seconds, users, spawn_rate), ...]`` (see :func:`burst`, :func:`ramp`).
A fixed arrival rate: ``pace`` requests per second per user on a fixed schedule,
the users' phases spread evenly over one pacing period (see :func:`steady`). ``processes=N`` runs Locust's ``--processes N`` (one master,
N forked workers) when one process is not enough.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import psutil

from harness.load.model import WARMUP, Run, Sample

LOCUSTFILE = Path(__file__).parent / "locustfiles" / "litserve_users.py"
#: Seconds a closed-loop run lasts beyond its plan: Locust's ``-t`` counts from its own start, and on a
#: busy machine its first request comes up to about 2 s later; the run's time 0 is that first request.
STARTUP_ALLOWANCE = 2.0
#: User class of each kind of traffic.
USER_CLASSES = {"plain": "PlainUser", "batched": "BatchedUser", "stream": "StreamUser"}


class LoadEngineError(RuntimeError):
    """Locust could not run (not installed, bad arguments, crashed): says what to do."""


@dataclass(frozen=True)
class LoadPlan:
    """What to run: which servers, how many users, for how long, in which shape."""

    hosts: dict[str, str]                          # kind ("plain", "batched", "stream") -> base URL
    users: int = 1                                 # users in total (split over kinds by ``weights``)
    seconds: float = 5.0                           # the measured time, after ``warmup`` (ignored with ``stages``)
    warmup: float = WARMUP                         # seconds before the window (ignored with ``stages``)
    spawn_rate: float = 0.0                        # users started per second (0 = all at once)
    pace: float = 0.0                              # requests per second per user, scheduled (0 = back to back)
    paces: dict[str, float] = field(default_factory=dict)   # kind -> its own pace (instead of ``pace``)
    stages: tuple[tuple[float, int, float], ...] = ()
    processes: int = 0                             # Locust --processes (0 = one process)
    weights: dict[str, int] = field(default_factory=dict)   # kind -> fixed user count (``fixed_count``)
    check: str = "square"                          # "square": answers checked; "status": a 200 is enough
    body: dict | None = None                       # the request body in "status" mode
    stream_chunks: int = 5
    stream_pause: float = 0.0

    @property
    def duration(self) -> float:
        return self.stages[-1][0] if self.stages else self.warmup + self.seconds

    @property
    def window(self) -> tuple[float, float]:
        """The seconds of the run that count."""
        return (0.0, self.duration) if self.stages else (self.warmup, self.warmup + self.seconds)


def steady(rate: float, pace: float = 0.5) -> tuple[int, float, float]:
    """Users, spawn rate and per-user pace for a fixed arrival rate of ``rate`` requests per second.

    Each user sends ``pace`` requests per second on a fixed schedule (the locustfile's
    ``wait_time``: each request is due one period after the previous one was due); the users
    start at evenly spread phases of that period (its ``on_start``), so arrivals come about
    ``1 / rate`` s apart. All users are started at once; arrivals are steady after one period. A user whose
    answer takes longer than ``1 / pace`` falls behind: :func:`harness.load.figures.arrival_lag`
    reports how far.
    """
    users = max(1, round(rate / pace))
    return users, float(users), rate / users


def burst(base_users: int, burst_users: int, before: float, during: float, after: float,
          spawn_rate: float) -> tuple[tuple[float, int, float], ...]:
    """Stages: ``base_users`` for ``before`` s, ``burst_users`` for ``during`` s, ``base_users`` for ``after`` s."""
    return ((before, base_users, spawn_rate), (before + during, burst_users, 10_000.0),
            (before + during + after, base_users, 10_000.0))


def ramp(users: Sequence[int], step_seconds: float) -> tuple[tuple[float, int, float], ...]:
    """Stages: each user count in turn for ``step_seconds`` (users started all at once)."""
    return tuple(((i + 1) * step_seconds, count, 10_000.0) for i, count in enumerate(users))


def locust_command(plan: LoadPlan) -> list[str]:
    """The ``locust`` command line for ``plan``."""
    executable = shutil.which("locust", path=str(Path(sys.executable).parent)) or shutil.which("locust")
    if executable is None:
        raise LoadEngineError("Locust is not installed: .venv/bin/pip install -r requirements.txt")
    kinds = [k for k in plan.hosts]
    unknown = [k for k in kinds if k not in USER_CLASSES]
    if unknown:
        raise LoadEngineError(f"unknown kind(s) of traffic {unknown}; known kinds are {sorted(USER_CLASSES)}")
    # No --host: Locust would give it to every user class; each class reads its own LOAD_<KIND>_HOST.
    command = [executable, "-f", str(LOCUSTFILE), "--headless", "--json", "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "30",
               "--exit-code-on-error", "0"]
    if not plan.stages:
        users = plan.users
        run_time = math.ceil(plan.duration + STARTUP_ALLOWANCE)
        command += ["-u", str(users), "-r", str(plan.spawn_rate or users), "-t", f"{run_time}s"]
    else:
        command += ["-t", f"{math.ceil(plan.duration) + 5}s"]
    if plan.processes:
        command += ["--processes", str(plan.processes)]
    return command + [USER_CLASSES[k] for k in kinds]


def _environment(plan: LoadPlan, samples_dir: str) -> dict[str, str]:
    env = {**os.environ, "LOAD_SAMPLES_DIR": samples_dir, "LOAD_PACE": str(plan.pace), "LOAD_CHECK": plan.check,
           "LOAD_STREAM_CHUNKS": str(plan.stream_chunks), "LOAD_STREAM_PAUSE": str(plan.stream_pause)}
    for kind, host in plan.hosts.items():
        env[f"LOAD_{kind.upper()}_HOST"] = host
    if plan.body is not None:
        env["LOAD_BODY"] = json.dumps(plan.body)
    if plan.stages:
        env["LOAD_STAGES"] = json.dumps([list(stage) for stage in plan.stages])
    else:
        env.pop("LOAD_STAGES", None)
    for kind, pace in plan.paces.items():
        env[f"LOAD_{kind.upper()}_PACE"] = str(pace)
    for kind, count in plan.weights.items():
        env[f"LOAD_{kind.upper()}_USERS"] = str(count)
    return env


class _CpuWatch(threading.Thread):
    """Samples the CPU time of a process and its children until stopped (processes that end keep their last reading)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.stopped, self.cpu, self.first_seen = pid, threading.Event(), {}, {}

    def run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self.stopped.wait(0.25):
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                break
            for proc in procs:
                try:
                    times = proc.cpu_times()
                except psutil.Error:
                    continue
                self.first_seen.setdefault(proc.pid, (time.monotonic(), times.user + times.system))
                self.cpu[proc.pid] = (time.monotonic(), times.user + times.system)

    def shares(self) -> dict[int, float]:
        shares = {}
        for pid, (at, cpu) in self.cpu.items():
            first_at, first_cpu = self.first_seen[pid]
            if at - first_at > 0.5:
                shares[pid] = (cpu - first_cpu) / (at - first_at)
        return shares


def run_load(plan: LoadPlan, time_limit: float | None = None, label: str = "") -> Run:
    """Run ``plan`` with Locust and return what happened; a run that overstays ``time_limit`` is stopped."""
    command = locust_command(plan)
    limit = time_limit or plan.duration * 1.5 + 60
    with tempfile.TemporaryDirectory(prefix="locust-samples-") as samples_dir:
        started = time.monotonic()
        process = subprocess.Popen(command, env=_environment(plan, samples_dir), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, start_new_session=True)
        watch = _CpuWatch(process.pid)
        watch.start()
        try:
            out, err = process.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.communicate()
            raise LoadEngineError(f"Locust did not stop within {limit:.0f} s: {' '.join(command)}") from None
        except BaseException:  # Ctrl-C, a failing step: Locust runs in its own session, so stop it here
            os.killpg(process.pid, 9)
            process.communicate()
            raise
        finally:
            watch.stopped.set()
            watch.join()
        finished = time.monotonic()
        if process.returncode != 0:
            raise LoadEngineError(f"Locust exited with code {process.returncode}: {' '.join(command)}\n{err[-3000:]}")
        samples = sorted(_read_samples(Path(samples_dir).glob("samples-*.jsonl")), key=lambda s: s.sent)
    if samples:
        started = samples[0].sent
    return Run(samples, started, plan.window, plan.users, watch.shares(), label, plan, _stats(out), finished)


def _read_samples(paths: Iterable[Path]) -> Iterable[Sample]:
    for path in paths:
        for line in path.read_text().splitlines():
            if line.strip():
                data = json.loads(line)
                yield Sample(data["kind"], data["sent"], data["done"], data["status"], data["ok"], data.get("error", ""),
                             data["user"], arrivals=data.get("arrivals", []), produced=data.get("produced", []),
                             batch_size=data.get("batch_size"))


def _stats(stdout: str) -> list[dict[str, Any]]:
    """Locust's --json statistics (the JSON array it prints when the run ends)."""
    start = stdout.find("[")
    try:
        return json.loads(stdout[start:]) if start >= 0 else []
    except ValueError:
        return []
