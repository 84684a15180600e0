"""Helpers the faults share: what LitServe's batch collector sees, its hook calls and its stream
writer. Each comes with the ``requires`` list of the LitServe internals it relies on
(:data:`WORKER_ENTRY`: what a fault with a worker half needs, see ``registry.worker_entry``)."""

from __future__ import annotations

from typing import Any, Callable

#: The batch collector: ``collate_requests`` reads these attributes, and both batched loops call it.
COLLATE = ["litserve.loops.base.collate_requests", "litserve.loops.streaming_loops.collate_requests",
           ("litserve.loops.base.collate_requests", "lit_api.batch_timeout"),
           ("litserve.loops.base.collate_requests", "lit_api.max_batch_size"),
           ("litserve.loops.simple_loops.BatchedLoop.run_batched_loop", "self.get_batch_requests("),
           ("litserve.loops.base.LitLoop.get_batch_requests", "collate_requests("),
           ("litserve.loops.streaming_loops.BatchedStreamingLoop.run_batched_streaming_loop", "collate_requests(")]
#: The batched loops call every LitAPI hook through ``_inject_context``.
HOOKS = ["litserve.loops.simple_loops._inject_context", "litserve.loops.streaming_loops._inject_context",
         ("litserve.loops.simple_loops.BatchedLoop.run_batched_loop", "_inject_context(contexts, lit_api.batch"),
         ("litserve.loops.simple_loops.BatchedLoop.run_batched_loop", "_inject_context(contexts, lit_api.unbatch"),
         ("litserve.loops.streaming_loops.BatchedStreamingLoop.run_batched_streaming_loop",
          "_inject_context(contexts, lit_api.batch"),
         ("litserve.loops.streaming_loops.BatchedStreamingLoop.run_batched_streaming_loop",
          "_inject_context(contexts, lit_api.unbatch")]
#: The API server writes every stream through ``LitServer.data_streamer``.
STREAMER = [("litserve.server.LitServer.data_streamer", "LitAPIStatus.FINISH_STREAMING"),
            ("litserve.server.StreamingRequestHandler.handle_request", "self.server.data_streamer(")]
#: The server starts its workers with ``litserve.server.inference_worker`` (the loops' function), which
#: :func:`servers.faults.registry.route_workers_through_fault_entry` replaces for a fault with a worker half.
WORKER_ENTRY = ["litserve.server.inference_worker", "litserve.loops.loops.inference_worker",
                ("litserve.server.LitServer.launch_inference_worker", "target=inference_worker")]


class _Overridden:
    """``lit_api`` as seen by LitServe's batch collector, with some attributes replaced."""

    def __init__(self, api: Any, **overrides: Any) -> None:
        self._api = api
        self._overrides = overrides

    def __getattr__(self, name: str) -> Any:
        if name in self._overrides:
            return self._overrides[name]
        return getattr(self._api, name)


def collate_with(overrides: Callable[[Any], dict]) -> None:
    """Make LitServe's batch collector (``collate_requests``) see ``overrides(lit_api)`` instead of the real values.
    The batched loop calls it through ``litserve.loops.base``, the batched streaming loop through its own import."""
    import litserve.loops.base as base
    import litserve.loops.streaming_loops as streaming

    original = base.collate_requests

    def collate_requests(loop, lit_api, request_queue, transport):
        return original(loop, _Overridden(lit_api, **overrides(lit_api)), request_queue, transport)

    base.collate_requests = collate_requests
    streaming.collate_requests = collate_requests


def wrap_hook_calls(wrap: Callable[[str, Any, Any], Any]) -> None:
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


def replace_streamer(transform: Callable) -> None:
    """Replace the API server's stream writer (``LitServer.data_streamer``) by ``transform(original_generator)``."""
    from litserve.server import LitServer

    original = LitServer.data_streamer

    async def data_streamer(q, data_available, send_status: bool = False):
        async for item in transform(original(q, data_available, send_status)):
            yield item

    LitServer.data_streamer = staticmethod(data_streamer)
