"""The instrumented LitServe APIs.

Two models, each in an unbatched and a batched form:

* ``square``: ``{"input": 3}`` -> ``{"output": 9}``. The batched form also answers with the
  client's name, the value LitServe's per-request ``context`` carried from decode to encode,
  and a ``trace`` of the batch the request ran in.
* ``tokens``: a streaming model. ``{"client": "a", "prompt": "hi"}`` -> ``chunks`` JSON lines
  ``{"client", "index", "text": "hi-0", "produced_at", ...}`` with ``chunk_pause`` seconds
  between chunks (an unbatched request may ask for its own number of chunks, like an LLM's
  ``max_tokens``); the batched form yields one list per step, one item per request.

Outputs depend on the input, so a swapped, mixed-up or dropped answer is visible.
"""

from __future__ import annotations

import time
from typing import Callable, Iterator

import litserve as ls

from servers.settings import AppSettings
from servers.trace import BatchCounter


class _Instrumented(ls.LitAPI):
    """Base: settings and a batch counter per worker."""

    def __init__(self, settings: AppSettings, **litapi_kwargs) -> None:
        super().__init__(**litapi_kwargs)
        self.settings = settings

    def setup(self, device) -> None:
        self.batches = BatchCounter()

    def _work(self) -> None:
        """The model's fixed cost per call, whatever the batch size."""
        if self.settings.predict_seconds > 0:
            time.sleep(self.settings.predict_seconds)


class SquareAPI(_Instrumented):
    """Unbatched: answers exactly ``{"output": input * input}``."""

    def decode_request(self, request: dict):
        return request["input"]

    def predict(self, x):
        self._work()
        return x * x

    def encode_response(self, output) -> dict:
        return {"output": output}


class BatchedSquareAPI(_Instrumented):
    """Batched: every answer says which batch it ran in."""

    def decode_request(self, request: dict, context: dict):
        context["client"] = request["client"]
        return request["client"], request["input"]

    def predict(self, inputs: list) -> list:
        trace = self.batches.open([client for client, _ in inputs])
        self._work()
        trace.finished_at = time.monotonic()
        return [{"client": client, "output": x * x, "trace": trace.as_dict()} for client, x in inputs]

    def encode_response(self, output: dict, context: dict) -> dict:
        return {**output, "context_client": context["client"]}


class TokenStreamAPI(_Instrumented):
    """Unbatched streaming: ``chunks`` chunks, ``chunk_pause`` seconds apart."""

    def decode_request(self, request: dict, context: dict):
        context["client"] = request.get("client", "")
        return request["prompt"], int(request.get("chunks", self.settings.chunks))

    def predict(self, request: tuple) -> Iterator[dict]:
        prompt, chunks = request
        trace = self.batches.open([prompt])
        for index in range(chunks):
            if index:
                time.sleep(self.settings.chunk_pause)
            yield {"index": index, "text": f"{prompt}-{index}", "produced_at": time.monotonic(), "batch": trace.batch}

    def encode_response(self, outputs: Iterator[dict], context: dict) -> Iterator[dict]:
        for item in outputs:
            yield {"client": context["client"], **item}


class BatchedTokenStreamAPI(_Instrumented):
    """Batched streaming: one list per step with one chunk per request (LitServe's contract)."""

    def decode_request(self, request: dict, context: dict):
        context["client"] = request["client"]
        return request["client"], request["prompt"]

    def predict(self, inputs: list) -> Iterator[list]:
        trace = self.batches.open([client for client, _ in inputs])
        for index in range(self.settings.chunks):
            if index:
                time.sleep(self.settings.chunk_pause)
            produced_at = time.monotonic()
            yield [
                {
                    "client": client,
                    "index": index,
                    "text": f"{prompt}-{index}",
                    "produced_at": produced_at,
                    "batch": trace.batch,
                    "batch_size": trace.size,
                    "members": trace.members,
                }
                for client, prompt in inputs
            ]

    def encode_response(self, steps: Iterator[list], context: list) -> Iterator[list]:
        for step in steps:
            yield [{**item, "context_client": ctx["client"]} for item, ctx in zip(step, context)]


def _pick(unbatched: type, batched: type, stream: bool) -> Callable[[AppSettings], ls.LitAPI]:
    def build(settings: AppSettings) -> ls.LitAPI:
        cls = batched if settings.max_batch_size > 1 else unbatched
        return cls(settings, **_litapi_kwargs(settings, stream))

    return build


def _litapi_kwargs(settings: AppSettings, stream: bool) -> dict:
    kwargs = {"stream": stream}
    if settings.max_batch_size > 1:
        kwargs.update(max_batch_size=settings.max_batch_size, batch_timeout=settings.batch_timeout)
    return kwargs


#: App name -> factory building its LitAPI from the scenario's settings.
APPS: dict[str, Callable[[AppSettings], ls.LitAPI]] = {
    "square": _pick(SquareAPI, BatchedSquareAPI, stream=False),
    "tokens": _pick(TokenStreamAPI, BatchedTokenStreamAPI, stream=True),
}


def build_api(app: str, settings: AppSettings) -> ls.LitAPI:
    """Build the LitAPI of ``app``; an unknown name raises with the list of known apps."""
    try:
        factory = APPS[app]
    except KeyError:
        raise ValueError(f"unknown app {app!r}; known apps are {sorted(APPS)}") from None
    return factory(settings)
