"""Start servers by forking them from the warm process (``servers/warm_start.py``) instead of a new interpreter.

A plain start (``python -m servers <app>``) costs about 2 CPU seconds, 0.8 of them importing LitServe in the
server's main process; forked from the warm process, which has imported it once, a server is ready in about
1.2 s instead of 2.0 (medians of 6 starts side by side). A default run starts about 60 servers on 2 cores.

:class:`WarmStarter` runs the warm process and hands out :class:`WarmProcess` objects, which answer what the
launcher asks of a ``subprocess.Popen`` (``pid``, ``poll``, ``wait``, ``returncode``, signals): the servers
are the warm process's children, so it reaps them and reports their exit codes. A server whose environment
LitServe reads when it is imported (an API key) cannot be forked from it: :meth:`WarmStarter.can_start`
says no, and the launcher starts it the plain way. So does ``-D warm_start=no``, and every run that
measures performance or load (their baselines were measured with plainly started servers).
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

from harness.paths import REPO_ROOT, pythonpath_with_repo
from servers.warm_start import WARM_FLAG

#: The environment variables LitServe reads when it is imported: a server that needs them set starts plainly.
READ_AT_IMPORT = ("LIT_SERVER_API_KEY", "LIT_SHUTDOWN_API_KEY")
#: How long the warm process may take to import LitServe and answer a request.
ANSWER_SECONDS = 60.0


def interpreter_environment(changes: dict[str, str]) -> dict[str, str]:
    """The environment of a server interpreter the suite starts (plain, or the warm process): the suite's own,
    unbuffered, with the repository importable, and ``changes`` on top."""
    return {**os.environ, "PYTHONUNBUFFERED": "1", **changes,
            "PYTHONPATH": pythonpath_with_repo(os.environ.get("PYTHONPATH"))}


class WarmStartError(RuntimeError):
    """The warm process is gone or did not answer; the message says what to do."""


class WarmProcess:
    """A server forked by the warm process, seen as the launcher sees a ``subprocess.Popen``."""

    def __init__(self, starter: "WarmStarter", pid: int) -> None:
        self._starter = starter
        self.pid = pid
        self.returncode: int | None = None
        #: ``time.time()`` when the warm process reported the exit (None while it runs).
        self.ended_at: float | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self._record(self._starter.exit_of(self.pid, timeout=0))
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            self._record(self._starter.exit_of(self.pid, timeout=timeout))
        if self.returncode is None:
            raise subprocess.TimeoutExpired(f"server {self.pid}", timeout)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            try:
                os.kill(self.pid, signum)
            except ProcessLookupError:
                pass

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def _record(self, ended: tuple[int, float] | None) -> None:
        if ended is not None:
            self.returncode, self.ended_at = ended


class WarmStarter:
    """The warm process of a run: started once (it imports LitServe in the background), closed at the end."""

    def __init__(self, log_path: Path) -> None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log_path = log_path
        env = interpreter_environment({"LITSERVE_SUITE_FAULT": "",  # each server gets its own fault
                                       **{name: "" for name in READ_AT_IMPORT}})
        with log_path.open("w") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "servers", WARM_FLAG], cwd=REPO_ROOT, env=env, stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=log, start_new_session=True)
        self._lock = threading.Lock()  # one request at a time: the warm process answers them in order
        self._answers: queue.Queue[dict] = queue.Queue()
        self._exits: dict[int, tuple[int, float]] = {}
        self._exited = threading.Condition()
        self._gone = False
        self._failed = False  # once it has failed, servers start on their own (said once, on stderr)
        self._ready = False  # it has imported LitServe and said so
        threading.Thread(target=self._read_replies, name="warm process replies", daemon=True).start()

    @property
    def pid(self) -> int:
        """The warm process's pid (the parent of every server it forks)."""
        return self._process.pid

    def can_start(self, env: dict[str, str]) -> bool:
        """Whether a server with ``env`` can be forked: LitServe's import-time variables must be unset or empty,
        and the warm process must not have failed."""
        return not self._failed and not any(env.get(name) for name in READ_AT_IMPORT)

    def start(self, argv: list[str], env: dict[str, str], log_path: Path) -> WarmProcess:
        """Fork a server that runs ``python -m servers *argv`` with ``env`` set, writing to ``log_path``."""
        with self._lock:
            if not self._ready:
                self._answer("ready")
                self._ready = True
            self._send({"argv": argv, "env": env, "log": str(log_path)})
            return WarmProcess(self, self._answer("started"))

    def exit_of(self, pid: int, timeout: float | None) -> tuple[int, float] | None:
        """(exit code, when) of the server ``pid`` once it ended, waiting up to ``timeout`` seconds (None: no limit)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._exited:
            while pid not in self._exits:
                if self._gone:  # its servers were handed to init, which reaps them: the exit code is lost
                    return None if psutil.pid_exists(pid) else (-signal.SIGKILL, time.time())
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return None
                self._exited.wait(0.1 if left is None else min(left, 0.1))
            return self._exits[pid]

    def close(self) -> None:
        """Let the warm process exit (after the run has stopped its servers)."""
        try:
            self._process.stdin.close()
        except OSError:
            pass
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def _send(self, message: dict) -> None:
        try:
            self._process.stdin.write((json.dumps(message) + "\n").encode())
            self._process.stdin.flush()
        except (BrokenPipeError, ValueError):
            raise self._failure("it is no longer running") from None

    def _answer(self, kind: str) -> int:
        try:
            answer = self._answers.get(timeout=ANSWER_SECONDS)
        except queue.Empty:
            raise self._failure(f"it did not answer within {ANSWER_SECONDS:.0f} s") from None
        if kind not in answer:
            raise self._failure(f"it exited with code {self._process.wait()}")
        return answer[kind]

    def _read_replies(self) -> None:
        for line in self._process.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue  # something an import printed before the replies began
            if not isinstance(message, dict):
                continue
            if "exited" in message:
                with self._exited:
                    self._exits[message["exited"]] = (message["code"], time.time())
                    self._exited.notify_all()
            elif "ready" in message or "started" in message:
                if "started" in message:
                    with self._exited:  # the pid of a server that ended earlier in the run, given to a new one
                        self._exits.pop(message["started"], None)
                self._answers.put(message)
        with self._exited:
            self._gone = True
            self._exited.notify_all()
        self._answers.put({})  # a request still waiting for an answer fails at once

    def _failure(self, what: str) -> WarmStartError:
        if not self._failed:
            self._failed = True
            print(f"suite: the warm process failed ({what}); the run's servers start on their own from now on "
                  f"(log: {self.log_path})", file=sys.stderr, flush=True)
        tail = "\n".join(self.log_path.read_text(errors="replace").splitlines()[-20:]) if self.log_path.exists() else ""
        return WarmStartError(f"the warm process that forks servers failed: {what}. Its log {self.log_path}:\n"
                              f"{tail}\nRun with -D warm_start=no to start every server as a process of its own.")

