"""Regressions injected into LitServe on purpose, to prove that the features catch them.

``LITSERVE_SUITE_FAULT=<name>`` in a server's environment applies the fault inside that
server process before LitServe starts. Used by the suite's self-check.
"""

from __future__ import annotations

import os
from typing import Callable

FAULTS: dict[str, Callable[[], None]] = {}


def apply_from_environment() -> None:
    name = os.environ.get("LITSERVE_SUITE_FAULT", "").strip()
    if not name:
        return
    if name not in FAULTS:
        raise SystemExit(f"unknown fault {name!r}; known faults are {sorted(FAULTS)}")
    FAULTS[name]()
    print(f"suite: fault {name!r} injected", flush=True)


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


FAULTS.update({
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
})
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
