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

Failure switches (all off by default, see ``servers/settings.py``) make a model fail on
purpose: raise or reject a request in decode, predict or encode, fail a stream after some
chunks, return the wrong number of outputs for a batch, load slowly, or report itself unhealthy.
"""

from __future__ import annotations

import time
from typing import Callable, Iterator

import litserve as ls
from fastapi import HTTPException

from servers.compat import give_list_batching, split_litapi_kwargs
from servers.settings import AppSettings
from servers.trace import BatchCounter


#: Part of the message of every error the model raises on purpose. It must never reach a client.
INTERNAL_ERROR_MARKER = "model-internal-failure"


class _FailureSwitches:
    """The failure switches of :class:`servers.settings.AppSettings`, shared by every app."""

    settings: AppSettings

    def _fail_if_ruled(self, stage: str, *values, index: int | None = None) -> None:
        """Fail at ``stage`` if a failure rule of the settings matches one of ``values`` (client, input, prompt).

        In a stream, ``index`` is the number of the chunk about to be produced: the rule fires at
        chunk ``fail_after_chunks``, so that many chunks are produced before it.
        """
        if index is not None and index != self.settings.fail_after_chunks:
            return
        for rule in self._rules:
            if rule.stage != stage or not self._matching(rule.value, values):
                continue
            if rule.status:
                raise HTTPException(status_code=rule.status, detail=f"rejected: {self._matching(rule.value, values)[0]}")
            raise RuntimeError(f"{INTERNAL_ERROR_MARKER} in {stage} for {self._matching(rule.value, values)[0]}")

    @property
    def _rules(self) -> list:
        if not hasattr(self, "_parsed_rules"):
            self._parsed_rules = self.settings.parsed_failure_rules()
        return self._parsed_rules

    @staticmethod
    def _matching(wanted: str, values) -> list[str]:
        """The values that ``wanted`` selects, as text ("*" selects them all)."""
        if wanted == "*":
            return [str(v) for v in values]
        return [wanted for v in values if _same(v, wanted)]


def _same(value, wanted: str) -> bool:
    """``value`` (from a request) is ``wanted`` (from the settings): 13, 13.0 and "13" all match "13"."""
    if str(value) == wanted:
        return True
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return float(wanted) == value
        except ValueError:
            return False
    return False


class _Instrumented(_FailureSwitches, ls.LitAPI):
    """Base: settings, a batch counter per worker, optional slow setup and health switch.

    Batch and stream settings go to ``LitAPI.__init__``; on old releases whose ``LitAPI`` does
    not take them yet they are kept in ``server_kwargs`` for ``LitServer`` (see ``servers/compat.py``).
    """

    def __init__(self, settings: AppSettings, **litapi_kwargs) -> None:
        for_api, self.server_kwargs = split_litapi_kwargs(litapi_kwargs)
        super().__init__(**for_api)
        self.settings = settings

    def setup(self, device) -> None:
        if self.settings.setup_seconds > 0:
            time.sleep(self.settings.setup_seconds)
            print(f"suite: model setup finished at {time.monotonic():.6f}", flush=True)
        self.batches = BatchCounter()

    def health(self) -> bool:
        return self.settings.healthy

    def _work(self) -> None:
        """The model's fixed cost per call, whatever the batch size."""
        if self.settings.predict_seconds > 0:
            time.sleep(self.settings.predict_seconds)


class SquareAPI(_Instrumented):
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


class BatchedSquareAPI(_Instrumented):
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


class TokenStreamAPI(_Instrumented):
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


class BatchedTokenStreamAPI(_Instrumented):
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


class EchoAPI(_Instrumented):
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


#: App name -> factory building its LitAPI from the scenario's settings.
APPS: dict[str, Callable[[AppSettings], ls.LitAPI]] = {
    "square": _pick(SquareAPI, BatchedSquareAPI, stream=False),
    "tokens": _pick(TokenStreamAPI, BatchedTokenStreamAPI, stream=True),
    "echo": lambda settings: EchoAPI(settings, stream=False),
}


def build_api(app: str, settings: AppSettings) -> ls.LitAPI:
    """Build the LitAPI of ``app``; an unknown name raises with the list of known apps."""
    try:
        factory = APPS[app]
    except KeyError:
        raise ValueError(f"unknown app {app!r}; known apps are {sorted(APPS)}") from None
    return factory(settings)

# LitServe 0.2.0 and 0.2.1 only batch tensors and arrays by default (see servers/compat.py).
give_list_batching(batched=(BatchedSquareAPI,), streaming=(BatchedTokenStreamAPI,))
