"""Keep one running server per distinct (app, settings, fault) and stop them all at the end.

Scenarios that need the same app with the same settings share one server; a scenario that
needs a server of its own (fault scenarios) asks for a fresh one, stopped when it ends.
"""

from __future__ import annotations

import atexit
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from harness.launcher import RunningServer, ServerSpec, StopReport, start_server
from harness.paths import SERVER_LOGS_DIR


class ServerPool:
    """Servers shared across scenarios, keyed by their spec."""

    def __init__(self, log_dir: Path = SERVER_LOGS_DIR) -> None:
        self.log_dir = log_dir
        self._shared: dict[ServerSpec, RunningServer] = {}
        self._all: list[RunningServer] = []
        self._lock = threading.Lock()
        atexit.register(self.stop_all)

    def shared(self, spec: ServerSpec) -> RunningServer:
        """The running server for ``spec``, started on first use. A dead one is replaced."""
        with self._lock:
            server = self._shared.get(spec)
            if server is not None and server.is_alive():
                return server
            if server is not None:
                server.stop()
            server = self._start(spec)
            self._shared[spec] = server
            return server

    def fresh(self, spec: ServerSpec) -> RunningServer:
        """A server of its own for one scenario; the caller stops it (see :meth:`release`)."""
        with self._lock:
            return self._start(spec)

    def release(self, server: RunningServer) -> StopReport:
        return server.stop()

    @property
    def started(self) -> list[RunningServer]:
        return list(self._all)

    def stop_all(self) -> list[StopReport]:
        """Stop every server this pool started, in parallel."""
        with self._lock:
            running = [s for s in self._all if s.stop_report is None]
            self._shared.clear()
        if not running:
            return []
        with ThreadPoolExecutor(max_workers=len(running)) as executor:
            return list(executor.map(RunningServer.stop, running))

    def _start(self, spec: ServerSpec) -> RunningServer:
        server = start_server(spec, self.log_dir)
        self._all.append(server)
        return server
