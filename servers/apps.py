"""The instrumented LitServe APIs.

Two models, each in an unbatched and a batched form:

* ``square``: ``{"input": 3}`` -> ``{"output": 9}``. The batched form also answers with the
  client's name, the value LitServe's per-request ``context`` carried from decode to encode,
  and a ``trace`` of the batch the request ran in.
* ``tokens``: a streaming model. ``{"client": "a", "prompt": "hi"}`` -> ``chunks`` JSON lines
  ``{"client", "index", "text": "hi-0", "produced_at", ...}`` with ``chunk_pause`` seconds
  between chunks (an unbatched request may ask for its own number of chunks, like an LLM's
  ``max_tokens``, and its own ``chunk_pause``); the batched form yields one list per step, one
  item per request.

* ``echo``: ``{"data": "..."}`` -> the same text back, and its length (large payloads).

Outputs depend on the input, so a swapped, mixed-up or dropped answer is visible.

Every model subclasses :class:`servers.base.InstrumentedAPI`, whose failure switches (all off by
default, see ``servers/settings.py``) make a model fail on purpose: raise or reject a request in
decode, predict or encode, fail a stream after some chunks, return the wrong number of outputs for
a batch, load slowly, or report itself unhealthy. ``servers/catalog.py`` names the apps.
"""

from __future__ import annotations

import time
from typing import Callable, Iterator

import litserve as ls

from servers.base import InstrumentedAPI
from servers.compat import give_list_batching
from servers.settings import AppSettings


class SquareAPI(InstrumentedAPI):
    """Unbatched: answers exactly ``{"output": input * input}``."""

    def decode_request(self, request: dict):
        self._current = (request.get("client", ""), request.get("input"))
        self._fail_if_ruled("decode", *self._current)
        return request["input"]

    def predict(self, x):
        self._fail_if_ruled("predict", x)
        self._work()
        return x * x

    def encode_response(self, output) -> dict:
        self._fail_if_ruled("encode", *self._current)
        return {"output": output}


class UntypedSquareAPI(SquareAPI):
    """The same model with an unannotated ``decode_request`` (LitServe then reads the body itself)."""

    def decode_request(self, request):
        return super().decode_request(request)


class BatchedSquareAPI(InstrumentedAPI):
    """Batched: every answer says which batch it ran in."""

    def decode_request(self, request: dict, context: dict):
        self._fail_if_ruled("decode", request.get("client"), request.get("input"))
        context["client"] = request["client"]
        return request["client"], request["input"]

    def predict(self, inputs: list) -> list:
        trace = self.batches.open([client for client, _ in inputs])
        self._fail_if_ruled("predict", *(value for pair in inputs for value in pair))
        self._work()
        trace.finished_at = time.monotonic()
        outputs = [{"client": client, "output": x * x, "trace": trace.as_dict()} for client, x in inputs]
        wrong = self.settings.wrong_batch_length
        if wrong and self._matching(wrong, [client for client, _ in inputs]):
            return outputs[:-1]
        return outputs

    def encode_response(self, output: dict, context: dict) -> dict:
        self._fail_if_ruled("encode", output["client"])
        return {**output, "context_client": context["client"]}


class TokenStreamAPI(InstrumentedAPI):
    """Unbatched streaming: ``chunks`` chunks, ``chunk_pause`` seconds apart."""

    def decode_request(self, request: dict, context: dict):
        self._fail_if_ruled("decode", request.get("client", ""), request.get("prompt"))
        context["client"] = request.get("client", "")
        return (request["prompt"], int(request.get("chunks", self.settings.chunks)),
                float(request.get("chunk_pause", self.settings.chunk_pause)))

    def predict(self, request: tuple) -> Iterator[dict]:
        prompt, chunks, pause = request
        trace = self.batches.open([prompt])
        for index in range(chunks):
            if index:
                time.sleep(pause)
            self._fail_if_ruled("predict", prompt, index=index)
            yield {"index": index, "text": f"{prompt}-{index}", "produced_at": time.monotonic(), "batch": trace.batch}

    def encode_response(self, outputs: Iterator[dict], context: dict) -> Iterator[dict]:
        for item in outputs:
            self._fail_if_ruled("encode", context["client"], item["text"].rsplit("-", 1)[0], index=item["index"])
            yield {"client": context["client"], **item}


class UntypedTokenStreamAPI(TokenStreamAPI):
    """The same model with an unannotated ``decode_request`` (LitServe then reads the body itself)."""

    def decode_request(self, request, context):
        return super().decode_request(request, context)


class BatchedTokenStreamAPI(InstrumentedAPI):
    """Batched streaming: one list per step with one chunk per request (LitServe's contract)."""

    def decode_request(self, request: dict, context: dict):
        self._fail_if_ruled("decode", request.get("client"), request.get("prompt"))
        context["client"] = request["client"]
        return request["client"], request["prompt"]

    def predict(self, inputs: list) -> Iterator[list]:
        trace = self.batches.open([client for client, _ in inputs])
        for index in range(self.settings.chunks):
            if index:
                time.sleep(self.settings.chunk_pause)
            self._fail_if_ruled("predict", *(value for pair in inputs for value in pair), index=index)
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
            self._fail_if_ruled("encode", *(item["client"] for item in step), index=step[0]["index"] if step else None)
            yield [{**item, "context_client": ctx["client"]} for item, ctx in zip(step, context)]


class EchoAPI(InstrumentedAPI):
    """Echo: ``{"data": "..."}`` -> ``{"data": <the same text>, "length": <its length>}`` (large payloads)."""

    def decode_request(self, request: dict):
        return request["data"]

    def predict(self, data: str) -> str:
        self._work()
        return data

    def encode_response(self, output: str) -> dict:
        return {"data": output, "length": len(output)}


#: The unannotated-request variant of each unbatched app (``untyped_request``).
_UNTYPED = {SquareAPI: UntypedSquareAPI, TokenStreamAPI: UntypedTokenStreamAPI}


def _pick(unbatched: type, batched: type, stream: bool) -> Callable[[AppSettings], ls.LitAPI]:
    def build(settings: AppSettings) -> ls.LitAPI:
        cls = batched if settings.max_batch_size > 1 else unbatched
        if settings.untyped_request:
            if cls not in _UNTYPED:
                raise ValueError(f"untyped_request is available for unbatched apps only, not {cls.__name__}")
            cls = _UNTYPED[cls]
        return cls(settings, **_litapi_kwargs(settings, stream))

    return build


def _litapi_kwargs(settings: AppSettings, stream: bool) -> dict:
    kwargs = {"stream": stream}
    if settings.max_batch_size > 1:
        kwargs.update(max_batch_size=settings.max_batch_size, batch_timeout=settings.batch_timeout)
    return kwargs


#: The factories of the apps of this module (``servers/catalog.py`` names them).
build_square = _pick(SquareAPI, BatchedSquareAPI, stream=False)
build_tokens = _pick(TokenStreamAPI, BatchedTokenStreamAPI, stream=True)


def build_echo(settings: AppSettings) -> EchoAPI:
    return EchoAPI(settings, stream=False)


# LitServe 0.2.0 and 0.2.1 only batch tensors and arrays by default (see servers/compat.py).
give_list_batching(batched=(BatchedSquareAPI,), streaming=(BatchedTokenStreamAPI,))
