"""Watching a server's lifecycle from outside: its health check from launch, when the model
finished loading, killing an inference worker, waiting for the server to exit or for a new
worker, and whether it still accepts connections.

Every wait here is bounded, so a server that hangs makes a scenario fail with a clear message
instead of stalling the run.
"""

from __future__ import annotations

import os
import re
import signal
import time
from dataclasses import dataclass, field

import httpx
import psutil

from harness.clients.http import ConnectionLost, NoAnswerInTime
from harness.clients.http import request as clients_request
from harness.serving.health_log import NO_CONNECTION
from harness.serving.launcher import RunningServer


@dataclass
class HealthWatch:
    """Answers of ``/health`` from the moment the server process was launched."""

    launched_at: float = 0.0
    answers_at: list[tuple[float, str]] = field(default_factory=list)  # (monotonic time, status or "no connection")

    @property
    def answers(self) -> list[tuple[float, str]]:
        """(seconds after launch, status)."""
        return [(round(at - self.launched_at, 3), status) for at, status in self.answers_at]

    @property
    def first_ready_at(self) -> float | None:
        """Seconds after launch of the first 200."""
        return next((at for at, status in self.answers if status == "200"), None)

    def describe(self) -> str:
        """Status changes only, as "seconds after launch  status" lines."""
        lines, last = [], None
        for at, status in self.answers:
            if status != last:
                lines.append(f"{at:7.3f}  {status}")
                last = status
        return "\n".join(lines)


def watch_health(server: RunningServer, until_ready_within: float, until_answered: bool = False) -> HealthWatch:
    """The server's ``/health`` answers from its launch until it answered 200 (or, with ``until_answered``,
    anything at all), exited, or ``until_ready_within`` seconds passed; waits for them as needed.

    They come from the server's ``health_log``, recorded from launch on, so a server started ahead of its
    scenario is watched from its start too. Only a server launched unready (``start_fresh_app_unready``) has one.
    """
    log = server.health_log
    if log is None:
        raise ValueError(f"server '{server.spec.label}' was started ready, so its start was not watched; "
                         "start it with start_fresh_app_unready to watch it come up")
    deadline = server.launched_at + until_ready_within
    while True:
        answers = log.answers_at()
        for index, (at, status) in enumerate(answers):
            if status == "200" or (until_answered and status != NO_CONNECTION) or at > deadline:
                return HealthWatch(server.launched_at, answers[:index + 1])
        if log.finished.is_set():
            return HealthWatch(server.launched_at, answers)
        log.finished.wait(0.02)


def model_loaded_at(server: RunningServer, wait: float = 30.0, line: str = "model setup finished") -> float | None:
    """When the model's slow setup finished (monotonic), as the app writes it to the server log ("suite: <line> at
    <time>"; with ``line="model ready"``: any model's setup, slow or not); waits up to ``wait`` seconds for that
    line, None if it never comes."""
    deadline = time.monotonic() + wait
    while True:
        found = re.findall(rf"suite: {re.escape(line)} at ([0-9.]+)", server.log_text())
        if found:
            return float(found[0])
        if time.monotonic() > deadline or not server.is_alive():
            return None
        time.sleep(0.05)


def inference_workers(server: RunningServer) -> list[psutil.Process]:
    """The server's inference worker processes: the children LitServe started with multiprocessing's spawn."""
    workers = []
    for proc in server.tree():
        try:
            if any("multiprocessing.spawn" in part for part in proc.cmdline()):
                workers.append(proc)
        except psutil.Error:
            continue
    return workers


def kill_inference_worker(server: RunningServer) -> int:
    """SIGKILL the server's only inference worker (as the kernel's OOM killer would). Returns its PID."""
    workers = inference_workers(server)
    if len(workers) != 1:
        raise RuntimeError(f"expected exactly one inference worker in the server's process tree, found "
                           f"{[w.pid for w in workers]}; is the server running with more than one worker?")
    pid = workers[0].pid
    os.kill(pid, signal.SIGKILL)
    return pid


def wait_for_exit(server: RunningServer, within: float) -> int | None:
    """The server's exit code if its main process exits within ``within`` seconds, else None."""
    try:
        return server.process.wait(timeout=within)
    except Exception:  # subprocess.TimeoutExpired
        return None


def try_connect(url: str, time_limit: float = 2.0) -> str:
    """"refused" if nothing listens any more, "answered <status>" or "no answer" otherwise."""
    try:
        exchange = clients_request("POST", url, {"input": 1}, time_limit=time_limit)
    except NoAnswerInTime:
        return f"no answer within {time_limit:g} s"
    except ConnectionLost as lost:
        return "refused" if lost.refused else "closed without an answer"
    return f"answered {exchange.status}"


def wait_for_new_worker(server: RunningServer, dead_pid: int, within: float) -> str:
    """"ready" once an inference worker other than ``dead_pid`` runs and ``/health`` answers 200;
    otherwise what was last seen when ``within`` seconds have passed."""
    deadline = time.monotonic() + within
    seen = "nothing yet"
    with httpx.Client(timeout=1.0, headers=server.auth_headers, verify=False) as client:
        while time.monotonic() < deadline:
            workers = [w.pid for w in inference_workers(server) if w.pid != dead_pid]
            try:
                health = client.get(server.health_url).status_code
            except httpx.HTTPError as error:
                health = type(error).__name__
            seen = f"new inference workers {workers}, health check {health}"
            if workers and health == 200:
                return "ready"
            if not server.is_alive():
                return f"the server exited with code {server.process.returncode}"
            time.sleep(0.1)
    return seen


def kill_one_of_the_workers(server: RunningServer) -> tuple[int, list[int]]:
    """SIGKILL one of the server's several inference workers. Returns its PID and the PIDs of the others."""
    workers = sorted(w.pid for w in inference_workers(server))
    if len(workers) < 2:
        raise RuntimeError(f"expected several inference workers in the server's process tree, found {workers}")
    os.kill(workers[0], signal.SIGKILL)
    return workers[0], workers[1:]


def wait_for_worker_count(server: RunningServer, count: int, dead_pid: int, within: float) -> str:
    """"ready" once ``count`` inference workers other than ``dead_pid`` run and ``/health`` answers 200;
    otherwise what was last seen when ``within`` seconds have passed."""
    deadline = time.monotonic() + within
    seen = "nothing yet"
    with httpx.Client(timeout=1.0, headers=server.auth_headers, verify=False) as client:
        while time.monotonic() < deadline:
            workers = sorted(w.pid for w in inference_workers(server) if w.pid != dead_pid)
            try:
                health = client.get(server.health_url).status_code
            except httpx.HTTPError as error:
                health = type(error).__name__
            seen = f"inference workers {workers}, health check {health}"
            if len(workers) == count and health == 200:
                return "ready"
            if not server.is_alive():
                return f"the server exited with code {server.process.returncode}"
            time.sleep(0.1)
    return seen


def cpu_share_over(root_pid: int, seconds: float) -> float:
    """CPU cores the process tree of ``root_pid`` used on average over the next ``seconds`` (1.0 = one core busy)."""
    tree = [psutil.Process(root_pid), *psutil.Process(root_pid).children(recursive=True)]

    def used() -> dict[int, float]:
        times = {}
        for proc in tree:
            try:
                cpu = proc.cpu_times()
                times[proc.pid] = cpu.user + cpu.system
            except psutil.Error:  # ended meanwhile: counts as idle
                pass
        return times

    before = used()
    time.sleep(seconds)
    after = used()
    return sum(after[pid] - before[pid] for pid in after if pid in before) / seconds
