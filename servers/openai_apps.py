"""The instrumented models behind LitServe's OpenAI-compatible specs.

* ``chat`` (``OpenAISpec``, ``/v1/chat/completions``): a chat model that answers the last user
  message, say "tell me about alpha", with ``chunks`` pieces about its last word, "alpha-0",
  " alpha-1", " alpha-2", ... (``max_tokens`` in the request sets the number of pieces), pausing
  ``chunk_pause`` seconds between pieces. Its last piece reports the usage: one prompt token per
  word of the conversation, one completion token per piece. Given ``tools``, it calls the first
  one with ``{"topic": <last word>}`` instead of answering. The failure switches of
  ``servers/settings.py`` apply, with the request's ``user`` and the topic as the values a rule
  matches: "decode:forbidden:403" refuses the topic "forbidden", "predict:broken" with
  ``fail_after_chunks=3`` fails after three pieces.
* ``embeddings`` (``OpenAIEmbeddingSpec``, ``/v1/embeddings``): an embedding model that maps a
  text to 4 numbers computed from its characters (see :func:`embedding_of`), all exact in
  float32 so that the base64 encoding can be compared with the float one; usage: one token per
  word. With ``max_batch_size > 1`` it embeds batches of requests. An input of token ids (a list of
  ints, or a list of such lists) is embedded by :func:`embedding_of_tokens`, one token per id; asked for
  ``dimensions``, it answers that many numbers (the first of its vector, as a shortened embedding). It
  records every request as it received it (``embedding-request``).

LitSpec messages have no room for extra fields, so the models write what they did to the
server log, one line each (``suite: trace <kind> <json>``, read by
``harness.serving.traces``): every chat piece with the ``time.monotonic()`` at which it was
produced, every embedding batch with its members.
"""

from __future__ import annotations

import json
import os
import time
from typing import Iterator

from litserve.specs import OpenAISpec

from servers.base import InstrumentedAPI
from servers.settings import AppSettings
from servers.toy_answers import embedding_of, embedding_of_tokens
from servers.trace import report


def _words(text) -> list[str]:
    return text.split() if isinstance(text, str) else []


class ChatAPI(InstrumentedAPI):
    """A chat model with a known answer, pace, usage, tool calls and failures (see the module docstring)."""

    def decode_request(self, request, context: dict) -> dict:
        user = request.user or ""
        last = request.messages[-1].content if request.messages else ""
        topic = (_words(last) or [""])[-1]
        self._fail_if_ruled("decode", user, topic)
        context["user"] = user
        return {
            "user": user,
            "topic": topic,
            "pieces": request.max_tokens or self.settings.chunks,
            "prompt_tokens": sum(len(_words(message.content)) for message in request.messages),
            "tool": request.tools[0].function.name if request.tools else "",
        }

    def predict(self, asked: dict) -> Iterator[dict]:
        if asked["tool"]:
            yield self._tool_call(asked)
            return
        pieces = asked["pieces"]
        for index in range(pieces):
            if index:
                time.sleep(self.settings.chunk_pause)
            self._fail_if_ruled("predict", asked["user"], asked["topic"], index=index)
            piece = f"{' ' if index else ''}{asked['topic']}-{index}"
            report("chat-piece", user=asked["user"], topic=asked["topic"], index=index, worker=os.getpid(),
                   produced_at=time.monotonic())
            message = {"role": "assistant", "content": piece}
            if index == pieces - 1:
                message.update(self._usage(asked, completion_tokens=pieces))
            yield message

    def _tool_call(self, asked: dict) -> dict:
        call = {"id": f"call-{asked['topic']}", "type": "function",
                "function": {"name": asked["tool"], "arguments": json.dumps({"topic": asked["topic"]})}}
        report("chat-tool-call", user=asked["user"], topic=asked["topic"], produced_at=time.monotonic())
        return {"role": "assistant", "content": "", "tool_calls": [call], **self._usage(asked, completion_tokens=1)}

    @staticmethod
    def _usage(asked: dict, completion_tokens: int) -> dict:
        return {"prompt_tokens": asked["prompt_tokens"], "completion_tokens": completion_tokens,
                "total_tokens": asked["prompt_tokens"] + completion_tokens}


class EmbeddingAPI(InstrumentedAPI):
    """An embedding model; batched when ``max_batch_size > 1`` (one text per request, LitServe's rule)."""

    def decode_request(self, request, context: dict):
        report("embedding-request", received=request.model_dump(mode="json", exclude_unset=True),
               received_at=time.monotonic())
        texts = request.input if isinstance(request.input, list) else [request.input]
        if texts and isinstance(texts[0], int):  # one list of token ids
            texts = [texts]
        self._fail_if_ruled("decode", *texts)
        dimensions = getattr(request, "dimensions", None)
        return [(text, dimensions) for text in texts] if dimensions else texts

    def predict(self, inputs: list) -> list:
        if self.settings.max_batch_size > 1:  # a batch: one list of texts per request
            report("embedding-batch", members=[_member(texts[0]) for texts in inputs], size=len(inputs), worker=os.getpid(),
                   started_at=time.monotonic())
            self._work()
            return [self._embed(texts) for texts in inputs]
        self._work()
        return self._embed(inputs)

    @staticmethod
    def _embed(texts: list) -> dict:
        return {"embeddings": [_vector(text) for text in texts], "prompt_tokens": sum(map(_tokens, texts))}

    def encode_response(self, output: dict) -> dict:
        tokens = output["prompt_tokens"]
        return {"embeddings": output["embeddings"], "prompt_tokens": tokens, "total_tokens": tokens}


def _member(text) -> str:
    return text[0] if isinstance(text, tuple) else text if isinstance(text, str) else str(text)


def _vector(text) -> list[float]:
    """A text's vector, a token-id list's, or (text, dimensions) -> its first ``dimensions`` numbers."""
    if isinstance(text, tuple):
        return _vector(text[0])[:text[1]]
    return embedding_of_tokens(text) if isinstance(text, list) else embedding_of(text)


def _tokens(text) -> int:
    if isinstance(text, tuple):
        return _tokens(text[0])
    return len(text) if isinstance(text, list) else len(_words(text))


def build_chat(settings: AppSettings) -> ChatAPI:
    return ChatAPI(settings, spec=OpenAISpec())


def build_embeddings(settings: AppSettings) -> EmbeddingAPI:
    from litserve.specs import OpenAIEmbeddingSpec  # from LitServe 0.2.5

    kwargs = {"spec": OpenAIEmbeddingSpec()}
    if settings.max_batch_size > 1:
        kwargs.update(max_batch_size=settings.max_batch_size, batch_timeout=settings.batch_timeout)
    return EmbeddingAPI(settings, **kwargs)
