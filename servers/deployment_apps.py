"""Instrumented apps for LitServe as people deploy it: several workers, async models, several endpoints, metrics.

* ``traced_square``: ``{"client": "client-3", "input": 3}`` -> ``{"client": "client-3", "output": 9,
  "worker": <pid>, "started_at": t0, "finished_at": t1}``: which inference worker process served the
  request, and when predict began and ended (``time.monotonic()``, comparable with the client's clock).
  With ``enable_async`` its decode/predict/encode are ``async def`` and predict *awaits* its
  ``predict_seconds`` (a model that calls another service); with ``metrics`` it logs one
  ``served_requests`` record per request with ``self.log``.
* ``traced_tokens``: the streaming model of ``servers.apps`` (chunks carry ``produced_at`` and the
  ``batch`` ``<pid>-<n>``); with ``enable_async`` an ``async def`` decode, and async generators for
  predict and encode that ``await`` the pause between chunks.
* ``two_endpoints``: two LitAPIs on one server: ``traced_square`` at ``/square`` and the streaming
  model at ``/tokens``. ``setup_seconds`` slows the streaming model's setup only; ``endpoint_key``
  makes the streaming endpoint require that key in ``X-API-Key`` through its own ``authorize``.
* ``clashing_endpoints``: two square models both at ``/predict`` (LitServe must refuse to start).

The Prometheus side is LitServe's documented way: a :class:`litserve.Logger` that mounts
``prometheus_client``'s ASGI app at ``/metrics``. LitServe runs loggers in a process of their own
and answers ``/metrics`` from its API server processes, so the counter lives in prometheus_client's
multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``, set by ``servers/__main__.py`` in the server's
private temp dir before anything imports prometheus_client).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import time
from typing import AsyncIterator, Optional

import litserve as ls
from fastapi import Header, HTTPException

from servers.apps import TokenStreamAPI
from servers.base import InstrumentedAPI
from servers.compat import LOGGER_BASE, litserve_version
from servers.settings import AppSettings

#: The metric the apps count in, as ``self.log`` keys it and as Prometheus shows it (``_total`` added).
METRIC = "served_requests"
METRICS_PATH = "/metrics"


class TracedSquareAPI(InstrumentedAPI):
    """Unbatched square that says which worker served the request, and when."""

    def decode_request(self, request: dict):
        client, value = request.get("client", ""), request["input"]
        self._fail_if_ruled("decode", client, value)
        return client, value

    def predict(self, x) -> dict:
        client, value = x
        started_at = time.monotonic()
        self._fail_if_ruled("predict", client, value)
        self._work()
        return self._traced(client, value, started_at)

    def encode_response(self, output: dict) -> dict:
        self._fail_if_ruled("encode", output["client"])
        self._count()
        return output

    @staticmethod
    def _traced(client: str, value, started_at: float) -> dict:
        return {"client": client, "output": value * value, "worker": os.getpid(),
                "started_at": started_at, "finished_at": time.monotonic()}

    def _count(self) -> None:
        if self.settings.metrics and hasattr(self, "log"):  # LitAPI.log exists from 0.2.3 on, as loggers do
            self.log(METRIC, 1)


class AsyncTracedSquareAPI(TracedSquareAPI):
    """The same model with ``async def`` hooks; predict awaits instead of blocking the worker."""

    async def decode_request(self, request: dict):
        return TracedSquareAPI.decode_request(self, request)

    async def predict(self, x) -> dict:
        client, value = x
        started_at = time.monotonic()
        self._fail_if_ruled("predict", client, value)
        if self.settings.predict_seconds > 0:
            await asyncio.sleep(self.settings.predict_seconds)
        return self._traced(client, value, started_at)

    async def encode_response(self, output: dict) -> dict:
        return TracedSquareAPI.encode_response(self, output)


class AsyncTokenStreamAPI(TokenStreamAPI):
    """The streaming model with an async decode and async generators that await between chunks."""

    async def decode_request(self, request: dict, context: dict):
        return TokenStreamAPI.decode_request(self, request, context)

    async def predict(self, request: tuple) -> AsyncIterator[dict]:
        prompt, chunks, pause = request
        trace = self.batches.open([prompt])
        for index in range(chunks):
            if index:
                await asyncio.sleep(pause)
            self._fail_if_ruled("predict", prompt, index=index)
            yield {"index": index, "text": f"{prompt}-{index}", "produced_at": time.monotonic(), "batch": trace.batch}

    async def encode_response(self, outputs, context: dict) -> AsyncIterator[dict]:
        async for item in outputs:
            self._fail_if_ruled("encode", context["client"], item["text"].rsplit("-", 1)[0], index=item["index"])
            yield {"client": context["client"], **item}


class KeyedTokenStreamAPI(TokenStreamAPI):
    """The streaming model behind its own credential (LitServe calls ``authorize`` as a FastAPI dependency)."""

    def authorize(self, x_api_key: Optional[str] = Header(default=None)) -> None:
        if x_api_key != self.settings.endpoint_key:
            raise HTTPException(status_code=401, detail="this endpoint needs its API key")


class RequestCounter(LOGGER_BASE):
    """LitServe's documented metrics set-up: count ``self.log`` records, serve them at ``/metrics``."""

    def __init__(self) -> None:
        super().__init__()
        from prometheus_client import CollectorRegistry, make_asgi_app, multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        self.mount(METRICS_PATH, make_asgi_app(registry))

    def process(self, key, value) -> None:
        if key == METRIC:
            _counter().inc(value)


_COUNTER = None


def _counter():
    """The Prometheus counter, made on first use (after PROMETHEUS_MULTIPROC_DIR is set)."""
    global _COUNTER
    if _COUNTER is None:
        from prometheus_client import Counter

        _COUNTER = Counter(METRIC, "Requests the model served, counted from its self.log records")
    return _COUNTER


def loggers_for(settings: AppSettings) -> list[ls.Logger]:
    """The loggers LitServer gets for these settings. Releases before 0.2.3 have no ``litserve.Logger``: there
    the server runs without metrics (the monitoring feature applies from 0.2.3 on; the other scenarios that share
    its server do not read the metrics)."""
    if not settings.metrics:
        return []
    if LOGGER_BASE is not getattr(ls, "Logger", None):
        print(f"suite: litserve {litserve_version()} has no litserve.Logger (it exists from 0.2.3 on): "
              "serving without metrics", flush=True)
        return []
    return [RequestCounter()]


def _litapi_kwargs(settings: AppSettings, stream: bool, **extra) -> dict:
    kwargs = {"stream": stream, **extra}
    if settings.enable_async:
        kwargs["enable_async"] = True
    if settings.max_batch_size > 1:
        kwargs.update(max_batch_size=settings.max_batch_size, batch_timeout=settings.batch_timeout)
    return kwargs


def traced_square(settings: AppSettings, **extra) -> ls.LitAPI:
    cls = AsyncTracedSquareAPI if settings.enable_async else TracedSquareAPI
    return cls(settings, **_litapi_kwargs(settings, stream=False, **extra))


def traced_tokens(settings: AppSettings, **extra) -> ls.LitAPI:
    cls = AsyncTokenStreamAPI if settings.enable_async else (KeyedTokenStreamAPI if settings.endpoint_key else TokenStreamAPI)
    return cls(settings, **_litapi_kwargs(settings, stream=True, **extra))


def two_endpoints(settings: AppSettings) -> list[ls.LitAPI]:
    square_settings = dataclasses.replace(settings, setup_seconds=0.0)
    return [traced_square(square_settings, api_path="/square"), traced_tokens(settings, api_path="/tokens")]


def clashing_endpoints(settings: AppSettings) -> list[ls.LitAPI]:
    return [traced_square(settings, api_path="/predict"), traced_square(settings, api_path="/predict")]

