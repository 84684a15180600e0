"""Run the same instrumented apps on every LitServe release from 0.2.0 to the newest.

The apps are written for the newest LitServe. Older releases differ in where settings go and
in what ``run`` accepts; this module bridges those differences by looking at the installed
release's own signatures (not at version numbers), so on the newest release it changes nothing:

* ``LitAPI(max_batch_size=, batch_timeout=)`` exists from 0.2.9 and ``LitAPI(stream=)`` from
  0.2.11. A setting the installed ``LitAPI.__init__`` does not take goes to
  ``LitServer(...)`` instead, which accepts it in every release (deprecated in newer ones).
* ``run(host=)`` exists from 0.2.4. Older releases hard-code ``host="0.0.0.0"`` in
  ``uvicorn.Config``; the suite still keeps its servers on 127.0.0.1 by pinning the host
  of every ``uvicorn.Config`` made in the server process.
* ``run(generate_client_file=)`` is passed only where the release has it.
* ``litserve.Logger`` exists from 0.2.3 on. The metrics app subclasses :data:`LOGGER_BASE`, which
  is ``litserve.Logger`` where it exists, so that the apps still import on 0.2.0 - 0.2.2 (the
  monitoring feature itself applies from 0.2.3 on); there the servers that would count requests in
  metrics for it run without (``servers.deployment_apps.loggers_for``).
* LitServe 0.2.0 - 0.2.11 do not stop their API server processes when ``run`` is interrupted: its
  ``finally`` stops the inference workers and shuts the multiprocessing manager down, nothing else
  (0.2.12 terminates them too, in ``LitServer._perform_graceful_shutdown``). Left running without the
  manager, each one spins at full CPU (``MPQueueTransport.areceive`` answers every failed ``get`` with
  ``None`` and the response loop asks again), and the main process waits for them at exit.
  :func:`track_api_servers` notes the processes ``run`` starts, :func:`stop_api_servers_left_running`
  terminates those still alive once ``run`` is over; on releases that stop them it finds nothing to do.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

import litserve as ls

HOST = "127.0.0.1"


class _NoLogger:
    """Stands in for ``litserve.Logger`` on releases without it: refuses to be made, saying why."""

    def __init__(self, *args, **kwargs) -> None:
        raise RuntimeError(f"litserve {litserve_version()} has no litserve.Logger (it exists from 0.2.3 on): "
                           "the metrics app cannot run on this release")


#: The base class of the suite's loggers: ``litserve.Logger``, or a stand-in on releases before 0.2.3.
LOGGER_BASE: type = getattr(ls, "Logger", _NoLogger)
#: ``litserve.Callback`` exists from 0.2.3 on (the callbacks scenarios are tagged for it); on older releases
#: the options app's hook recorder subclasses ``object``, so that every step module still imports there.
CALLBACK_BASE: type = getattr(ls, "Callback", object)


def server_option_exists(name: str) -> bool:
    """True if the installed LitServe's ``LitServer`` takes the option ``name``."""
    return name in split_server_kwargs({name: None})[0]


def litserve_version() -> str:
    return getattr(ls, "__version__", "unknown")


def _accepted(func, names: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split ``names`` into those ``func`` names as parameters and the rest (``**kwargs`` does not count:
    old ``run`` methods pass it on to uvicorn)."""
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return {}, dict(names)
    taken = {k: v for k, v in names.items() if k in params}
    return taken, {k: v for k, v in names.items() if k not in params}


def split_server_kwargs(kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(options the installed LitServer takes, the ones it does not have)``."""
    return _accepted(ls.LitServer.__init__, kwargs)


def split_litapi_kwargs(kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(for LitAPI.__init__, for LitServer.__init__)`` on the installed release."""
    init = ls.LitAPI.__init__
    if init is object.__init__:
        return {}, dict(kwargs)
    return _accepted(init, kwargs)


def run_kwargs(server: "ls.LitServer", port: int) -> dict[str, Any]:
    """Keyword arguments for ``server.run`` on the installed release: 127.0.0.1, no client file."""
    wanted = {"host": HOST, "port": port, "generate_client_file": False}
    taken, _ = _accepted(server.run, wanted)
    if "host" not in taken:
        _pin_uvicorn_host()
    return taken


#: The API server processes (or threads) that LitServer.run started in this process (see :func:`track_api_servers`).
_API_SERVERS: list = []


def track_api_servers(server: "ls.LitServer") -> None:
    """Note the API servers that ``server.run`` starts (what its ``_start_server`` returns, in every release).

    The class's method is wrapped, not the instance's: LitServe pickles the server object for its
    workers (0.2.0 with ``OpenAISpec``), and a function made here cannot be pickled.
    """
    cls = type(server)
    start = getattr(cls, "_start_server", None)
    if start is None or getattr(start, "_suite_tracks_api_servers", False):
        return

    @functools.wraps(start)
    def start_and_track(self, *args, **kwargs):
        workers = start(self, *args, **kwargs)
        _API_SERVERS.extend(workers.values() if isinstance(workers, dict) else workers or [])
        return workers

    start_and_track._suite_tracks_api_servers = True
    cls._start_server = start_and_track


def stop_api_servers_left_running(timeout: float = 5.0) -> list[int]:
    """Terminate the API server processes that ``run`` left alive after it returned or was interrupted
    (LitServe 0.2.0 - 0.2.11); return their pids (none on releases that stop them themselves)."""
    import multiprocessing

    left = [w for w in _API_SERVERS if isinstance(w, multiprocessing.process.BaseProcess) and w.is_alive()]
    for process in left:
        process.terminate()
    for process in left:
        process.join(timeout)
        if process.is_alive():
            process.kill()
            process.join(timeout)
    if left:
        print(f"suite: litserve {litserve_version()} left {len(left)} API server process(es) running after its "
              f"shutdown; the suite terminated them: {[p.pid for p in left]}", flush=True)
    return [p.pid for p in left]


def _pin_uvicorn_host() -> None:
    """Releases before 0.2.4 bind 0.0.0.0 with no way to change it; bind 127.0.0.1 instead."""
    import uvicorn

    original = uvicorn.Config.__init__
    if getattr(original, "_suite_pinned", False):
        return

    def init(self, *args, host: str = HOST, **kwargs):
        original(self, *args, host=HOST, **kwargs)

    init._suite_pinned = True
    uvicorn.Config.__init__ = init


def _default_batch_takes_lists() -> bool:
    """From 0.2.2 the default ``batch`` passes a plain list through; 0.2.0 and 0.2.1 accept only tensors/arrays."""
    probe = type("_Probe", (), {"stream": False, "_spec": None, "__init__": lambda self: None})()
    try:
        ls.LitAPI.batch(probe, [1, 2])
    except NotImplementedError:
        return False
    except Exception:  # noqa: BLE001 - any other failure: leave the release's own methods alone
        return True
    return True


def give_list_batching(batched: tuple[type, ...] = (), streaming: tuple[type, ...] = ()) -> None:
    """On releases whose default ``batch``/``unbatch`` reject plain lists (0.2.0, 0.2.1), give the classes
    the list behaviour that later releases have by default: ``batch`` keeps the list, ``unbatch`` makes a
    list of the outputs (for a batched stream, a generator yielding one list per step, as those releases
    require). On newer releases this does nothing."""
    if _default_batch_takes_lists():
        return

    def batch(self, inputs):
        return inputs

    def unbatch(self, output):
        return list(output)

    def unbatch_stream(self, output):
        for step in output:
            yield list(step)

    for cls in batched:
        cls.batch, cls.unbatch = batch, unbatch
    for cls in streaming:
        cls.batch, cls.unbatch = batch, unbatch_stream


def loop_response() -> Any:
    """``LoopResponseType.REGULAR`` (``LitLoop.put_response``'s ``response_type``, from 0.2.11 on)."""
    from litserve.utils import LoopResponseType  # absent before 0.2.11: only a custom loop asks for it

    return LoopResponseType.REGULAR
