"""The warm process: one interpreter that has imported LitServe and the apps, and forks a server on request.

Starting a server the plain way (``python -m servers <app> ...``) spends about 0.8 of its 2 CPU seconds
importing LitServe and FastAPI in the server's main process. ``python -m servers --warm`` does those imports
once; for each server the suite wants, it forks, and the child goes on exactly as ``python -m servers <app>``
would after its imports (``servers/__main__.py:main``): same ``__main__`` module (so LitServe's spawned
inference workers import what they import under the plain start), own session, own log, own ``TMPDIR``.
LitServe itself is not changed: it still spawns its inference workers as fresh interpreters.

What cannot differ from the plain start is what LitServe reads when it is imported: the API keys
(``LIT_SERVER_API_KEY``, ``LIT_SHUTDOWN_API_KEY``) are empty in the warm process, so a server that needs
one is started the plain way (``harness/serving/warm.py`` decides).

Protocol, one JSON object per line: the suite writes ``{"argv": [...], "env": {...}, "log": path}`` on
stdin; the warm process answers ``{"ready": pid}`` once, then ``{"started": pid}`` for each request, in
order, and ``{"exited": pid, "code": code}`` when a server it forked ends (``code`` as
``subprocess.Popen.returncode``: negative for a signal). It exits when its stdin closes; servers it
forked then notice they are orphaned and shut down (``servers/__main__.py``).
"""

from __future__ import annotations

import json
import os
import select
import sys
import tempfile

#: The first argument of ``python -m servers`` that makes it the warm process.
WARM_FLAG = "--warm"
#: How often, at most, the warm process looks for servers that ended (seconds).
REAP_INTERVAL = 0.05


def serve_forks() -> list[str]:
    """Run the warm process: fork a server for each request on stdin.

    Returns only in a forked child, with the arguments that child serves (as ``python -m servers`` would
    get them); the warm process itself exits when its stdin closes.
    """
    replies = os.dup(1)
    os.dup2(2, 1)  # anything printed from now on goes to the warm process's log, not into the replies
    _reply(replies, {"ready": os.getpid()})
    pending = b""
    while True:
        readable, _, _ = select.select([0], [], [], REAP_INTERVAL)
        _report_exits(replies)
        if not readable:
            continue
        chunk = os.read(0, 65536)
        if not chunk:
            raise SystemExit(0)
        pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            request = json.loads(line)
            pid = os.fork()
            if pid == 0:
                os.close(replies)
                return _become_server(request)
            _reply(replies, {"started": pid})


def _become_server(request: dict) -> list[str]:
    """In the forked child: the session, files and environment a plain start would have."""
    os.setsid()
    log = os.open(request["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(devnull)
    os.close(log)
    os.environ.update(request["env"])
    os.environ["LITSERVE_SUITE_PARENT_PID"] = str(os.getppid())  # the warm process: it lives as long as the suite
    tempfile.tempdir = None  # TMPDIR is read again (the private temp dir of this server)
    sys.argv = [sys.argv[0], *request["argv"]]
    return list(request["argv"])


def _report_exits(replies: int) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _reply(replies, {"exited": pid, "code": os.waitstatus_to_exitcode(status)})


def _reply(fd: int, message: dict) -> None:
    os.write(fd, (json.dumps(message) + "\n").encode())
