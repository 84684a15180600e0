"""Faults in LitServe as people deploy it (``features/several_workers.feature``, ``async_models``,
``several_endpoints``, ``monitoring``): several inference workers and API servers, async models,
several LitAPIs on one server, and the metrics a model logs (see docs/deployment.md)."""

from __future__ import annotations

from servers.faults.registry import fault

_WORKER_CONFIG = [("litserve.server.LitServer._inference_workers_config_for_api", "self.devices * wpd"),
                  ("litserve.server.LitServer.launch_inference_worker", "_inference_workers_config_for_api(")]
_RESPONSE_QUEUES = ["litserve.server.response_queue_to_buffer",
                    ("litserve.server.LitServer.lifespan", "response_queue_to_buffer("),
                    ("litserve.server.LitServer.lifespan", "app.response_queue_id")]
_ASYNC_LOOPS = [("litserve.loops.simple_loops.SingleLoop._run_single_loop_with_async", "self._process_single_request("),
                ("litserve.loops.streaming_loops.StreamingLoop.run_streaming_loop_async",
                 "self._process_streaming_request(")]
_REQUEST_QUEUES = [("litserve.server.LitServer._get_request_queue", "litapi_request_queues[api_path]"),
                   ("litserve.server.BaseRequestHandler._submit_request", "self.server._get_request_queue(")]
_HEALTH = [("litserve.server.LitServer._register_internal_endpoints", "self.workers_setup_status.values()"),
           ("litserve.server.LitServer.launch_inference_worker", 'self.workers_setup_status[f"{endpoint}_{worker_id}"]')]
_PER_API_AUTH = [("litserve.server.LitServer.setup_auth", "target.authorize"),
                 ("litserve.server.LitServer._register_api_endpoints", "self.setup_auth(lit_api)")]
_LOG = [("litserve.api.LitAPI.log", "self._logger_queue.put(")]
_ASYNC_BATCH_REFUSAL = [("litserve.loops.loops.get_default_loop", "Async batching is not supported")]
_PATH_COLLISION = [("litserve.server._LitAPIConnector._detect_path_collision", "already in use")]


@fault("workers_per_device_ignored", features=["several_workers"], requires=_WORKER_CONFIG)
def workers_per_device_ignored() -> None:
    """workers_per_device ignored: one inference worker per device, however many were asked for."""
    from litserve.server import LitServer

    LitServer._inference_workers_config_for_api = lambda self, api_path: list(self.devices)


@fault("response_queue_shared", features=["several_workers"], requires=_RESPONSE_QUEUES)
def response_queue_shared() -> None:
    """API servers share one response queue: every API server reads the first one, so answers go astray."""
    from litserve import server

    original = server.response_queue_to_buffer

    def first_queue_only(transport, response_buffer, consumer_id, *args, **kwargs):
        return original(transport, response_buffer, 0, *args, **kwargs)

    server.response_queue_to_buffer = first_queue_only


@fault("async_requests_sequential", features=["async_models"], requires=_ASYNC_LOOPS)
def async_requests_sequential() -> None:
    """Async requests awaited one after another: an async worker serves one request at a time."""
    import asyncio

    from litserve.loops.simple_loops import SingleLoop
    from litserve.loops.streaming_loops import StreamingLoop

    def one_at_a_time(process):
        locks: dict = {}

        async def serialised(self, *args, **kwargs):
            lock = locks.setdefault(id(asyncio.get_running_loop()), asyncio.Lock())
            async with lock:
                return await process(self, *args, **kwargs)

        return serialised

    SingleLoop._process_single_request = one_at_a_time(SingleLoop._process_single_request)
    StreamingLoop._process_streaming_request = one_at_a_time(StreamingLoop._process_streaming_request)


@fault("async_batching_accepted", features=["async_models"], requires=_ASYNC_BATCH_REFUSAL)
def async_batching_accepted() -> None:
    """enable_async with max_batch_size > 1 is accepted (and served by the synchronous batching loop)."""
    from litserve.loops import loops

    original = loops.get_default_loop

    def lenient(stream, max_batch_size, enable_async=False):
        return original(stream, max_batch_size, enable_async and max_batch_size <= 1)

    loops.get_default_loop = lenient  # LitAPI.loop imports it from this module when it is first read


@fault("endpoints_share_a_queue", features=["several_endpoints"], requires=_REQUEST_QUEUES)
def endpoints_share_a_queue() -> None:
    """Every endpoint's requests go to the first endpoint's workers: one endpoint answers for another."""
    from litserve.server import LitServer

    LitServer._get_request_queue = lambda self, api_path: next(iter(self.litapi_request_queues.values()))


@fault("health_ignores_later_apis", features=["several_endpoints"], requires=_HEALTH)
def health_ignores_later_apis() -> None:
    """/health looks only at the first endpoint's workers: ready while another model is still loading."""
    from fastapi import Depends, Response
    from litserve import server
    from litserve.utils import WorkerSetupStatus

    original = server.LitServer._register_internal_endpoints

    def register(self):
        original(self)
        self.app.router.routes = [r for r in self.app.router.routes if getattr(r, "path", None) != self.healthcheck_path]
        first = next(iter(self.litapi_connector)).api_path.split("/")[-1]

        async def health() -> Response:
            mine = [v for k, v in self.workers_setup_status.items() if k.rsplit("_", 1)[0] == first]
            ready = bool(mine) and all(v == WorkerSetupStatus.READY for v in mine)
            return Response(content="ok" if ready else "not ready", status_code=200 if ready else 503)

        self.app.add_api_route(self.healthcheck_path, health, methods=["GET"],
                               dependencies=[Depends(self.setup_auth())])

    server.LitServer._register_internal_endpoints = register


@fault("per_api_auth_skipped", features=["several_endpoints"], requires=_PER_API_AUTH)
def per_api_auth_skipped() -> None:
    """An endpoint's own authorize() is skipped: only the server-wide check (if any) applies."""
    from litserve.server import LitServer

    original = LitServer.setup_auth
    LitServer.setup_auth = lambda self, lit_api=None: original(self, None)


@fault("path_clash_accepted", features=["several_endpoints"], requires=_PATH_COLLISION)
def path_clash_accepted() -> None:
    """Two LitAPIs on the same path are accepted: the server starts, and one of them can never be reached."""
    from litserve.server import _LitAPIConnector

    _LitAPIConnector._detect_path_collision = lambda self: None


@fault("log_records_dropped", features=["monitoring"], requires=_LOG)
def log_records_dropped() -> None:
    """Every second self.log record of a worker is dropped on its way to the loggers."""
    import itertools

    from litserve.api import LitAPI

    original = LitAPI.log
    calls = itertools.count()

    def lossy(self, key, value):
        if next(calls) % 2 == 0:
            original(self, key, value)

    LitAPI.log = lossy
