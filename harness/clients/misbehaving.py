"""Clients that misbehave or watch a server fail: raw bodies, abandoned requests, health watching,
and killing an inference worker from outside.

Every wait here is bounded, so a server that hangs makes a scenario fail with a clear message
instead of stalling the run.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import psutil

from harness.clients.http import Exchange, NoAnswerInTime, connect, new_client, send
from harness.clients.http import request as clients_request
from harness.serving.launcher import RunningServer
from harness.clients.streams import StreamTranscript, read_stream


def send_raw(url: str, method: str = "POST", *, content: bytes | None = None, body: Any = None,
             headers: dict[str, str] | None = None, time_limit: float = 5.0) -> Exchange:
    """One request with exactly these bytes (or this JSON body), method and headers."""

    async def run() -> Exchange:
        async with new_client() as client:
            return await send(client, method, url, body, content=content, headers=headers, time_limit=time_limit)

    return asyncio.run(run())


@dataclass
class Abandoned:
    """What a client saw before it gave up."""

    client: str
    chunks_read: int = 0
    gave_up_after: float = 0.0
    first_chunk: Any = None


async def _abandon_stream(url: str, body: dict, after_chunks: int, time_limit: float) -> Abandoned:
    seen = Abandoned(body.get("client", ""))
    began = time.monotonic()
    async with new_client() as client:
        try:
            async with asyncio.timeout(time_limit):
                async with client.stream("POST", url, json=body) as response:
                    async for line in response.aiter_lines():
                        if line.strip():
                            seen.chunks_read += 1
                            if seen.first_chunk is None:
                                seen.first_chunk = json.loads(line)
                        if seen.chunks_read >= after_chunks:
                            break
        except TimeoutError:
            raise NoAnswerInTime(f"{seen.client} did not get {after_chunks} chunk(s) within {time_limit:g} s") from None
    seen.gave_up_after = time.monotonic() - began
    return seen


def abandon_stream_then_stream(url: str, quitter: dict, after_chunks: int, follower: dict,
                               time_limit: float = 10.0) -> tuple[Abandoned, StreamTranscript]:
    """``quitter`` reads ``after_chunks`` chunks and disconnects; then ``follower`` streams its whole reply."""

    async def run() -> tuple[Abandoned, StreamTranscript]:
        abandoned = await _abandon_stream(url, quitter, after_chunks, time_limit)
        async with new_client() as client:
            transcript = await read_stream(client, url, follower, time_limit=time_limit)
        return abandoned, transcript

    return asyncio.run(run())


def give_up_while_others_wait(url: str, quitter: dict, give_up_after: float, others: list[dict],
                              time_limit: float = 10.0) -> tuple[Abandoned, list[Exchange]]:
    """All clients ask at the same moment; ``quitter`` disconnects after ``give_up_after`` seconds."""

    async def quit_early(client: httpx.AsyncClient) -> Abandoned:
        began = time.monotonic()
        try:
            await send(client, "POST", url, quitter, time_limit=give_up_after)
        except NoAnswerInTime:
            pass
        return Abandoned(quitter.get("client", ""), gave_up_after=time.monotonic() - began)

    async def one(body: dict | None, barrier: asyncio.Barrier):
        async with new_client() as client:
            await connect(client, url)
            await barrier.wait()
            if body is None:
                return await quit_early(client)
            return await send(client, "POST", url, body, time_limit=time_limit)

    async def run():
        barrier = asyncio.Barrier(len(others) + 1)
        results = await asyncio.gather(one(None, barrier), *(one(body, barrier) for body in others))
        return results[0], list(results[1:])

    return asyncio.run(run())


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


def watch_health(server: RunningServer, until_ready_within: float, pause: float = 0.05,
                 until_answered: bool = False) -> HealthWatch:
    """Poll ``/health`` from the server's launch until it answers 200 (or, with ``until_answered``,
    anything at all) or ``until_ready_within`` seconds pass."""
    watch = HealthWatch(launched_at=server.launched_at)
    with httpx.Client(timeout=1.0, headers=server.auth_headers) as client:
        while True:
            try:
                status = str(client.get(f"{server.base_url}/health").status_code)
            except httpx.HTTPError:
                status = "no connection"
            at = time.monotonic()
            watch.answers_at.append((at, status))
            answered = status != "no connection"
            if (status == "200" or (until_answered and answered) or at - server.launched_at > until_ready_within
                    or not server.is_alive()):
                return watch
            time.sleep(pause)


def model_loaded_at(server: RunningServer, wait: float = 30.0) -> float | None:
    """When the model's setup finished (monotonic), as the app writes it to the server log;
    waits up to ``wait`` seconds for that line, None if it never comes."""
    deadline = time.monotonic() + wait
    while True:
        found = re.findall(r"suite: model setup finished at ([0-9.]+)", server.log_text())
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


#: The client mistakes a scenario can name, as (method, path, raw body or None).
MISTAKES: dict[str, tuple[str, str, bytes | None]] = {
    "a body that is not JSON": ("POST", "/predict", b'{"input": 3'),
    "an empty body": ("POST", "/predict", b""),
    "a list instead of an object": ("POST", "/predict", b"[1, 2, 3]"),
    "a GET instead of a POST": ("GET", "/predict", None),
    "a PUT instead of a POST": ("PUT", "/predict", b'{"input": 3}'),
    "a request to an unknown path": ("POST", "/no-such-path", b'{"input": 3}'),
}


def send_mistake(base_url: str, mistake: str, time_limit: float = 5.0) -> Exchange:
    """Send one of :data:`MISTAKES`, or "a body of N bytes" (a valid request padded to N bytes)."""
    words = mistake.split()
    if mistake.startswith("a body of ") and len(words) == 5 and words[3].isdigit() and words[4] == "bytes":
        size = int(words[3])
        head = b'{"input": 3, "padding": "'
        content = head + b"x" * max(0, size - len(head) - 2) + b'"}'
        return send_raw(f"{base_url}/predict", content=content, headers={"content-type": "application/json"},
                        time_limit=time_limit)
    if mistake not in MISTAKES:
        raise ValueError(f"unknown client mistake {mistake!r}; known ones are {sorted(MISTAKES)} "
                         "and 'a body of <N> bytes'")
    method, path, content = MISTAKES[mistake]
    headers = {"content-type": "application/json"} if content is not None else None
    return send_raw(f"{base_url}{path}", method, content=content, headers=headers, time_limit=time_limit)


def try_connect(url: str, time_limit: float = 2.0) -> str:
    """"refused" if nothing listens any more, "answered <status>" or "no answer" otherwise."""
    try:
        exchange = clients_request("POST", url, {"input": 1}, time_limit=time_limit)
    except NoAnswerInTime:
        return f"no answer within {time_limit:g} s"
    except httpx.ConnectError:
        return "refused"
    return f"answered {exchange.status}"


def wait_for_new_worker(server: RunningServer, dead_pid: int, within: float) -> str:
    """"ready" once an inference worker other than ``dead_pid`` runs and ``/health`` answers 200;
    otherwise what was last seen when ``within`` seconds have passed."""
    deadline = time.monotonic() + within
    seen = "nothing yet"
    with httpx.Client(timeout=1.0, headers=server.auth_headers) as client:
        while time.monotonic() < deadline:
            workers = [w.pid for w in inference_workers(server) if w.pid != dead_pid]
            try:
                health = client.get(f"{server.base_url}/health").status_code
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
    with httpx.Client(timeout=1.0, headers=server.auth_headers) as client:
        while time.monotonic() < deadline:
            workers = sorted(w.pid for w in inference_workers(server) if w.pid != dead_pid)
            try:
                health = client.get(f"{server.base_url}/health").status_code
            except httpx.HTTPError as error:
                health = type(error).__name__
            seen = f"inference workers {workers}, health check {health}"
            if len(workers) == count and health == 200:
                return "ready"
            if not server.is_alive():
                return f"the server exited with code {server.process.returncode}"
            time.sleep(0.1)
    return seen
