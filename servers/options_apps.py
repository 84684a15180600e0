"""The app of the LitServer options deployments switch on, and of models at the edges: ``options``.

``{"client": "client-1", "input": 3}`` at ``/predict`` (and at ``/second``, a second LitAPI on the same
server) -> ``{"client": ..., "output": 9, "worker": <pid>, "transport": "zmq" | "mp", "endpoint": ...}``:
which inference worker served the request and which transport carried it to the worker (read from the
worker loop's own arguments, so a ``fast_queue`` that LitServe silently drops shows). A request may ask
the model to hold it (``"hold_ms": 400``: a long generation) or to raise (``"raise": "own"`` its own
exception class, ``"with-args"`` one whose constructor takes two arguments, ``"unpicklable"`` one that
cannot be pickled).

The LitServer options of :func:`server_options`: ``callbacks`` (:class:`HookRecorder`: one
``suite: trace hook {...}`` log line per hook call, with the process, time and active-request count),
``middlewares`` (:class:`NamedMiddleware`, each adding its name to the ``x-suite-middlewares`` answer
header in the order the request passed them, and logging each pass), ``fast_queue``,
``track_requests``, custom health and info paths, model metadata, no OpenAPI schema, no timeout, the
shutdown API and ``workers_per_device`` per API. An option the installed release does not have is left
out with a ``suite:`` line saying so (the scenarios about it apply from the release that has it).
"""

from __future__ import annotations

import os
import sys
import threading
import time

import litserve as ls

from servers.base import InstrumentedAPI
from servers.compat import CALLBACK_BASE, litserve_version, split_server_kwargs
from servers.settings import AppSettings
from servers.trace import MIDDLEWARE_HEADER, report

PATHS = ("/predict", "/second")


class OwnModelError(Exception):
    """The model's own exception class."""


class ErrorWithArgs(Exception):
    """An exception whose constructor takes two arguments (pickle calls it with one: the message)."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"model error {code}: {reason}")
        self.code, self.reason = code, reason


class UnpicklableError(Exception):
    """An exception holding a lock: it cannot be pickled to travel back to the API server."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.lock = threading.Lock()


_RAISES = {"own": lambda: OwnModelError("the model's own error"), "with-args": lambda: ErrorWithArgs(7, "bad input"),
           "unpicklable": lambda: UnpicklableError("cannot travel")}


def _transport() -> str:
    """"zmq" when a ZeroMQ object is among the worker loop's locals up the stack, else "mp"."""
    frame = sys._getframe(1)
    while frame is not None:
        for value in list(frame.f_locals.values()):
            kind = type(value)
            if "zmq" in f"{kind.__module__}.{kind.__name__}".lower():
                return "zmq"
        frame = frame.f_back
    return "mp"


class OptionsAPI(InstrumentedAPI):
    """Square that says which worker and transport served it; it holds or raises on request."""

    def decode_request(self, request: dict):
        if "input" not in request:
            raise ValueError("the request has no input")
        return request

    def predict(self, request: dict) -> dict:
        if request.get("hold_ms"):
            time.sleep(int(request["hold_ms"]) / 1000)
        if request.get("raise"):
            raise _RAISES[request["raise"]]()
        value = request["input"]
        return {"client": request.get("client", ""), "output": value * value, "worker": os.getpid(),
                "transport": _transport(), "endpoint": getattr(self, "api_path", PATHS[0])}

    def encode_response(self, output: dict) -> dict:
        return output

    def health(self) -> bool:
        if self.settings.health_mode == "raises":
            raise RuntimeError("the model's health check failed")
        if self.settings.health_mode.startswith("slow:"):
            time.sleep(int(self.settings.health_mode[5:]) / 1000)
        return super().health()


def build(settings: AppSettings) -> list[ls.LitAPI] | ls.LitAPI:
    """The two LitAPIs of the options server, at ``/predict`` and ``/second``; releases before 0.2.11 serve one
    LitAPI per server, so there only ``/predict``."""
    first = OptionsAPI(settings, api_path=PATHS[0])
    if "api_path" in first.server_kwargs:  # this LitAPI takes no api_path: one LitAPI per server
        print(f"suite: litserve {litserve_version()} serves one LitAPI per server: serving only /predict", flush=True)
        first.server_kwargs.pop("api_path")
        return first
    if litserve_version() == "0.2.11":
        # 0.2.11's /health crashes with several LitAPIs (several-apis-health-crashes-*, features/several_endpoints):
        # the options are what these features are about, so that release gets the one LitAPI it can serve
        print("suite: litserve 0.2.11's health check breaks with several LitAPIs: serving only /predict", flush=True)
        return first
    return [first, *(OptionsAPI(settings, api_path=path) for path in PATHS[1:])]


class HookRecorder(CALLBACK_BASE):
    """Logs every hook call: ``suite: trace hook {"hook": ..., "pid": ..., "at": ..., "active": ...}``."""

    def _record(self, hook: str, **kwargs) -> None:
        active = kwargs.get("active_requests")
        report("hook", hook=hook, pid=os.getpid(), at=time.monotonic(), active=active)


_HOOKS = ("on_request", "on_before_decode_request", "on_after_decode_request", "on_before_predict",
          "on_after_predict", "on_before_encode_response", "on_after_encode_response", "on_response")
for _hook in _HOOKS:
    setattr(HookRecorder, _hook, lambda self, *args, _name=_hook, **kwargs: self._record(_name, **kwargs))


class NamedMiddleware:
    """A pure ASGI middleware that logs each pass and adds its name to :data:`MIDDLEWARE_HEADER`."""

    def __init__(self, app, name: str) -> None:
        self.app, self.name = app, name

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        passed = scope.setdefault("suite_middlewares", [])
        passed.append(self.name)
        report("middleware", name=self.name, at=time.monotonic())

        async def send_with_names(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.decode().lower() != MIDDLEWARE_HEADER]
                message = {**message, "headers": headers + [(MIDDLEWARE_HEADER.encode(), ",".join(passed).encode())]}
            await send(message)

        await self.app(scope, receive, send_with_names)


def _workers_per_device(settings: AppSettings):
    """``workers_per_api`` ("list:2,1" or "dict:2,1", in the order of :data:`PATHS`) as LitServe takes it."""
    form, _, counts = settings.workers_per_api.partition(":")
    numbers = [int(n) for n in counts.split(",")]
    return numbers if form == "list" else dict(zip(PATHS, numbers))


def server_options(settings: AppSettings) -> dict:
    """The LitServer options these settings switch on, without those the installed release lacks."""
    wanted: dict = {}
    if settings.fast_queue:
        wanted["fast_queue"] = True
    if settings.callbacks:
        wanted["callbacks"] = [HookRecorder()]
    if settings.middlewares:
        wanted["middlewares"] = [(NamedMiddleware, {"name": f"m{n}"}) for n in range(1, settings.middlewares + 1)]
    if settings.track_requests:
        wanted["track_requests"] = True
    if settings.healthcheck_path:
        wanted["healthcheck_path"] = settings.healthcheck_path
    if settings.info_path:
        wanted["info_path"] = settings.info_path
    if settings.model_metadata:
        wanted["model_metadata"] = dict(pair.split("=", 1) for pair in settings.model_metadata.split(","))
    if settings.disable_openapi:
        wanted["disable_openapi_url"] = True
    if settings.shutdown_key:
        wanted["enable_shutdown_api"] = True
    if settings.workers_per_api:
        wanted["workers_per_device"] = _workers_per_device(settings)
    return _known_to_litserve(wanted)


def _known_to_litserve(wanted: dict) -> dict:
    accepted, left_out = split_server_kwargs(wanted)
    missing = sorted(left_out)
    if "workers_per_device" in accepted and not isinstance(accepted["workers_per_device"], int) \
            and not hasattr(ls.LitServer, "_resolve_workers_per_device_config"):
        missing.append("workers_per_device per API")
        accepted["workers_per_device"] = 1
    if missing:
        print(f"suite: litserve {litserve_version()} has no {', '.join(missing)}: serving without", flush=True)
    return accepted
