"""A toy LLM served by LitServe's continuous batching loop, and a model served by a loop of its own.

* ``cb_llm``: ``LitAPI(loop=ContinuousBatchingLoop())`` with the hooks that loop calls on the API
  (``add_request``, ``has_capacity``, ``has_active_requests``, ``step``). ``{"client": "a", "prompt":
  "hi", "tokens": 4}`` -> 4 JSON lines ``{"client", "index", "text": "hi-0", "step", "produced_at",
  "worker"}``. Each ``step`` generates one token for every active sequence (``predict_seconds`` a
  step) and logs ``suite: trace step {"step", "members", "first_tokens", "left", "tokens", "quiet", "outputs",
  "started_at", "produced_at", "finished_at", "worker"}``: which sequences it advanced, for which it was the
  first token, which left (finished or failed), the token it made for each (client -> text), which it left
  without a token because they are still thinking (``thinking_steps``: the first N steps of a sequence with
  that prompt make no token, as a model such as vLLM's may return no output for a step) and how many outputs
  ``step`` returned (0: an empty list). At most
  ``max_batch_size`` sequences are active (``has_capacity``, as a user writes it). A sequence ruled to
  fail in predict (``fails after 2 pieces for "broken"``) ends with ``Output(uid, error, ERROR)``.
  With ``openai_spec`` the same model is served behind ``OpenAISpec`` (:class:`ToyChatLLM`, the phrase "...
  behind the OpenAI-compatible API"): ``add_request`` gets the ``ChatCompletionRequest`` ("tell me a story",
  ``user`` the client, ``max_tokens`` the number of tokens), and a token is a piece of text ("story-0",
  " story-1", ...).
* ``custom_loop``: a :class:`litserve.loops.LitLoop` subclass written as LitServe's ``_BaseLoop``
  docstring shows (take a request from the queue, ``load_cache``, decode, predict, encode, send the
  answer), in a synchronous or an asynchronous ``run``. The answer says which loop served it and the
  order in which that loop called the hooks.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

from litserve.loops import ContinuousBatchingLoop, LitLoop, Output
from litserve.utils import LitAPIStatus

from servers.base import InstrumentedAPI
from servers.compat import loop_response
from servers.settings import AppSettings
from servers.trace import report


class ToyLLM(InstrumentedAPI):
    """Continuous batching: one token per step for every active sequence, each step traced."""

    def __init__(self, settings: AppSettings) -> None:
        super().__init__(settings, stream=True, max_batch_size=settings.max_batch_size,
                         loop=ContinuousBatchingLoop())

    def setup(self, device) -> None:
        super().setup(device)
        self.sequences: dict[str, dict] = {}
        self.steps_done = 0

    def decode_request(self, request: dict) -> dict:
        return request

    def add_request(self, uid: str, request: Any) -> None:
        body = request if isinstance(request, dict) else json.loads(request)
        self.sequences[uid] = self._sequence(body["client"], body["prompt"], body.get("tokens"))

    def _sequence(self, client: str, prompt: str, tokens: int | None) -> dict:
        """A new active sequence: ``tokens`` to make (default: the ``chunks`` setting), after its thinking steps."""
        return {"client": client, "prompt": prompt, "tokens": int(tokens or self.settings.chunks), "made": 0,
                "thinking": self._thinking_steps(prompt)}

    def _thinking_steps(self, prompt: str) -> int:
        """How many steps a sequence with ``prompt`` thinks (makes no token) before its first token."""
        ruled, _, steps = self.settings.thinking_steps.partition(":")
        return int(steps) if ruled and ruled == prompt else 0

    def has_capacity(self) -> bool:
        return len(self.sequences) < self.max_batch_size

    def has_active_requests(self) -> bool:
        return bool(self.sequences)

    def step(self, prev_outputs: list | None) -> list:
        if not self.sequences:
            return []
        started_at = time.monotonic()
        self._work()
        self.steps_done += 1
        produced_at = time.monotonic()
        outputs: list[Output] = []
        members, first, left, quiet, made = [], [], [], [], {}
        for uid, seq in list(self.sequences.items()):
            if seq["thinking"] > 0:  # still thinking: no output for this sequence in this step
                seq["thinking"] -= 1
                quiet.append(seq["client"])
                continue
            try:
                self._fail_if_ruled("predict", seq["client"], seq["prompt"], index=seq["made"])
            except Exception as error:  # noqa: BLE001 - this sequence fails, the others go on
                outputs.append(Output(uid, error, LitAPIStatus.ERROR))
                left.append(seq["client"])
                del self.sequences[uid]
                continue
            members.append(seq["client"])
            if seq["made"] == 0:
                first.append(seq["client"])
            made[seq["client"]] = self._text(seq)
            outputs.append(Output(uid, self._token(seq, produced_at), LitAPIStatus.OK))
            seq["made"] += 1
            if seq["made"] >= seq["tokens"]:
                outputs.append(Output(uid, "", LitAPIStatus.FINISH_STREAMING))
                left.append(seq["client"])
                del self.sequences[uid]
        report("step", step=self.steps_done, members=members, first_tokens=first, left=left, tokens=made,
               quiet=quiet, outputs=len(outputs), started_at=started_at, produced_at=produced_at,
               finished_at=time.monotonic(), worker=os.getpid())
        return outputs

    @staticmethod
    def _text(seq: dict) -> str:
        """The text of the sequence's next token: ``story-0``, ``story-1``, ..."""
        return f"{seq['prompt']}-{seq['made']}"

    def _token(self, seq: dict, produced_at: float) -> Any:
        """What ``step`` hands LitServe for the sequence's next token (``encode_response`` gets it)."""
        return {"client": seq["client"], "index": seq["made"], "text": self._text(seq), "step": self.steps_done,
                "produced_at": produced_at, "worker": os.getpid()}

    def encode_response(self, output: Any) -> Any:
        return output


class ToyChatLLM(ToyLLM):
    """The toy LLM behind ``OpenAISpec``, as a user deploys an LLM: ``LitAPI(spec=OpenAISpec(), stream=True,
    loop=ContinuousBatchingLoop(), max_batch_size=4)``.

    ``add_request`` gets the ``ChatCompletionRequest`` as LitServe put it in the queue (the loop does not call
    ``decode_request``): the client is its ``user``, the prompt the last word of its last message, the number of
    tokens its ``max_tokens``. A token is a piece of text ("story-0", " story-1", ...: joined, "story-0 story-1");
    ``encode_response`` makes it an assistant message. ``OpenAISpec.pre_setup`` refuses a model whose ``predict``
    and ``encode_response`` are not generators, so both are (``predict`` is never called: the loop calls ``step``).
    """

    def __init__(self, settings: AppSettings) -> None:
        from litserve.specs import OpenAISpec

        InstrumentedAPI.__init__(self, settings, spec=OpenAISpec(), stream=True,
                                 max_batch_size=settings.max_batch_size, loop=ContinuousBatchingLoop())

    def add_request(self, uid: str, request: Any) -> None:
        last = request.messages[-1].content if request.messages else ""
        words = last.split() if isinstance(last, str) else []
        self.sequences[uid] = self._sequence(request.user or "", words[-1] if words else "", request.max_tokens)

    @staticmethod
    def _text(seq: dict) -> str:
        """The next token as a piece of the answer's text: ``story-0``, `` story-1``, ..."""
        return (" " if seq["made"] else "") + ToyLLM._text(seq)

    def _token(self, seq: dict, produced_at: float) -> Any:
        return self._text(seq)

    def predict(self, x: Any):
        raise NotImplementedError("the continuous batching loop calls step, not predict")
        yield  # noqa: unreachable - a generator, as OpenAISpec requires

    def encode_response(self, output: Any):
        yield {"role": "assistant", "content": output}


class CacheFirstLoop(LitLoop):
    """A user's loop, as LitServe's ``_BaseLoop`` docstring shows it: ``load_cache`` before decoding."""

    name = "cache-first"

    def run(self, lit_api, device, worker_id, request_queue, transport, workers_setup_status, callback_runner):
        item = request_queue.get()
        if item is None:
            return
        self.serve(lit_api, transport, item)

    def serve(self, lit_api, transport, item) -> None:
        response_queue_id, uid, timestamp, x_enc = item
        try:
            cache = lit_api.load_cache(x_enc)
            x = lit_api.decode_request(x_enc)
            response = lit_api.encode_response({**lit_api.predict(x), "cache": cache, "loop": self.name})
            self.put_response(transport, response_queue_id, uid, response, LitAPIStatus.OK, loop_response())
        except Exception as error:  # noqa: BLE001 - the client gets the error, the loop goes on
            self.put_error_response(transport, response_queue_id, uid, error, loop_response())


class AsyncCacheFirstLoop(CacheFirstLoop):
    """The same loop with an ``async def run`` (LitServe then runs it in an event loop of its own)."""

    name = "async-cache-first"

    async def run(self, lit_api, device, worker_id, request_queue, transport, workers_setup_status,
                  callback_runner):
        item = self.get_request(request_queue, timeout=0.05)
        if item is None:
            return
        self.serve(lit_api, transport, item)


_LOOPS = {"sync": CacheFirstLoop, "async": AsyncCacheFirstLoop}


class CustomLoopAPI(InstrumentedAPI):
    """Squares numbers; the answer lists the hooks in the order the custom loop called them.

    ``has_active_requests``: LitServe's runner of an ``async def run`` loop asks the API after every
    ``run`` (``LitLoop.__call__``); ``LitAPI`` itself raises ``NotImplementedError`` there, which kills the
    worker (0.2.19; see docs/continuous-batching.md). This model has no requests of its own in flight.
    """

    def has_active_requests(self) -> bool:
        return False

    def __init__(self, settings: AppSettings) -> None:
        if settings.loop not in _LOOPS:
            raise ValueError(f"unknown custom loop {settings.loop!r}; the loops are {sorted(_LOOPS)}")
        super().__init__(settings, loop=_LOOPS[settings.loop]())
        self._calls: list[str] = []

    def load_cache(self, request: dict) -> str:
        self._calls = ["load_cache"]
        return f"cached-{request.get('client', '')}"

    def decode_request(self, request: dict) -> tuple[str, float]:
        self._calls.append("decode_request")
        self._fail_if_ruled("decode", request.get("client", ""), request.get("input"))
        return request.get("client", ""), request["input"]

    def predict(self, x: tuple[str, float]) -> dict:
        self._calls.append("predict")
        self._fail_if_ruled("predict", *x)
        self._work()
        return {"client": x[0], "output": x[1] * x[1], "worker": os.getpid()}

    def encode_response(self, output: dict) -> dict:
        self._calls.append("encode_response")
        return {**output, "hooks": list(self._calls)}


def build_toy_llm(settings: AppSettings) -> ToyLLM:
    return ToyChatLLM(settings) if settings.openai_spec else ToyLLM(settings)


def build_custom_loop(settings: AppSettings) -> CustomLoopAPI:
    return CustomLoopAPI(settings)
