"""What a server's process tree holds: memory, open files, and the TCP connections clients keep to it.

The suite's servers are :class:`harness.serving.launcher.RunningServer` (their tree is known); a
deployed LitServe given with ``-D target=URL`` is found by the process listening on its port, if
it runs on this machine (else it cannot be measured: :func:`tree_of_port` returns ``[]``).
"""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import psutil


@dataclass(frozen=True)
class Footprint:
    """One reading of a process tree."""

    at: float               # time.monotonic()
    processes: int
    rss_mb: float           # resident memory of all processes of the tree
    open_files: int         # file descriptors of all processes of the tree (sockets included)

    def as_dict(self) -> dict:
        return {"processes": self.processes, "rss_mb": round(self.rss_mb, 1), "open_files": self.open_files}


def footprint(tree: list[psutil.Process]) -> Footprint:
    """Memory and file descriptors of ``tree`` now (processes that ended meanwhile are left out)."""
    rss, fds, alive = 0, 0, 0
    for proc in tree:
        try:
            with proc.oneshot():
                rss += proc.memory_info().rss
                fds += proc.num_fds()
            alive += 1
        except psutil.Error:
            continue
    return Footprint(time.monotonic(), alive, rss / 2 ** 20, fds)


def tree_of_port(port: int) -> list[psutil.Process]:
    """The process listening on ``port`` on this machine and its descendants ([] if none is found)."""
    for conn in psutil.net_connections(kind="tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port and conn.pid:
            root = psutil.Process(conn.pid)
            while root.parent() is not None and _listens(root.parent(), port):
                root = root.parent()
            return [root, *root.children(recursive=True)]
    return []


def _listens(proc: psutil.Process, port: int) -> bool:
    try:
        return any(c.laddr and c.laddr.port == port and c.status == psutil.CONN_LISTEN for c in proc.net_connections())
    except psutil.Error:
        return False


def established_to(port: int) -> int:
    """Established TCP connections whose server side is ``port`` (counted once, from the server's side)."""
    return sum(1 for c in psutil.net_connections(kind="tcp")
               if c.status == psutil.CONN_ESTABLISHED and c.laddr and c.laddr.port == port)


@dataclass
class Watch:
    """Readings of a server tree (and, if ``port`` is given, of its connections) every ``every`` seconds."""

    tree: Callable[[], list[psutil.Process]]
    port: int = 0
    every: float = 1.0
    readings: list[Footprint] = field(default_factory=list)
    connections: list[tuple[float, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "Watch":
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while True:
            self.readings.append(footprint(self.tree()))
            if self.port:
                self.connections.append((time.monotonic(), established_to(self.port)))
            if self._stop.wait(self.every):
                return

    @property
    def most_connections(self) -> int:
        return max((count for _, count in self.connections), default=0)

    def between(self, start: float, end: float) -> list[Footprint]:
        return [r for r in self.readings if start <= r.at < end]


def median_footprint(readings: list[Footprint]) -> Footprint:
    """The median memory and open files of several readings (one passing spike does not count)."""
    if not readings:
        raise ValueError("no reading of the server's processes in that period")
    return Footprint(readings[-1].at, max(r.processes for r in readings),
                     statistics.median(r.rss_mb for r in readings),
                     int(statistics.median(r.open_files for r in readings)))
