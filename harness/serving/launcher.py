"""Start an instrumented LitServe app as a real process and stop its whole process tree.

* The app runs in its own session (``start_new_session``) on a free 127.0.0.1 port, with a
  private ``TMPDIR`` so that LitServe's multiprocessing temp dirs (``pymp-*``) are ours to remove.
  Given a :class:`~harness.serving.warm.WarmStarter`, it is forked from the warm process (``warm.py``)
  instead of starting a new interpreter, unless its environment forbids it.
* Readiness is polled on ``/health`` (bounded, no fixed sleeps). A process that exits or never
  becomes ready raises :class:`ServerStartError` with the tail of its log. A server launched
  without waiting for it records its ``/health`` answers from launch on (``health_log.py``).
* :meth:`RunningServer.stop` asks LitServe to shut down gracefully (SIGTERM, turned into
  LitServe's Ctrl-C path by ``servers/__main__.py``), then terminates and finally kills whatever
  is left of the tree, and removes the private temp dir.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from harness.paths import REPO_ROOT, SERVER_LOGS_DIR
from harness.serving.health_log import HealthLog
from harness.serving.warm import WarmProcess, WarmStarter, WarmStartError, interpreter_environment
from harness.serving.start_errors import (ConfigurationRefused, HealthCheckBroken, ServerStartError,  # noqa: F401
                                          litserve_refusal)  # (the start errors are imported from here too)
from servers import catalog
from servers.settings import AppSettings

READY_TIMEOUT_SECONDS = 60.0
GRACEFUL_STOP_SECONDS = 10.0
KILL_WAIT_SECONDS = 5.0


#: How long ``/health`` must keep answering 500 before the server is given up as :class:`HealthCheckBroken`.
HEALTH_ERROR_SECONDS = 5.0


@dataclass(frozen=True)
class ServerSpec:
    """Which app to run, with which settings and (for the self-check) which injected fault."""

    app: str
    settings: AppSettings = field(default_factory=AppSettings)
    fault: str = ""

    def __post_init__(self) -> None:
        catalog.app_named(self.app).check(self.settings)  # an unknown app, or a setting it does not use, raises

    def covers(self, other: "ServerSpec") -> bool:
        """A server of this spec serves a scenario that asks for ``other``: the same, or the same with some of the
        app's extras on (``servers/catalog.py``: settings that only add to a server, like a metrics endpoint)."""
        return self == other or _covers(self, other)

    @property
    def label(self) -> str:
        changed = " ".join(f"{k}={v}" for k, v in sorted(self.settings.changed().items()))
        return " ".join(part for part in (self.app, changed, f"fault={self.fault}" if self.fault else "") if part)

    @property
    def slug(self) -> str:
        return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in self.label)[:120]


@dataclass
class StopReport:
    """How a stop went: graceful or not, how long it took, what had to be killed."""

    graceful: bool
    seconds: float
    killed: list[int]
    temp_files_left_by_litserve: list[str]


@dataclass
class RunningServer:
    spec: ServerSpec
    port: int
    process: subprocess.Popen | WarmProcess
    log_path: Path
    temp_dir: Path
    started_in_seconds: float
    launched_at: float = 0.0
    #: How long :meth:`stop` waits for a graceful shutdown; lowered for servers broken on purpose.
    graceful_stop_seconds: float = GRACEFUL_STOP_SECONDS
    stop_report: StopReport | None = None
    #: ``/health`` answers from launch on, for a server launched without waiting until it is ready.
    health_log: HealthLog | None = None
    _stop_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def auth_headers(self) -> dict[str, str]:
        """The header a client must send when the server requires an API key (empty otherwise)."""
        return {"X-API-Key": self.spec.settings.api_key} if self.spec.settings.api_key else {}

    @property
    def health_url(self) -> str:
        """Where the server answers its health check (a custom ``healthcheck_path``, or ``/health``)."""
        return f"{self.base_url}{self.spec.settings.health_path}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def is_alive(self) -> bool:
        return self.process.poll() is None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def tree(self) -> list[psutil.Process]:
        """Every live process of this server: the main one, its descendants, and its session.

        Once the main process has exited and been reaped, its pid (and so its session id) can be
        given to another process, such as another run's server: only processes that carry this
        server's private ``TMPDIR``, or (forked from the warm process, whose environment they show) were
        created before it ended, count then, so a stop never touches a stranger.
        """
        ended_at = getattr(self.process, "ended_at", None)
        found: dict[int, psutil.Process] = {}
        if self.is_alive():  # not reaped yet: the pid is still this server's
            try:
                main = psutil.Process(self.pid)
                found[main.pid] = main
                for child in main.children(recursive=True):
                    found[child.pid] = child
            except psutil.NoSuchProcess:
                pass
        for proc in psutil.process_iter():
            try:
                if os.getsid(proc.pid) == self.pid and (proc.environ().get("TMPDIR") == str(self.temp_dir) or (
                        ended_at is not None and proc.create_time() <= ended_at)):
                    found[proc.pid] = proc
            except (ProcessLookupError, PermissionError, psutil.Error):
                continue
        return [p for p in found.values() if _running(p)]

    def stop(self) -> StopReport:
        """Stop gracefully, then terminate, then kill what is left; remove the private temp dir.

        Safe to call more than once and from several threads: the first call stops, the others wait for it.
        """
        with self._stop_lock:
            if self.stop_report is None:
                self.stop_report = self._stop()
            return self.stop_report

    def _stop(self) -> StopReport:
        began = time.monotonic()
        if self.health_log is not None:
            self.health_log.close()
        tree = self.tree()
        graceful = True
        if self.is_alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=self.graceful_stop_seconds)
            except subprocess.TimeoutExpired:
                graceful = False
        # A server broken on purpose gets a shorter graceful wait, and as little patience afterwards.
        patience = min(KILL_WAIT_SECONDS, self.graceful_stop_seconds)
        leftovers = [p for p in {p.pid: p for p in tree + self.tree()}.values() if _running(p)]
        _, alive = psutil.wait_procs(leftovers, timeout=min(2.0, patience))
        for proc in alive:
            _quietly(proc.terminate)
        _, alive = psutil.wait_procs(alive, timeout=patience)
        for proc in alive:
            _quietly(proc.kill)
        psutil.wait_procs(alive, timeout=KILL_WAIT_SECONDS)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=KILL_WAIT_SECONDS)
        left_temp = sorted(str(p) for p in self.temp_dir.glob("pymp-*"))
        shutil.rmtree(self.temp_dir, ignore_errors=True)
        report = StopReport(
            graceful=graceful and not alive,
            seconds=time.monotonic() - began,
            killed=[p.pid for p in alive],
            temp_files_left_by_litserve=left_temp,
        )
        with self.log_path.open("a") as log:
            log.write(f"\nsuite: stopped ({report})\n")
        return report


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(spec: ServerSpec, log_dir: Path = SERVER_LOGS_DIR, ready_timeout: float = READY_TIMEOUT_SECONDS,
                 extra_env: dict[str, str] | None = None, wait_until_ready: bool = True,
                 warm: WarmStarter | None = None) -> RunningServer:
    """Start ``spec`` and return once ``/health`` answers 200; raise :class:`ServerStartError` otherwise.

    With ``wait_until_ready=False`` it returns as soon as the process is started (scenarios that
    watch a server come up, or one that never reports healthy), with its ``health_log`` recording.
    With ``warm``, the server is forked from the warm process when its environment allows.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log_path = log_dir / f"{spec.slug}-{port}.log"
    temp_dir = Path(tempfile.mkdtemp(prefix="litserve-suite-"))
    own_env = {"TMPDIR": str(temp_dir), "LITSERVE_SUITE_FAULT": spec.fault,
               "LIT_SERVER_API_KEY": spec.settings.api_key,  # LitServe's way to require an API key ("" = none)
               "LIT_SHUTDOWN_API_KEY": spec.settings.shutdown_key,  # the shutdown API's key
               **(extra_env or {})}
    arguments = [spec.app, "--port", str(port), "--settings", json.dumps(spec.settings.changed())]
    command = [sys.executable, "-m", "servers", *arguments]
    began = time.monotonic()
    with log_path.open("w") as log:
        process: subprocess.Popen | WarmProcess | None = None
        if warm is not None and warm.can_start(own_env):
            log.write(f"suite: $ {' '.join(command)}  (forked from the warm process)\n")
            log.flush()
            try:
                process = warm.start(arguments, own_env, log_path)
            except WarmStartError as error:  # the run goes on without it (warm.py says so once, on stderr)
                log.write(f"suite: {error}\nsuite: starting this server on its own instead\n")
        if process is None:
            log.write(f"suite: $ {' '.join(command)}\n")
            log.flush()
            # LITSERVE_SUITE_PARENT_PID: the server stops itself if this process dies
            env = interpreter_environment({**own_env, "LITSERVE_SUITE_PARENT_PID": str(os.getpid())})
            process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
    server = RunningServer(spec, port, process, log_path, temp_dir, started_in_seconds=0.0, launched_at=began)
    if not wait_until_ready:
        server.health_log = HealthLog(server.base_url, server.auth_headers, server.is_alive, began,
                                      give_up_after=ready_timeout, path=spec.settings.health_path).start()
        return server
    try:
        _wait_until_ready(server, ready_timeout)
    except BaseException:
        server.stop()
        raise
    server.started_in_seconds = time.monotonic() - began
    return server


def _wait_until_ready(server: RunningServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    pause = 0.02
    erring_since: float | None = None   # when /health began answering 500 in a row
    with httpx.Client(timeout=2.0, headers=server.auth_headers, verify=False) as client:
        while True:
            if not server.is_alive():
                refusal = litserve_refusal(server.process.returncode, server.log_text())
                if refusal:
                    raise ConfigurationRefused(f"LitServe refused the model's configuration: server "
                                               f"'{server.spec.label}' exited before it was ready: {refusal}")
                raise ServerStartError(
                    f"server '{server.spec.label}' exited with code {server.process.returncode} before it was ready.\n"
                    f"Log {server.log_path}:\n{server.log_tail()}"
                )
            try:
                status = client.get(server.health_url).status_code
            except httpx.HTTPError:
                status = 0
            if status == 200:
                return
            erring_since = (erring_since or time.monotonic()) if status == 500 else None
            if erring_since is not None and time.monotonic() - erring_since > HEALTH_ERROR_SECONDS:
                raise HealthCheckBroken(
                    f"server '{server.spec.label}' never became ready: the health check answered 500 for "
                    f"{HEALTH_ERROR_SECONDS:.0f} s (LitServe's /health crashed instead of answering 200 or 503).\n"
                    f"Log {server.log_path}:\n{server.log_tail()}")
            if time.monotonic() > deadline:
                raise ServerStartError(
                    f"server '{server.spec.label}' was not healthy within {timeout:.0f} s on port {server.port}.\n"
                    f"Log {server.log_path}:\n{server.log_tail()}"
                )
            time.sleep(pause)
            pause = min(pause * 1.5, 0.05)


@functools.lru_cache(maxsize=None)
def _covers(serving: ServerSpec, asked: ServerSpec) -> bool:
    """:meth:`ServerSpec.covers`, remembered: the pool asks it of every pair of specs, again for each step."""
    if (serving.app, serving.fault) != (asked.app, asked.fault):
        return False
    app = catalog.app_named(serving.app)
    return app.without_extras(serving.settings) == app.without_extras(asked.settings) and all(
        getattr(asked.settings, name) in (getattr(serving.settings, name), getattr(AppSettings(), name))
        for name in app.extras)


def _running(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _quietly(action) -> None:
    try:
        action()
    except psutil.Error:
        pass
