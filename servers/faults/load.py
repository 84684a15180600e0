"""Faults only production-shaped load shows (features/load.feature, features/load_soak.feature;
moved here from servers/faults.py, branch locust)."""

from __future__ import annotations

import os

from servers.faults.registry import fault

# --- load faults (features/load.feature, features/load_soak.feature; branch locust) --------------
# Regressions that only show under production-shaped load. The self-check runs only the load
# scenarios that catch each one (``scenarios``, behave -n), not the whole feature. The load features are opt-in
# (@load, @soak), so prove one by hand with the tags:
#   LITSERVE_SUITE_FAULT=concurrency_capped .venv/bin/behave features/load.feature --tags=@load -n thousand

LOAD = ["load"]
_REGULAR_HANDLER = [("litserve.server.RegularRequestHandler.handle_request", "self.server.response_buffer[uid]")]


@fault("concurrency_capped", features=LOAD, scenarios="thousand",
       requires=[("litserve.server.LitServer._start_server", "uvicorn.Config(")])
def concurrency_capped() -> None:
    """The API server caps open connections at 256 (uvicorn's limit_concurrency): clients beyond it get 503."""
    import uvicorn

    original = uvicorn.Config.__init__

    def capped(self, *args, **kwargs):
        kwargs.setdefault("limit_concurrency", 256)
        original(self, *args, **kwargs)

    uvicorn.Config.__init__ = capped


@fault("payload_limit_by_default", features=LOAD, scenarios="50 MB",
       requires=[("litserve.server.LitServer.__init__", "max_payload_size"), "litserve.middlewares.MaxSizeMiddleware"])
def payload_limit_by_default() -> None:
    """Without max_payload_size, LitServe refuses bodies over 10 MB (413) instead of accepting any size."""
    from litserve import server

    original = server.LitServer.__init__

    def with_default_limit(self, *args, max_payload_size=None, **kwargs):
        original(self, *args, max_payload_size=max_payload_size or 10 * 2 ** 20, **kwargs)

    server.LitServer.__init__ = with_default_limit


@fault("requests_shed_when_busy", features=LOAD, scenarios="burst", requires=_REGULAR_HANDLER)
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


@fault("descriptor_leaked_per_request", features=LOAD, scenarios="thousand", requires=_REGULAR_HANDLER)
def descriptor_leaked_per_request() -> None:
    """Every answered request leaves one file descriptor open in the API server (a leak that grows forever)."""
    from litserve import server

    original = server.RegularRequestHandler.handle_request
    leaked = []

    async def leaking(self, request, request_type):
        leaked.append(open(os.devnull, "rb"))  # noqa: SIM115  (the leak is the point)
        return await original(self, request, request_type)

    server.RegularRequestHandler.handle_request = leaking
