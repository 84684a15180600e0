"""Start one instrumented app: ``python -m servers <app> --port N [--settings JSON]``.

``python -m servers --warm`` is the warm process (``servers/warm_start.py``): it forks servers on request, and
each forked child carries on here as if started with its own arguments.

The process binds 127.0.0.1 only, writes no client file, and shuts LitServe down
gracefully (as on Ctrl-C) when it receives SIGTERM or when the process that started it dies.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback

import litserve as ls

from servers import catalog, compat, faults, reference, warm_start
from servers.deployment_apps import loggers_for
from servers.options_apps import server_options
from servers.settings import AppSettings


def _parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m servers", description=__doc__)
    parser.add_argument("app", help=f"one of {sorted(catalog.CATALOG)} (servers/catalog.py)")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--settings", default="{}", help="JSON object of AppSettings fields")
    return parser.parse_args(argv)


def _interrupt_on_sigterm() -> None:
    """Turn SIGTERM into KeyboardInterrupt (LitServe's graceful-shutdown path) in the main process.

    Forked children inherit the handler; they get the default behaviour back.
    """
    main_pid = os.getpid()

    def handler(signum, frame):
        if os.getpid() != main_pid:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)
            return
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def _stop_when_orphaned(parent_pid: int) -> None:
    """If the suite dies without stopping us (even by SIGKILL), shut down by ourselves.

    ``parent_pid`` comes from the launcher (``LITSERVE_SUITE_PARENT_PID``), not from ``os.getppid()``
    at this point: the suite may already have died while this process was still importing LitServe.
    """

    def watch():
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


def _optional_server_kwargs(settings: AppSettings) -> dict:
    """LitServer options that are passed only when a scenario sets them (LitServe's defaults otherwise)."""
    kwargs: dict = {}
    if settings.max_payload_size:
        kwargs["max_payload_size"] = settings.max_payload_size
    if settings.restart_workers:
        kwargs["restart_workers"] = True
    return kwargs


#: Exit code of a server that LitServe refused to build (``LitServer(...)`` or ``LitAPI(...)`` raised).
REFUSED_EXIT_CODE = 3


def _raised_in_litserve(error: BaseException) -> str:
    """`` (raised in litserve/specs/openai.py)`` when LitServe's own code raised ``error``; "" otherwise."""
    frames = traceback.extract_tb(error.__traceback__)
    where = frames[-1].filename.replace(os.sep, "/") if frames else ""
    return f" (raised in litserve/{where.rsplit('/litserve/', 1)[1]})" if "/litserve/" in where else ""


def _build_server(app: catalog.App, settings: AppSettings) -> ls.LitServer:
    """The LitServer of ``app``: one LitAPI or several (several endpoints), with the scenario's options."""
    built = app.build(settings)
    apis = built if isinstance(built, list) else [built]
    kwargs = {"workers_per_device": settings.workers, "timeout": settings.timeout or False,
              **_optional_server_kwargs(settings), **apis[0].server_kwargs, **server_options(settings)}
    loggers = loggers_for(settings)
    if loggers:
        kwargs["loggers"] = loggers
    return ls.LitServer(built, accelerator="cpu", **kwargs)


def _optional_run_kwargs(settings: AppSettings) -> dict:
    """``run`` options passed only when a scenario sets them."""
    return {"num_api_servers": settings.api_servers} if settings.api_servers else {}


def _prometheus_multiprocess_dir() -> None:
    """prometheus_client's multiprocess mode, in the server's private temp dir (removed with the server).

    LitServe's logger process counts and its API server processes answer /metrics; they share the
    counter through files in this directory. Set before anything imports prometheus_client.
    """
    directory = os.path.join(tempfile.gettempdir(), "prometheus-multiproc")
    os.makedirs(directory, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == [warm_start.WARM_FLAG]:
        argv = warm_start.serve_forks()  # returns in a forked child only, with that server's arguments
    args = _parse_args(argv)
    try:
        app = catalog.app_named(args.app)
        settings = app.check(AppSettings.from_dict(json.loads(args.settings)))
    except ValueError as error:
        raise SystemExit(f"suite: {error}") from None
    if settings.api_key != os.environ.get("LIT_SERVER_API_KEY", ""):
        # LitServe reads its API key from the environment when it is imported, so it cannot be set here.
        raise SystemExit("the api_key setting must also be in the environment variable LIT_SERVER_API_KEY "
                         "(harness.serving.launcher sets it); they differ")
    if not app.litserve:  # the bare FastAPI app: no LitServe, no fault
        _stop_when_orphaned(int(os.environ.get("LITSERVE_SUITE_PARENT_PID") or os.getppid()))
        return reference.serve(args.app, args.port, app.build(settings))
    faults.apply_from_environment()
    os.environ[faults.SERVER_PID_VARIABLE] = str(os.getpid())  # spawned inference workers re-apply the fault
    if settings.metrics:
        _prometheus_multiprocess_dir()
    try:
        server = _build_server(app, settings)
    except (ValueError, TypeError) as error:
        # LitServe refuses this configuration (a documented refusal, e.g. async with batching): say so in
        # one line, without a traceback, so that the launcher and the scenario report it plainly.
        print(f"suite: LitServe refused to start app {args.app!r} with {settings.changed()}: "
              f"{type(error).__name__}: {error}{_raised_in_litserve(error)}", flush=True)
        return REFUSED_EXIT_CODE
    _interrupt_on_sigterm()
    parent_pid = int(os.environ.get("LITSERVE_SUITE_PARENT_PID") or os.getppid())
    try:
        _stop_when_orphaned(parent_pid)  # may interrupt at once: the suite may be gone already
        print(f"suite: starting app {args.app!r} on 127.0.0.1:{args.port} with {settings.changed()} "
              f"(litserve {compat.litserve_version()})", flush=True)
        compat.track_api_servers(server)
        server.run(**compat.run_kwargs(server, args.port), **_optional_run_kwargs(settings))
        print("suite: server stopped", flush=True)
    finally:
        compat.stop_api_servers_left_running()  # 0.2.0 - 0.2.11 leave them running (servers/compat.py)
        _remove_private_tmpdir_if_orphaned(parent_pid)
    return 0


def _remove_private_tmpdir_if_orphaned(parent_pid: int) -> None:
    """The launcher removes a server's private TMPDIR; if the launcher is gone, the server does it itself."""
    tmpdir = os.environ.get("TMPDIR", "")
    if os.getppid() != parent_pid and os.path.basename(tmpdir).startswith("litserve-suite-"):
        shutil.rmtree(tmpdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
