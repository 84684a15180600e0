"""Faults in the LitServer options deployments switch on and in models at the edges
(``features/server_options.feature``, ``features/edge_cases.feature``; see docs/deployment.md).

A ``fast_queue`` that is silently dropped needs no fault: LitServe 0.2.8 - 0.2.19 do exactly that, and the
fast-queue scenario catches it (a registered known defect)."""

from __future__ import annotations

import functools

from servers.faults.registry import fault

_CALLBACKS = [("litserve.callbacks.base.CallbackRunner.trigger_event", "getattr(callback, event_name)")]
_MIDDLEWARES = [("litserve.server.LitServer._register_middleware", "self.app.add_middleware(middleware, **kwargs)")]
_COUNTER = [("litserve.middlewares.RequestCountMiddleware.__call__", "self.active_counter.value -= 1")]
_INFO_PATH = [("litserve.server.LitServer._register_internal_endpoints", "self.info_path")]
_HEALTH_GUARD = [("litserve.server.LitServer._register_internal_endpoints", "Health check failed for")]
_SHUTDOWN_KEY = [("litserve.server.LitServer.shutdown_api_key_auth", "SHUTDOWN_API_KEY")]
_METADATA = [("litserve.server.LitServer._register_internal_endpoints", '"model": self.model_metadata')]
_WORKERS_LIST = [("litserve.server.LitServer._resolve_workers_per_device_config",
                  "isinstance(workers_per_device, (list, tuple))")]


@fault("callback_fired_twice", features=["server_options"], scenarios="Every hook of a callback fires once",
       requires=_CALLBACKS)
def callback_fired_twice() -> None:
    """Every callback hook fires twice for each event."""
    from litserve.callbacks.base import CallbackRunner

    original = CallbackRunner.trigger_event

    def twice(self, event_name, *args, **kwargs):
        original(self, event_name, *args, **kwargs)
        original(self, event_name, *args, **kwargs)

    CallbackRunner.trigger_event = twice


@fault("middleware_added_twice", features=["server_options"], scenarios="passes the user's middlewares",
       requires=_MIDDLEWARES, worker=False)
def middleware_added_twice() -> None:
    """Every user middleware is added to the app twice (as with several LitAPIs before #601)."""
    from litserve.server import LitServer

    original = LitServer._register_middleware

    def register_twice(self):
        original(self)
        original(self)

    LitServer._register_middleware = register_twice


@fault("track_requests_counter_off", features=["server_options"], scenarios="count of requests in flight",
       requires=_COUNTER, worker=False)
def track_requests_counter_off() -> None:
    """The active-request counter is never decremented: finished requests stay counted."""
    from litserve.middlewares import RequestCountMiddleware

    async def count_without_decrement(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.active_counter.value += 1
        await self.app(scope, receive, send)

    RequestCountMiddleware.__call__ = count_without_decrement


def _drop_server_option(name: str) -> None:
    """``LitServer(...)`` ignores the option ``name`` (its signature kept: the app asks it what it takes)."""
    from litserve.server import LitServer

    original = LitServer.__init__

    @functools.wraps(original)
    def init(self, *args, **kwargs):
        kwargs.pop(name, None)
        original(self, *args, **kwargs)

    LitServer.__init__ = init


@fault("custom_info_path_ignored", features=["server_options"], scenarios="answer at their own paths",
       requires=_INFO_PATH, worker=False)
def custom_info_path_ignored() -> None:
    """LitServer(info_path=...) is ignored: the info stays at /info.

    (An ignored ``healthcheck_path`` shows sooner: the launcher polls the custom path, so the server never
    becomes ready and every scenario on it errors.)"""
    _drop_server_option("info_path")


@fault("model_metadata_dropped", features=["server_options"], scenarios="info shows the model's metadata",
       requires=_METADATA, worker=False)
def model_metadata_dropped() -> None:
    """LitServer(model_metadata=...) is dropped: the info shows no model."""
    _drop_server_option("model_metadata")


@fault("workers_list_reversed", features=["server_options"], scenarios="given as a list go to the models",
       requires=_WORKERS_LIST, worker=False)
def workers_list_reversed() -> None:
    """workers_per_device given as a list goes to the LitAPIs in reverse order (the last number to the first API)."""
    from litserve.server import LitServer

    original = LitServer._resolve_workers_per_device_config

    def reversed_list(self, workers_per_device):
        if isinstance(workers_per_device, (list, tuple)):
            workers_per_device = list(reversed(workers_per_device))
        return original(self, workers_per_device)

    LitServer._resolve_workers_per_device_config = reversed_list


@fault("shutdown_key_not_checked", features=["server_options"], scenarios="shutdown API shuts the server down",
       requires=_SHUTDOWN_KEY, worker=False)
def shutdown_key_not_checked() -> None:
    """The shutdown API accepts any key, or none."""
    from litserve.server import LitServer

    LitServer.shutdown_api_key_auth = lambda self: None


@fault("health_exception_means_healthy", features=["edge_cases"], scenarios="health method that raises",
       requires=_HEALTH_GUARD + [("litserve.server.LitServer.lifespan", "response_queue_to_buffer(")], worker=False)
def health_exception_means_healthy() -> None:
    """An exception of the model's health() is taken as "healthy": the health check answers 200."""
    import contextlib

    from litserve.server import LitServer

    original = LitServer.lifespan

    @contextlib.asynccontextmanager
    async def lifespan(self, app):
        for lit_api in self.litapi_connector:  # in the API server process: the workers have their own copies
            def forgiving(health=lit_api.health):
                try:
                    return health()
                except Exception:
                    return True
            lit_api.health = forgiving
        async with original(self, app):
            yield

    LitServer.lifespan = lifespan
