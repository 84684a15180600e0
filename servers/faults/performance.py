"""Slowdowns injected into LitServe for the performance gate (``scripts/performance.sh``).

Each one adds CPU work (a busy loop, not a sleep: the cost of code that grew) where LitServe
would really grow it: the API server's request decoding, its stream writer, the batched loop.
The gate must flag each one and not the unmodified release; ``python -m tools.perf_gate_check``
runs it with each and prints which figure flagged it, by how much. The performance feature is
opt-in (@performance), so the self-check runs it by tag::

    LITSERVE_SUITE_FAULT=request_decode_slower .venv/bin/behave features/ --tags=@performance
"""

from __future__ import annotations

import time

from servers.faults.patching import HOOKS, replace_streamer, wrap_hook_calls
from servers.faults.registry import fault

PERFORMANCE = ["performance", "performance_overhead"]
#: These slowdowns are proven by ``tools.perf_gate_check`` (the whole gate, several minutes, opt-in),
#: not by the behaviour self-check (``tools.self_check``, run in CI).
GATE_SLOWDOWNS = ("request_decode_slower", "stream_writer_slower", "batch_loop_slower")

#: Extra work of each slowdown, in seconds.
PER_REQUEST = 0.001
PER_CHUNK = 0.003
PER_BATCH = 0.020


def busy(seconds: float) -> None:
    """Keep the CPU busy for ``seconds`` (the cost of extra code, not a pause)."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


@fault("request_decode_slower", features=PERFORMANCE, worker=False,
       requires=[("litserve.server.BaseRequestHandler._prepare_request", "await request.json()"),
                 ("litserve.server.RegularRequestHandler.handle_request", "self._prepare_request("),
                 ("litserve.server.StreamingRequestHandler.handle_request", "self._prepare_request(")])
def request_decode_slower() -> None:
    """About 1 ms more work per request where the API server reads the request body."""
    from litserve.server import BaseRequestHandler

    original = BaseRequestHandler._prepare_request

    async def _prepare_request(self, request, request_type):
        payload = await original(self, request, request_type)
        busy(PER_REQUEST)
        return payload

    BaseRequestHandler._prepare_request = _prepare_request


@fault("stream_writer_slower", features=PERFORMANCE, worker=False,
       requires=[("litserve.server.LitServer.data_streamer", "LitAPIStatus.FINISH_STREAMING"),
                 ("litserve.server.StreamingRequestHandler.handle_request", "self.server.data_streamer(")])
def stream_writer_slower() -> None:
    """About 3 ms more work per streamed chunk in the API server's stream writer."""

    async def slower(chunks):
        async for chunk in chunks:
            busy(PER_CHUNK)
            yield chunk

    replace_streamer(slower)


@fault("batch_loop_slower", features=PERFORMANCE, requires=HOOKS)
def batch_loop_slower() -> None:
    """About 20 ms more work per batch in the batched loop, before the model's batch hook."""

    def wrap(hook: str, context, result):
        if hook == "before batch":
            busy(PER_BATCH)
        return result

    wrap_hook_calls(wrap)
