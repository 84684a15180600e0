"""Faults in how LitServe fails (``features/failure_*.feature``): model errors, bad input,
timeouts, health and access, dead workers. Each breaks a behaviour that some failure scenarios
guard; ``scenarios`` names them (see docs/failure-modes.md)."""

from __future__ import annotations

from servers.faults.patching import STREAMER, WORKER_ENTRY
from servers.faults.registry import fault

MODEL_ERRORS = ["failure_model_errors"]
BAD_INPUT = ["failure_bad_input"]
TIMEOUTS = ["failure_timeouts"]
HEALTH_AND_ACCESS = ["failure_health_and_access"]
ERROR_RESPONSE = ["litserve.server.RegularRequestHandler._handle_error_response",
                  ("litserve.server.RegularRequestHandler.handle_request", "_handle_error_response(")]


@fault("error_details_leak", features=MODEL_ERRORS, scenarios="short error|batch whose predict fails",
       requires=ERROR_RESPONSE, worker=False)
def error_details_leak() -> None:
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


@fault("model_status_lost", features=MODEL_ERRORS, scenarios="refuses gets the model's own status",
       requires=ERROR_RESPONSE, worker=False)
def model_status_lost() -> None:
    """An HTTPException raised by the model becomes a plain 500."""
    from fastapi import HTTPException
    from litserve import server

    def flatten(response):
        raise HTTPException(status_code=500, detail="Internal server error")

    server.RegularRequestHandler._handle_error_response = staticmethod(flatten)


def _batch_outputs_padded_in_worker() -> None:
    from litserve.loops import simple_loops

    original = simple_loops._inject_context

    def inject(context, func, *args, **kwargs):
        result = original(context, func, *args, **kwargs)
        if getattr(func, "__name__", "") == "unbatch" and isinstance(context, list) and 0 < len(result) < len(context):
            result = list(result) + [result[-1]] * (len(context) - len(result))
        return result

    simple_loops._inject_context = inject


@fault("batch_outputs_padded", features=MODEL_ERRORS, scenarios="wrong number of answers",
       requires=[*WORKER_ENTRY, "litserve.loops.simple_loops._inject_context",
                 ("litserve.loops.simple_loops.BatchedLoop.run_batched_loop", "_inject_context(contexts, lit_api.unbatch")],
       worker=_batch_outputs_padded_in_worker)
def batch_outputs_padded() -> None:
    """A batch answered with too few outputs is padded with copies of the last one."""


@fault("body_never_validated", features=BAD_INPUT, scenarios="declares a JSON object",
       requires=[("litserve.server.LitServer._register_api_endpoints", "request_type")], worker=False)
def body_never_validated() -> None:
    """LitServe ignores the request type the model declares and parses every body itself."""
    from fastapi import Request
    from litserve import server

    original = server.LitServer._register_api_endpoints
    server.LitServer._register_api_endpoints = lambda self, lit_api, request_type, response_type: original(
        self, lit_api, Request, response_type)


@fault("any_method_accepted", features=BAD_INPUT, scenarios="declares a JSON object",
       requires=[("litserve.server.LitServer._register_api_endpoints", 'methods=["POST"]')], worker=False)
def any_method_accepted() -> None:
    """The prediction endpoint answers every HTTP method, not only POST."""
    from fastapi import FastAPI

    original = FastAPI.add_api_route

    def add_api_route(self, path, endpoint, *args, methods=None, **kwargs):
        if methods == ["POST"]:
            methods = ["POST", "GET", "PUT"]
        return original(self, path, endpoint, *args, methods=methods, **kwargs)

    FastAPI.add_api_route = add_api_route


@fault("payload_limit_ignored", features=BAD_INPUT, scenarios="over the configured size limit",
       requires=["litserve.middlewares.MaxSizeMiddleware.__call__"], worker=False)
def payload_limit_ignored() -> None:
    """max_payload_size is not enforced."""
    from litserve import middlewares

    async def passthrough(self, scope, receive, send):
        await self.app(scope, receive, send)

    middlewares.MaxSizeMiddleware.__call__ = passthrough


@fault("stream_error_as_chunk", features=["failure_streams"], scenarios="fails midway delivers|batched stream that fails",
       requires=[*STREAMER, ("litserve.server.LitServer.data_streamer", "LitAPIStatus.ERROR")], worker=False)
def stream_error_as_chunk() -> None:
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


@fault("queue_timeout_ignored", features=TIMEOUTS, scenarios="longer than the timeout get 504",
       requires=[("litserve.server._LitAPIConnector.set_request_timeout", "lit_api.request_timeout = timeout")],
       worker=False)
def queue_timeout_ignored() -> None:
    """LitServer's timeout is never applied: requests wait in the queue for as long as it takes."""
    from litserve import server

    def no_timeout(self, timeout):
        for lit_api in self.lit_apis:
            lit_api.request_timeout = -1

    server._LitAPIConnector.set_request_timeout = no_timeout


@fault("timeout_cuts_running_requests", features=TIMEOUTS, scenarios="longer than the timeout to serve",
       requires=["litserve.server.RegularRequestHandler.handle_request",
                 ("litserve.server.LitServer.__init__", "self.timeout = timeout")],
       worker=False)
def timeout_cuts_running_requests() -> None:
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


def _ready_before_setup_in_worker() -> None:
    from litserve.loops import loops
    from litserve.utils import WorkerSetupStatus

    original = loops.inference_worker

    def early(lit_api, device, worker_id, request_queue, transport, workers_setup_status, *rest):
        workers_setup_status[f"{lit_api.api_path.split('/')[-1]}_{worker_id}"] = WorkerSetupStatus.READY
        return original(lit_api, device, worker_id, request_queue, transport, workers_setup_status, *rest)

    loops.inference_worker = early


@fault("ready_before_setup", features=HEALTH_AND_ACCESS, scenarios="takes 2 seconds to load",
       requires=[*WORKER_ENTRY, "litserve.utils.WorkerSetupStatus.READY",
                 ("litserve.loops.loops.inference_worker", 'workers_setup_status[f"{endpoint}_{worker_id}"]')],
       worker=_ready_before_setup_in_worker)
def ready_before_setup() -> None:
    """Workers report ready before the model's setup has run."""


@fault("model_health_ignored", features=HEALTH_AND_ACCESS, scenarios="reports itself unhealthy",
       requires=[("litserve.server.LitServer._register_internal_endpoints", "lit_api.health()"),
                 "litserve.server.LitServer.setup_auth", "litserve.utils.WorkerSetupStatus.READY"],
       worker=False)
def model_health_ignored() -> None:
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


@fault("api_key_ignored", features=HEALTH_AND_ACCESS, scenarios="only requests with the right key",
       requires=["litserve.server.LitServer.setup_auth", "litserve.server.no_auth"], worker=False)
def api_key_ignored() -> None:
    """The API key is not checked."""
    from litserve import server

    server.LitServer.setup_auth = lambda self, lit_api=None: server.no_auth


@fault("dead_worker_ignored", features=["failure_worker_faults"],
       scenarios="idle server whose worker dies|starts a new one",
       requires=["litserve.server.LitServer._start_worker_monitoring"], worker=False)
def dead_worker_ignored() -> None:
    """Nobody watches the inference workers: a dead worker is neither replaced nor reported."""
    from litserve import server

    server.LitServer._start_worker_monitoring = lambda self, manager, uvicorn_workers: None
