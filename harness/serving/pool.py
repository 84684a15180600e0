"""Keep one running server per distinct (app, settings, fault) and stop them all at the end.

Scenarios that need the same app with the same settings share one server (settings are compared as
values, whatever the sentence that asked for them; a server with an extra such as metrics on also
serves a scenario that does not ask for it); a scenario that
needs a server of its own (fault scenarios) asks for a fresh one, stopped in the background when
it ends. Both kinds can be started ahead of the scenario that needs them
(``harness/serving/prestart.py``): they start in the background and are handed over when a step
asks for them; a fresh server started ahead has served nobody before it is handed over.
"""

from __future__ import annotations

import atexit
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Iterable

from harness.serving.launcher import RunningServer, ServerSpec, StopReport, start_server
from harness.paths import SERVER_LOGS_DIR

#: Servers started ahead at the same time (one per core of the machines the suite is made for).
STARTS_AHEAD_AT_ONCE = 2


class ServerPool:
    """Servers shared across scenarios, keyed by their spec."""

    def __init__(self, log_dir: Path = SERVER_LOGS_DIR, start: Callable[..., RunningServer] = start_server) -> None:
        self.log_dir = log_dir
        self._start_server = start
        self._shared: dict[ServerSpec, RunningServer] = {}
        self._asked_by: dict[ServerSpec, set[str]] = {}
        self._retiring: list[threading.Thread] = []
        self._all: list[RunningServer] = []
        self._lock = threading.Lock()
        self._records_lock = threading.Lock()  # guards _all and _retiring
        self._starting: dict[ServerSpec, Future] = {}
        #: Fresh servers started ahead and not yet handed over: (owner, (spec, ready), start), oldest first.
        self._fresh_ahead: list[tuple[int, tuple[ServerSpec, bool], Future]] = []
        self._starter = ThreadPoolExecutor(STARTS_AHEAD_AT_ONCE, thread_name_prefix="start ahead")
        #: The shared servers the run will ask for (:meth:`expect`).
        self._expected: dict[ServerSpec, None] = {}
        #: Every spec the pool has seen, and (remembered) which of them cover a spec: see :meth:`_coverers`.
        self._known: dict[ServerSpec, None] = {}
        self._covered_by: dict[ServerSpec, list[ServerSpec]] = {}
        atexit.register(self.stop_all)

    def expect(self, asked: Iterable[tuple[ServerSpec, str]]) -> None:
        """Note the shared servers the run will ask for, with the step that asks (the plan of
        ``harness/serving/prestart.py``), so that a scenario asking for a spec that one of them covers
        (:meth:`ServerSpec.covers`: the same with an extra such as metrics on) is served by that one, whichever
        comes first, and that server is kept until the last step that asks for it (:meth:`retire_unneeded`)."""
        asked = list(asked)
        with self._lock:
            self._expected = dict.fromkeys(spec for spec, _ in asked)
            self._known.update(self._expected)
            self._covered_by.clear()
            for spec, asked_by in asked:
                self._asked_by.setdefault(self._serving(spec), set()).add(asked_by)

    def _serving(self, spec: ServerSpec) -> ServerSpec:
        """The spec of the shared server that serves ``spec``: a running, starting or expected one that covers it,
        else ``spec`` itself. Called with ``self._lock`` held."""
        coverers = self._coverers(spec)
        for servers in (self._shared, self._starting, self._expected):
            for candidate in coverers:
                if candidate in servers:
                    return candidate
        return spec

    def _coverers(self, spec: ServerSpec) -> list[ServerSpec]:
        """The specs seen so far that cover ``spec`` (other than itself). Remembered: the prestarter asks before
        every scenario for the dozens of servers ahead. Called with ``self._lock`` held."""
        if spec not in self._known:
            self._known[spec] = None
            self._covered_by.clear()  # the new spec may cover some seen before
        if spec not in self._covered_by:
            self._covered_by[spec] = [known for known in self._known if known != spec and known.covers(spec)]
        return self._covered_by[spec]

    def shared(self, spec: ServerSpec, asked_by: str = "") -> RunningServer:
        """The running server for ``spec``, started on first use. A dead one is replaced.

        ``asked_by`` names what asked for it (a step's text), for :meth:`retire_unneeded`. A server that covers
        ``spec`` (:meth:`_serving`) serves it.
        """
        with self._lock:
            spec = self._serving(spec)
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
        """Start the shared server for ``spec`` in the background, unless it (or one covering it) runs or is
        starting already."""
        with self._lock:
            spec = self._serving(spec)
            self._asked_by.setdefault(spec, set()).add(asked_by)
            if spec in self._shared or spec in self._starting:
                return
            self._starting[spec] = self._starter.submit(self._start, spec)

    def start_fresh_ahead(self, spec: ServerSpec, owner: int, wait_until_ready: bool = True) -> None:
        """Start, in the background, a fresh server for ``spec`` that the scenario ``owner`` will ask for
        (``wait_until_ready=False``: only launched, as :meth:`fresh` would)."""
        with self._lock:
            start = self._starter.submit(self._start, spec, wait_until_ready)
            self._fresh_ahead.append((owner, (spec, wait_until_ready), start))

    def started_ahead(self) -> int:
        """How many servers were started ahead (or are starting) and have not been handed over yet."""
        with self._lock:
            return len(self._starting) + len(self._fresh_ahead)

    def wait_for_starts(self) -> None:
        """Return once no server is being started ahead (before a scenario that measures)."""
        with self._lock:
            pending = [*self._starting.values(), *(start for _, _, start in self._fresh_ahead)]
        for future in pending:
            future.exception()

    def fresh(self, spec: ServerSpec, wait_until_ready: bool = True) -> RunningServer:
        """A server of its own for one scenario; the caller stops it (``@fixture.fresh_server`` does).

        One started ahead for ``spec`` (ready, or only launched with ``wait_until_ready=False``) is
        handed over if there is one; else one starts now.
        """
        with self._lock:
            index = next((i for i, (_, kind, _) in enumerate(self._fresh_ahead) if kind == (spec, wait_until_ready)),
                         None)
            pending = self._fresh_ahead.pop(index)[2] if index is not None else None
        if pending is not None:
            return pending.result()  # a server that failed to start fails the step that needs it
        return self._start(spec, wait_until_ready)

    def discard_fresh_ahead(self, owners_before: int) -> None:
        """Stop, in the background, fresh servers started ahead for scenarios before ``owners_before``
        that never asked for them (a scenario skipped, or failed before its Given)."""
        with self._lock:
            unclaimed = [start for owner, _, start in self._fresh_ahead if owner < owners_before]
            self._fresh_ahead = [entry for entry in self._fresh_ahead if entry[0] >= owners_before]
        for start in unclaimed:
            start.add_done_callback(self._stop_once_started)

    def _stop_once_started(self, start: Future) -> None:
        if not start.cancelled() and start.exception() is None:
            self.stop_in_background(start.result())

    def stop_in_background(self, server: RunningServer) -> None:
        """Stop ``server`` in a thread of its own; :meth:`stop_all` waits for it."""
        thread = threading.Thread(target=server.stop, name=f"stop {server.spec.label}", daemon=True)
        thread.start()
        with self._records_lock:
            self._retiring.append(thread)

    def retire_unneeded(self, still_needed: set[str]) -> list[RunningServer]:
        """Stop, in the background, shared servers that nothing in ``still_needed`` asks for."""
        with self._lock:
            retired = [spec for spec in self._shared if not self._asked_by.get(spec, set()) & still_needed]
            servers = [self._shared.pop(spec) for spec in retired]
        for server in servers:
            self.stop_in_background(server)
        return servers

    def stop_all(self) -> list[StopReport]:
        """Stop every server this pool started, in parallel (after the starts ahead have ended)."""
        self._starter.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            self._shared.clear()
            self._starting.clear()
            self._fresh_ahead.clear()
        with self._records_lock:
            servers = list(self._all)
        stopping = [threading.Thread(target=server.stop, daemon=True) for server in servers]
        for thread in stopping:
            thread.start()
        with self._records_lock:
            retiring = list(self._retiring)
        for thread in stopping + retiring:
            thread.join()
        return [server.stop() for server in servers]

    def _start(self, spec: ServerSpec, wait_until_ready: bool = True) -> RunningServer:
        server = self._start_server(spec, self.log_dir, wait_until_ready=wait_until_ready)
        with self._records_lock:  # not self._lock: shared() holds that while it starts a server
            self._all.append(server)
        return server
