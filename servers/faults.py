"""Regressions injected into LitServe on purpose, to prove that the features catch them.

``LITSERVE_SUITE_FAULT=<name>`` in a server's environment applies the fault inside that server
process (and in the inference workers LitServe spawns from it) before LitServe starts:

    LITSERVE_SUITE_FAULT=batching_off .venv/bin/behave features/dynamic_batching.feature

The self-check (``tests/test_self_check.py``) runs each fault's features against it and
expects them to fail, and to pass without it.

How to add a fault
------------------
Write a function that monkeypatches the installed LitServe, and register it::

    @fault("batching_off",
           features=["dynamic_batching", "streaming_batching"],   # feature files (stems) that must catch it
           requires=["litserve.loops.base.collate_requests",     # what it patches must exist ...
                     ("litserve.loops.simple_loops.BatchedLoop.run_batched_loop", "self.get_batch_requests(")])
    def batching_off():                                           # ... and its source must contain this text
        \"\"\"One request per predict call, whatever max_batch_size says.\"\"\"   # first line: the table's summary
        ...

* ``features``: the features the self-check runs against the fault; each must fail.
* ``requires``: dotted names (module, then attributes) that must exist in the installed
  LitServe; a ``(name, text)`` pair also requires the object's source to contain ``text``.
  When a LitServe release changes those internals, :func:`check` raises :class:`NotApplicable`
  and the self-check reports the fault as "not applicable" instead of passing silently.
* The function runs in the server's main process (so forked API servers inherit the patch) and
  again in every inference worker LitServe spawns (``servers/__init__.py``), before the worker
  unpickles the API. Import LitServe modules inside the function, not at the top of this file.
* A fault must break LitServe the way its summary says, not crash the server: a crash proves
  nothing. Check by hand with the server log or a request before adding it to the registry.
"""

from __future__ import annotations

import importlib
import inspect
import os
import dataclasses
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Union

FAULT_VARIABLE = "LITSERVE_SUITE_FAULT"
#: Set by ``servers/__main__.py`` to its own pid: processes spawned from a suite server re-apply the fault.
SERVER_PID_VARIABLE = "LITSERVE_SUITE_SERVER_PID"

Requirement = Union[str, tuple[str, str]]


class NotApplicable(Exception):
    """The installed LitServe lacks the internals this fault patches."""


@dataclass(frozen=True)
class Fault:
    name: str
    apply: Callable[[], None]
    features: tuple[str, ...]
    requires: tuple[Requirement, ...] = field(default_factory=tuple)
    scenarios: str = ""      # optional: only the scenarios whose name matches (behave -n), for the self-check
    in_workers: bool = True  # re-applied in spawned inference workers (servers/__init__.py)

    @property
    def summary(self) -> str:
        return (inspect.getdoc(self.apply) or self.name).splitlines()[0]

    def check(self) -> None:
        """Raise :class:`NotApplicable` if the installed LitServe lacks what this fault patches."""
        for requirement in self.requires:
            name, text = (requirement, "") if isinstance(requirement, str) else requirement
            target = resolve(name)
            if text:
                try:
                    source = inspect.getsource(target)
                except (OSError, TypeError) as error:
                    raise NotApplicable(f"cannot read the source of {name}: {error}") from None
                if text not in source:
                    raise NotApplicable(f"{name} does not contain {text!r}")


#: Fault name -> Fault. Filled by the @fault decorator below, in the order of this file.
FAULTS: dict[str, Fault] = {}


def fault(name: str, *, features: Iterable[str], requires: Iterable[Requirement] = ()) -> Callable:
    """Register the decorated function as the fault ``name`` (see the module docstring)."""

    def register(func: Callable[[], None]) -> Callable[[], None]:
        if name in FAULTS:
            raise ValueError(f"fault {name!r} is registered twice")
        FAULTS[name] = Fault(name, func, tuple(features), tuple(requires))
        return func

    return register


def resolve(dotted: str) -> Any:
    """Import the longest module prefix of ``dotted`` and walk the rest as attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            try:
                target = getattr(target, attr)
            except AttributeError:
                raise NotApplicable(f"{dotted}: {'.'.join(parts[:cut])} has no {attr!r}") from None
        return target
    raise NotApplicable(f"{dotted}: no such module")


_applied: set[str] = set()


def apply(name: str) -> Fault:
    """Check and apply the fault ``name`` in this process (once)."""
    if name not in FAULTS:
        raise SystemExit(f"unknown fault {name!r}; known faults are {sorted(FAULTS)}")
    selected = FAULTS[name]
    if name not in _applied:
        try:
            selected.check()
        except NotApplicable as error:
            raise SystemExit(f"fault {name!r} does not apply to the installed LitServe: {error}") from None
        selected.apply()
        _applied.add(name)
    return selected


def apply_from_environment() -> None:
    """Apply the fault named in the environment, if any (the server's main process)."""
    name = os.environ.get(FAULT_VARIABLE, "").strip()
    if not name:
        return
    apply(name)
    print(f"suite: fault {name!r} injected", flush=True)


def apply_in_spawned_worker() -> None:
    """In a process spawned by a suite server (LitServe's inference workers), apply the same fault."""
    server_pid = os.environ.get(SERVER_PID_VARIABLE, "")
    name = os.environ.get(FAULT_VARIABLE, "").strip()
    if name and server_pid and server_pid != str(os.getpid()) and name in FAULTS and FAULTS[name].in_workers:
        apply(name)


# ---------------------------------------------------------------------------------------------
# Failure-mode features (features/failure_*.feature): regressions in how LitServe fails.
# Each one breaks a behaviour that a failure scenario guards; see README "Failure modes".
# Faults that must act inside the inference worker (a spawned process, which does not inherit
# patches) replace LitServe's worker entry point with _worker_with_fault, which re-applies the
# worker half of the fault in the child before running LitServe's own worker.

WORKER_FAULTS: dict[str, Callable[[], None]] = {}


def _worker_with_fault(*args, **kwargs):
    """Entry point of a spawned inference worker under a worker-side fault (picklable by reference)."""
    from litserve.loops import loops

    WORKER_FAULTS[os.environ["LITSERVE_SUITE_FAULT"].strip()]()
    return loops.inference_worker(*args, **kwargs)


def _patch_worker_entry() -> None:
    import litserve.server

    litserve.server.inference_worker = _worker_with_fault


def _error_details_leak() -> None:
    """A model error reaches the client with its message and a stack trace."""
    import pickle
    import traceback

    from fastapi import HTTPException
    from litserve import server

    original = server.RegularRequestHandler._handle_error_response

    def leaky(response):
        try:
            error = pickle.loads(response) if isinstance(response, bytes) else response
        except Exception:
            error = response
        if isinstance(error, Exception) and not isinstance(error, HTTPException):
            trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
            raise HTTPException(status_code=500, detail=f"Traceback (most recent call last): {error!r}\n{trace}")
        return original(response)

    server.RegularRequestHandler._handle_error_response = staticmethod(leaky)


def _model_status_lost() -> None:
    """An HTTPException raised by the model becomes a plain 500."""
    from fastapi import HTTPException
    from litserve import server

    def flatten(response):
        raise HTTPException(status_code=500, detail="Internal server error")

    server.RegularRequestHandler._handle_error_response = staticmethod(flatten)


def _queue_timeout_ignored() -> None:
    """LitServer's timeout is never applied: requests wait in the queue for as long as it takes."""
    from litserve import server

    def no_timeout(self, timeout):
        for lit_api in self.lit_apis:
            lit_api.request_timeout = -1

    server._LitAPIConnector.set_request_timeout = no_timeout


def _ready_before_setup() -> None:
    """Workers report ready before the model's setup has run."""
    _patch_worker_entry()


def _ready_before_setup_in_worker() -> None:
    from litserve.loops import loops
    from litserve.utils import WorkerSetupStatus

    original = loops.inference_worker

    def early(lit_api, device, worker_id, request_queue, transport, workers_setup_status, *rest):
        workers_setup_status[f"{lit_api.api_path.split('/')[-1]}_{worker_id}"] = WorkerSetupStatus.READY
        return original(lit_api, device, worker_id, request_queue, transport, workers_setup_status, *rest)

    loops.inference_worker = early


def _model_health_ignored() -> None:
    """The health check ignores the model's own health() answer."""
    from fastapi import Depends, Response
    from litserve import server
    from litserve.utils import WorkerSetupStatus

    original = server.LitServer._register_internal_endpoints

    def register(self):
        original(self)
        self.app.router.routes = [r for r in self.app.router.routes if getattr(r, "path", None) != self.healthcheck_path]

        async def health() -> Response:
            ready = bool(self.workers_setup_status) and all(
                v == WorkerSetupStatus.READY for v in self.workers_setup_status.values())
            return Response(content="ok" if ready else "not ready", status_code=200 if ready else 503)

        self.app.add_api_route(self.healthcheck_path, health, methods=["GET"],
                               dependencies=[Depends(self.setup_auth())])

    server.LitServer._register_internal_endpoints = register


def _api_key_ignored() -> None:
    """The API key is not checked."""
    from litserve import server

    server.LitServer.setup_auth = lambda self, lit_api=None: server.no_auth


def _payload_limit_ignored() -> None:
    """max_payload_size is not enforced."""
    from litserve import middlewares

    async def passthrough(self, scope, receive, send):
        await self.app(scope, receive, send)

    middlewares.MaxSizeMiddleware.__call__ = passthrough


def _body_never_validated() -> None:
    """LitServe ignores the request type the model declares and parses every body itself."""
    from fastapi import Request
    from litserve import server

    original = server.LitServer._register_api_endpoints
    server.LitServer._register_api_endpoints = lambda self, lit_api, request_type, response_type: original(
        self, lit_api, Request, response_type)


def _dead_worker_ignored() -> None:
    """Nobody watches the inference workers: a dead worker is neither replaced nor reported."""
    from litserve import server

    server.LitServer._start_worker_monitoring = lambda self, manager, uvicorn_workers: None


def _stream_error_as_chunk() -> None:
    """When a stream fails, the raw error payload is sent to the client as one more chunk."""
    from litserve import server
    from litserve.utils import LitAPIStatus

    async def data_streamer(q, data_available, send_status=False):
        while True:
            await data_available.wait()
            while len(q) > 0:
                data, status = q.popleft()
                if status == LitAPIStatus.FINISH_STREAMING:
                    return
                if status == LitAPIStatus.ERROR:
                    yield b"\n" + (data if isinstance(data, bytes) else str(data).encode()) + b"\n"
                    return
                yield data
            data_available.clear()

    server.LitServer.data_streamer = staticmethod(data_streamer)


def _batch_outputs_padded() -> None:
    """A batch answered with too few outputs is padded with copies of the last one."""
    _patch_worker_entry()


def _batch_outputs_padded_in_worker() -> None:
    from litserve.loops import simple_loops

    original = simple_loops._inject_context

    def inject(context, func, *args, **kwargs):
        result = original(context, func, *args, **kwargs)
        if getattr(func, "__name__", "") == "unbatch" and isinstance(context, list) and 0 < len(result) < len(context):
            result = list(result) + [result[-1]] * (len(context) - len(result))
        return result

    simple_loops._inject_context = inject


def _timeout_cuts_running_requests() -> None:
    """LitServer's timeout is applied to the whole request, cutting off requests the model is serving."""
    import asyncio

    from fastapi import HTTPException
    from litserve import server

    original = server.RegularRequestHandler.handle_request

    async def handle_request(self, request, request_type):
        try:
            return await asyncio.wait_for(original(self, request, request_type), self.server.timeout)
        except asyncio.TimeoutError:
            raise HTTPException(504, "Request timed out") from None

    server.RegularRequestHandler.handle_request = handle_request


def _any_method_accepted() -> None:
    """The prediction endpoint answers every HTTP method, not only POST."""
    from fastapi import FastAPI

    original = FastAPI.add_api_route

    def add_api_route(self, path, endpoint, *args, methods=None, **kwargs):
        if methods == ["POST"]:
            methods = ["POST", "GET", "PUT"]
        return original(self, path, endpoint, *args, methods=methods, **kwargs)

    FastAPI.add_api_route = add_api_route


_FAILURE_MODE_FAULTS = {
    "timeout-cuts-running-requests": _timeout_cuts_running_requests,
    "any-method-accepted": _any_method_accepted,
    "error-details-leak": _error_details_leak,
    "model-status-lost": _model_status_lost,
    "queue-timeout-ignored": _queue_timeout_ignored,
    "ready-before-setup": _ready_before_setup,
    "model-health-ignored": _model_health_ignored,
    "api-key-ignored": _api_key_ignored,
    "payload-limit-ignored": _payload_limit_ignored,
    "body-never-validated": _body_never_validated,
    "dead-worker-ignored": _dead_worker_ignored,
    "stream-error-as-chunk": _stream_error_as_chunk,
    "batch-outputs-padded": _batch_outputs_padded,
}
WORKER_FAULTS.update({
    "ready-before-setup": _ready_before_setup_in_worker,
    "batch-outputs-padded": _batch_outputs_padded_in_worker,
})

#: Where each failure-mode fault must be caught: feature file and a part of the scenario name
#: (behave ``-n``). Every scenario selected must fail when the fault is injected.
FAILURE_MODE_FAULT_TARGETS: dict[str, tuple[str, str]] = {
    "error-details-leak": ("features/failure_model_errors.feature", "short error|batch whose predict fails"),
    "model-status-lost": ("features/failure_model_errors.feature", "refuses gets the model's own status"),
    "batch-outputs-padded": ("features/failure_model_errors.feature", "wrong number of answers"),
    "body-never-validated": ("features/failure_bad_input.feature", "declares a JSON object"),
    "any-method-accepted": ("features/failure_bad_input.feature", "declares a JSON object"),
    "payload-limit-ignored": ("features/failure_bad_input.feature", "over the configured size limit"),
    "stream-error-as-chunk": ("features/failure_streams.feature", "fails midway delivers|batched stream that fails"),
    "queue-timeout-ignored": ("features/failure_timeouts.feature", "longer than the timeout get 504"),
    "timeout-cuts-running-requests": ("features/failure_timeouts.feature", "longer than the timeout to serve"),
    "ready-before-setup": ("features/failure_health_and_access.feature", "takes 2 seconds to load"),
    "model-health-ignored": ("features/failure_health_and_access.feature", "reports itself unhealthy"),
    "api-key-ignored": ("features/failure_health_and_access.feature", "only requests with the right key"),
    "dead-worker-ignored": ("features/failure_worker_faults.feature", "idle server whose worker dies|starts a new one"),
}


for _name, _apply in _FAILURE_MODE_FAULTS.items():
    _feature, _scenarios = FAILURE_MODE_FAULT_TARGETS.get(_name, ("", ""))
    FAULTS[_name] = Fault(_name, _apply, (_feature.removeprefix("features/").removesuffix(".feature"),) if _feature else (),
                          scenarios=_scenarios, in_workers=False)  # worker halves: WORKER_FAULTS above


# --- helpers shared by the faults --------------------------------------------------------------


class _Overridden:
    """``lit_api`` as seen by LitServe's batch collector, with some attributes replaced."""

    def __init__(self, api: Any, **overrides: Any) -> None:
        self._api = api
        self._overrides = overrides

    def __getattr__(self, name: str) -> Any:
        if name in self._overrides:
            return self._overrides[name]
        return getattr(self._api, name)


def _collate_with(overrides: Callable[[Any], dict]) -> None:
    """Make LitServe's batch collector (``collate_requests``) see ``overrides(lit_api)`` instead of the real values.
    The batched loop calls it through ``litserve.loops.base``, the batched streaming loop through its own import."""
    import litserve.loops.base as base
    import litserve.loops.streaming_loops as streaming

    original = base.collate_requests

    def collate_requests(loop, lit_api, request_queue, transport):
        return original(loop, _Overridden(lit_api, **overrides(lit_api)), request_queue, transport)

    base.collate_requests = collate_requests
    streaming.collate_requests = collate_requests


def _wrap_hook_calls(wrap: Callable[[str, Any, Any], Any]) -> None:
    """Route the batched loops' calls of LitAPI hooks through ``wrap(hook_name, context, result)``.

    The loops call every hook through ``_inject_context(context, hook, *args)``; ``wrap`` gets the
    hook's name, the context passed (a list of dicts in batched loops) and the hook's result.
    """
    import litserve.loops.simple_loops as simple
    import litserve.loops.streaming_loops as streaming

    original = simple._inject_context

    def _inject_context(context, func, *args, **kwargs):
        name = getattr(func, "__name__", "")
        if name == "batch":
            wrap("before batch", context, None)
        result = original(context, func, *args, **kwargs)
        return wrap(name, context, result)

    simple._inject_context = _inject_context
    streaming._inject_context = _inject_context


def _streamer(transform: Callable) -> None:
    """Replace the API server's stream writer (``LitServer.data_streamer``) by ``transform(original_generator)``."""
    from litserve.server import LitServer

    original = LitServer.data_streamer

    async def data_streamer(q, data_available, send_status: bool = False):
        async for item in transform(original(q, data_available, send_status)):
            yield item

    LitServer.data_streamer = staticmethod(data_streamer)


_COLLATE = ["litserve.loops.base.collate_requests", "litserve.loops.streaming_loops.collate_requests",
            ("litserve.loops.base.collate_requests", "lit_api.batch_timeout"),
            ("litserve.loops.base.collate_requests", "lit_api.max_batch_size"),
            ("litserve.loops.simple_loops.BatchedLoop.run_batched_loop", "self.get_batch_requests("),
            ("litserve.loops.base.LitLoop.get_batch_requests", "collate_requests("),
            ("litserve.loops.streaming_loops.BatchedStreamingLoop.run_batched_streaming_loop", "collate_requests(")]
_HOOKS = ["litserve.loops.simple_loops._inject_context", "litserve.loops.streaming_loops._inject_context",
          ("litserve.loops.simple_loops.BatchedLoop.run_batched_loop", "_inject_context(contexts, lit_api.batch"),
          ("litserve.loops.simple_loops.BatchedLoop.run_batched_loop", "_inject_context(contexts, lit_api.unbatch"),
          ("litserve.loops.streaming_loops.BatchedStreamingLoop.run_batched_streaming_loop",
           "_inject_context(contexts, lit_api.batch"),
          ("litserve.loops.streaming_loops.BatchedStreamingLoop.run_batched_streaming_loop",
           "_inject_context(contexts, lit_api.unbatch")]
_STREAMER = [("litserve.server.LitServer.data_streamer", "LitAPIStatus.FINISH_STREAMING"),
             ("litserve.server.StreamingRequestHandler.handle_request", "self.server.data_streamer(")]

BATCHING = ["dynamic_batching", "streaming_batching"]
STREAMING = ["single_streaming", "streaming_batching"]


# --- the faults -------------------------------------------------------------------------------


@fault("batching_off", features=BATCHING, requires=_COLLATE)
def batching_off() -> None:
    """Batching off: one request per predict call, whatever max_batch_size says."""
    _collate_with(lambda api: {"max_batch_size": 1})


@fault("batch_size_exceeded", features=BATCHING, requires=_COLLATE)
def batch_size_exceeded() -> None:
    """Batches of up to max_batch_size + 1 requests."""
    _collate_with(lambda api: {"max_batch_size": api.max_batch_size + 1})


@fault("window_ignored", features=["dynamic_batching"], requires=_COLLATE)
def window_ignored() -> None:
    """Batch window ignored: batches take only what is already waiting (batch_timeout treated as 0)."""
    _collate_with(lambda api: {"batch_timeout": 0.0})


@fault("window_stretched", features=["dynamic_batching"], requires=_COLLATE)
def window_stretched() -> None:
    """Batch window stretched: LitServe waits twice the batch_timeout for a batch to fill."""
    _collate_with(lambda api: {"batch_timeout": api.batch_timeout * 2})


@fault("answers_swapped", features=BATCHING, requires=_HOOKS)
def answers_swapped() -> None:
    """Answers swapped: the first two outputs of every batch (every step of a batched stream) change places."""

    def swap(items: list) -> list:
        items = list(items)
        if len(items) >= 2:
            items[0], items[1] = items[1], items[0]
        return items

    def wrap(hook: str, context, result):
        if hook != "unbatch":
            return result
        if isinstance(result, list):
            return swap(result)
        return (swap(step) for step in result)  # a batched stream: one list per step

    _wrap_hook_calls(wrap)


@fault("context_mixed", features=BATCHING, requires=_HOOKS)
def context_mixed() -> None:
    """Contexts mixed up: after decode_request, each request of a batch gets its neighbour's context."""

    def wrap(hook: str, context, result):
        if hook == "before batch" and isinstance(context, list) and len(context) >= 2:
            context[:] = context[1:] + context[:1]
        return result

    _wrap_hook_calls(wrap)


@fault("stream_buffered", features=STREAMING, requires=_STREAMER)
def stream_buffered() -> None:
    """Stream buffered: the server collects the whole stream before it sends the first chunk."""

    async def buffered(chunks):
        collected = [chunk async for chunk in chunks]
        for chunk in collected:
            yield chunk

    _streamer(buffered)


@fault("last_chunk_dropped", features=STREAMING, requires=_STREAMER)
def last_chunk_dropped() -> None:
    """Last chunk dropped: every stream ends cleanly but without its last chunk."""

    async def all_but_last(chunks):
        held = None
        async for chunk in chunks:
            if held is not None:
                yield held
            held = chunk

    _streamer(all_but_last)


@fault("chunks_reordered", features=STREAMING, requires=_STREAMER)
def chunks_reordered() -> None:
    """Chunks reordered: the first two chunks of every stream are sent in swapped order."""

    async def first_two_swapped(chunks):
        first = None
        index = 0
        async for chunk in chunks:
            if index == 0:
                first = chunk
            elif index == 1:
                yield chunk
                yield first
                first = None
            else:
                yield chunk
            index += 1
        if first is not None:
            yield first

    _streamer(first_two_swapped)


# --- load faults (features/load.feature, features/load_soak.feature; branch locust) --------------
# Regressions that only show under production-shaped load. The load features are opt-in
# (@load, @soak), so prove one by hand with the tags:
#   LITSERVE_SUITE_FAULT=concurrency_capped .venv/bin/behave features/load.feature --tags=@load -n thousand

LOAD = ["load"]
_REGULAR_HANDLER = [("litserve.server.RegularRequestHandler.handle_request", "self.server.response_buffer[uid]")]


@fault("concurrency_capped", features=LOAD,
       requires=[("litserve.server.LitServer._start_server", "uvicorn.Config(")])
def concurrency_capped() -> None:
    """The API server caps open connections at 256 (uvicorn's limit_concurrency): clients beyond it get 503."""
    import uvicorn

    original = uvicorn.Config.__init__

    def capped(self, *args, **kwargs):
        kwargs.setdefault("limit_concurrency", 256)
        original(self, *args, **kwargs)

    uvicorn.Config.__init__ = capped


@fault("payload_limit_by_default", features=LOAD,
       requires=[("litserve.server.LitServer.__init__", "max_payload_size"), "litserve.middlewares.MaxSizeMiddleware"])
def payload_limit_by_default() -> None:
    """Without max_payload_size, LitServe refuses bodies over 10 MB (413) instead of accepting any size."""
    from litserve import server

    original = server.LitServer.__init__

    def with_default_limit(self, *args, max_payload_size=None, **kwargs):
        original(self, *args, max_payload_size=max_payload_size or 10 * 2 ** 20, **kwargs)

    server.LitServer.__init__ = with_default_limit


@fault("requests_shed_when_busy", features=LOAD, requires=_REGULAR_HANDLER)
def requests_shed_when_busy() -> None:
    """An API server with 16 requests waiting answers 503 to the next ones instead of queueing them."""
    from fastapi import HTTPException
    from litserve import server

    original = server.RegularRequestHandler.handle_request

    async def shedding(self, request, request_type):
        if len(self.server.response_buffer) >= 16:
            raise HTTPException(status_code=503, detail="server busy")
        return await original(self, request, request_type)

    server.RegularRequestHandler.handle_request = shedding


@fault("descriptor_leaked_per_request", features=LOAD, requires=_REGULAR_HANDLER)
def descriptor_leaked_per_request() -> None:
    """Every answered request leaves one file descriptor open in the API server (a leak that grows forever)."""
    from litserve import server

    original = server.RegularRequestHandler.handle_request
    leaked = []

    async def leaking(self, request, request_type):
        leaked.append(open(os.devnull, "rb"))  # noqa: SIM115  (the leak is the point)
        return await original(self, request, request_type)

    server.RegularRequestHandler.handle_request = leaking


# The self-check runs only the load scenarios that catch each load fault (behave -n), not the whole feature.
for _name, _scenarios in {"concurrency_capped": "thousand", "payload_limit_by_default": "50 MB",
                          "requests_shed_when_busy": "burst", "descriptor_leaked_per_request": "thousand"}.items():
    FAULTS[_name] = dataclasses.replace(FAULTS[_name], scenarios=_scenarios)
