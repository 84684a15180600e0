"""The answers of a server's ``/health`` from the moment its process is launched, recorded in a thread.

A server launched before it is ready (a scenario watches it come up, or LitServe refuses to start
it) gets this record at launch. A scenario that reads it later, even one whose server was started
ahead of it (``harness/serving/prestart.py``), so sees every answer from the first one.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

import httpx

#: Status recorded when nothing accepts the connection (yet).
NO_CONNECTION = "no connection"


class HealthLog:
    """Polls ``/health`` every ``pause`` seconds until it answers 200, the process exits, the record is
    closed or ``give_up_after`` seconds have passed since launch."""

    def __init__(self, base_url: str, headers: dict[str, str], is_alive: Callable[[], bool], launched_at: float,
                 give_up_after: float, pause: float = 0.05, path: str = "/health") -> None:
        self._url = f"{base_url}{path}"
        self._headers = headers
        self._is_alive = is_alive
        self._give_up_at = launched_at + give_up_after
        self._pause = pause
        self._answers: list[tuple[float, str]] = []
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self.finished = threading.Event()
        self._thread = threading.Thread(target=self._record, name=f"health log {base_url}", daemon=True)

    def start(self) -> "HealthLog":
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop recording (the server is being stopped)."""
        self._closed.set()
        self._thread.join(timeout=5.0)

    def answers_at(self) -> list[tuple[float, str]]:
        """(monotonic time, status or "no connection") of every answer so far."""
        with self._lock:
            return list(self._answers)

    def _record(self) -> None:
        try:
            with httpx.Client(timeout=1.0, headers=self._headers, verify=False) as client:
                while not self._closed.is_set():
                    try:
                        status = str(client.get(self._url).status_code)
                    except httpx.HTTPError:
                        status = NO_CONNECTION
                    at = time.monotonic()
                    with self._lock:
                        self._answers.append((at, status))
                    if status == "200" or not self._is_alive() or at > self._give_up_at:
                        return
                    self._closed.wait(self._pause)
        finally:
            self.finished.set()
