"""The chat model that records what it is asked (``recording_chat``), for the OpenAI API in production
configurations and to the letter of its spec (features/openai_production.feature, openai_spec.feature).

The model answers the last user message ("tell me about alpha") with ``chunks`` pieces about its last
word, "alpha-0", " alpha-1", ..., ``chunk_pause`` seconds apart; "tell me everything about alpha" goes on
for :data:`LONG_ANSWER` pieces. ``max_completion_tokens`` (or the older ``max_tokens``) caps the answer:
a cap below its length cuts it there. Offered tools (and ``tool_choice`` not "none") it calls the first
one with ``{"topic": <last word>}``. Its last piece reports the usage (one prompt token per word, one
completion token per piece).

What LitServe hands it is written to the server log (``suite: trace chat-request``): the request as the
model received it (``model_dump(exclude_unset=True)``, so only what the client set), with the worker's
pid. Every piece is traced with ``produced_at`` (``time.monotonic()``), the worker and, when batched,
the batch it was produced in (``chat-batch`` traces list each batch's members).

Three shapes of the same model: plain (one request per call), ``enable_async`` (``async def predict``,
awaiting between pieces, so one worker interleaves many streams) and batched (``max_batch_size > 1``:
predict advances every request of the batch one piece per step, LitServe's documented way with
``OpenAISpec``: ``batch`` and ``unbatch`` pass lists through, ``encode_response`` yields one list per step).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from typing import AsyncIterator, Iterator

from litserve.specs import OpenAISpec

from servers.openai_apps import ChatAPI
from servers.trace import report
from servers.settings import AppSettings

#: Pieces of the answer to "tell me everything about ...".
LONG_ANSWER = 15
_EVERYTHING = "tell me everything about"


def _text_of(content) -> str:
    """The text of a message's content: the string, or its text parts joined."""
    if isinstance(content, str):
        return content
    return " ".join(getattr(part, "text", "") or "" for part in content or [])


class RecordingChatAPI(ChatAPI):
    """The chat model of the module docstring, one request per call."""

    def decode_request(self, request, context: dict) -> dict:
        user = request.user or ""
        received = request.model_dump(mode="json", by_alias=True, exclude_unset=True)
        report("chat-request", user=user, received=received, worker=os.getpid(), received_at=time.monotonic())
        self._fail_if_ruled("decode", user)
        text = _text_of(request.messages[-1].content) if request.messages else ""
        length = LONG_ANSWER if text.startswith(_EVERYTHING) else self.settings.chunks
        cap = getattr(request, "max_completion_tokens", None) or request.max_tokens
        choice = getattr(request.tool_choice, "value", request.tool_choice)
        offered = bool(request.tools) and choice != "none"
        return {"user": user, "topic": (text.split() or [""])[-1], "pieces": min(length, cap or length),
                "prompt_tokens": sum(len(_text_of(m.content).split()) for m in request.messages),
                "tool": request.tools[0].function.name if offered else ""}

    def predict(self, asked: dict) -> Iterator[dict]:
        if asked["tool"]:
            yield self._tool_call(asked)
            return
        for index in range(asked["pieces"]):
            if index:
                time.sleep(self.settings.chunk_pause)
            yield self._piece(asked, index)

    def _piece(self, asked: dict, index: int, batch: str = "") -> dict:
        """Piece ``index`` of the answer (traced when it is produced); the last one carries the usage."""
        self._fail_if_ruled("predict", asked["user"], asked["topic"], index=index)
        report("chat-piece", user=asked["user"], topic=asked["topic"], index=index, worker=os.getpid(),
               batch=batch, produced_at=time.monotonic())
        message = {"role": "assistant", "content": f"{' ' if index else ''}{asked['topic']}-{index}"}
        if index == asked["pieces"] - 1:
            message.update(self._usage(asked, completion_tokens=asked["pieces"]))
        return message


class AsyncRecordingChatAPI(RecordingChatAPI):
    """The same model with an ``async def predict`` that awaits between pieces (``enable_async=True``)."""

    async def predict(self, asked: dict) -> AsyncIterator[dict]:
        if asked["tool"]:
            yield self._tool_call(asked)
            return
        for index in range(asked["pieces"]):
            if index:
                await asyncio.sleep(self.settings.chunk_pause)
            yield self._piece(asked, index)


class BatchedRecordingChatAPI(RecordingChatAPI):
    """The same model advancing a batch of requests one piece per step (``max_batch_size > 1``)."""

    _batches = itertools.count(1)

    def batch(self, inputs: list) -> list:
        return list(inputs)

    def predict(self, batch: list) -> Iterator[list]:
        name = f"{os.getpid()}-{next(self._batches)}"
        report("chat-batch", batch=name, members=[asked["user"] for asked in batch], size=len(batch),
               started_at=time.monotonic())
        for index in range(max(asked["pieces"] for asked in batch)):
            if index:
                time.sleep(self.settings.chunk_pause)
            yield [self._piece(asked, index, name) if index < asked["pieces"] else {"role": "assistant", "content": ""}
                   for asked in batch]

    def unbatch(self, output):
        return output

    def encode_response(self, steps) -> Iterator[list]:
        yield from steps


def build_recording_chat(settings: AppSettings) -> RecordingChatAPI:
    kwargs: dict = {"spec": OpenAISpec()}
    if settings.enable_async:
        return AsyncRecordingChatAPI(settings, enable_async=True, **kwargs)
    if settings.max_batch_size > 1:
        return BatchedRecordingChatAPI(settings, max_batch_size=settings.max_batch_size,
                                       batch_timeout=settings.batch_timeout, **kwargs)
    return RecordingChatAPI(settings, **kwargs)
