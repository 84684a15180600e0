"""Keep one running server per distinct (app, settings, fault) and stop them all at the end.

Scenarios that need the same app with the same settings share one server; a scenario that
needs a server of its own (fault scenarios) asks for a fresh one, stopped when it ends.
A shared server can be started ahead of the scenario that needs it (``harness/serving/prestart.py``):
it starts in the background and is handed over when a step asks for it.
"""

from __future__ import annotations

import atexit
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from harness.serving.launcher import RunningServer, ServerSpec, StopReport, start_server
from harness.paths import SERVER_LOGS_DIR

#: Servers started ahead at the same time (one per core of the machines the suite is made for).
STARTS_AHEAD_AT_ONCE = 2


class ServerPool:
    """Servers shared across scenarios, keyed by their spec."""

    def __init__(self, log_dir: Path = SERVER_LOGS_DIR) -> None:
        self.log_dir = log_dir
        self._shared: dict[ServerSpec, RunningServer] = {}
        self._asked_by: dict[ServerSpec, set[str]] = {}
        self._retiring: list[threading.Thread] = []
        self._all: list[RunningServer] = []
        self._lock = threading.Lock()
        self._starting: dict[ServerSpec, Future] = {}
        self._starter = ThreadPoolExecutor(STARTS_AHEAD_AT_ONCE, thread_name_prefix="start ahead")
        atexit.register(self.stop_all)

    def shared(self, spec: ServerSpec, asked_by: str = "") -> RunningServer:
        """The running server for ``spec``, started on first use. A dead one is replaced.

        ``asked_by`` names what asked for it (a step's text), for :meth:`retire_unneeded`.
        """
        with self._lock:
            self._asked_by.setdefault(spec, set()).add(asked_by)
            pending = self._starting.pop(spec, None)
        if pending is not None:
            started = pending.result()  # a server that failed to start fails the step that needs it
            with self._lock:
                self._shared[spec] = started
        with self._lock:
            server = self._shared.get(spec)
            if server is not None and server.is_alive():
                return server
            if server is not None:
                server.stop()
            server = self._start(spec)
            self._shared[spec] = server
            return server

    def start_ahead(self, spec: ServerSpec, asked_by: str) -> None:
        """Start the shared server for ``spec`` in the background, unless it runs or is starting already."""
        with self._lock:
            self._asked_by.setdefault(spec, set()).add(asked_by)
            if spec in self._shared or spec in self._starting:
                return
            self._starting[spec] = self._starter.submit(self._start, spec)

    def wait_for_starts(self) -> None:
        """Return once no server is being started ahead (before a scenario that measures)."""
        with self._lock:
            pending = list(self._starting.values())
        for future in pending:
            future.exception()

    def fresh(self, spec: ServerSpec, wait_until_ready: bool = True) -> RunningServer:
        """A server of its own for one scenario; the caller stops it (``@fixture.fresh_server`` does)."""
        with self._lock:
            return self._start(spec, wait_until_ready)

    def retire_unneeded(self, still_needed: set[str]) -> list[RunningServer]:
        """Stop, in the background, shared servers that nothing in ``still_needed`` asks for."""
        with self._lock:
            retired = [spec for spec in self._shared if not self._asked_by.get(spec, set()) & still_needed]
            servers = [self._shared.pop(spec) for spec in retired]
        for server in servers:
            thread = threading.Thread(target=server.stop, name=f"stop {server.spec.label}", daemon=True)
            thread.start()
            self._retiring.append(thread)
        return servers

    def stop_all(self) -> list[StopReport]:
        """Stop every server this pool started, in parallel (after the starts ahead have ended)."""
        self._starter.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            self._shared.clear()
            self._starting.clear()
        stopping = [threading.Thread(target=server.stop, daemon=True) for server in self._all]
        for thread in stopping:
            thread.start()
        for thread in stopping + self._retiring:
            thread.join()
        return [server.stop() for server in self._all]

    def _start(self, spec: ServerSpec, wait_until_ready: bool = True) -> RunningServer:
        server = start_server(spec, self.log_dir, wait_until_ready=wait_until_ready)
        self._all.append(server)
        return server
