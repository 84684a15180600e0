"""Faults of the OpenAI-compatible API (features/openai_chat.feature, features/openai_embeddings.feature).

Most of them edit one line of LitServe's own spec code (``litserve/specs/openai.py``,
``openai_embedding.py``): :func:`rewrite` takes the method's source, replaces the text that
``requires`` names, and puts the compiled result in the method's place, so the regression sits
exactly where a LitServe change would put it, and a release whose code differs reports "not
applicable". The specs run in the API server, so these faults act in the main process only
(forked API servers inherit them); the batched-embeddings fault acts in the inference workers.
"""

from __future__ import annotations

import inspect
from typing import Any

from servers.faults.patching import HOOKS, wrap_hook_calls
from servers.faults.registry import NotApplicable, fault, resolve

CHAT = ["openai_chat"]
EMBEDDINGS = ["openai_embeddings"]

_CHAT_SPEC = "litserve.specs.openai.OpenAISpec"
_STREAMING = f"{_CHAT_SPEC}.streaming_completion"
_NON_STREAMING = f"{_CHAT_SPEC}.non_streaming_completion"
_COMPLETION = f"{_CHAT_SPEC}.chat_completion"
_EMBEDDING_SPEC = "litserve.specs.openai_embedding.OpenAIEmbeddingSpec"
_EMBEDDINGS_ENDPOINT = f"{_EMBEDDING_SPEC}.embeddings_endpoint"

_SSE_CHUNK = 'yield f"data: {chunk.model_dump_json(by_alias=True)}\\n\\n"'
_SSE_DONE = 'yield "data: [DONE]\\n\\n"'
_SSE_ERROR = "yield _openai_format_error(e)"
_STREAM_USAGE = "usage=usage_info,"
_STREAM_DELTA = "chat_msg = ChoiceDelta(**encoded_response)"
_CHOICES = "uids = [uuid.uuid4() for _ in range(request.n)]"
_READ_QUEUES = "responses = await self.get_from_queues(uids)"
_TOOL_CALLS = "tool_calls = chat_msg.tool_calls"
_REFUSAL = ("if status == LitAPIStatus.ERROR and isinstance(response, HTTPException):\n"
            "                        raise response")
_ANSWER_USAGE = "return ChatCompletionResponse(model=model, choices=choices, usage=sum(usage_infos))"
_BASE64 = 'struct.pack(f"<{len(item.embedding)}f"'
_EMBEDDING_USAGE = "usage = UsageInfo(**response)"
_EMBEDDING_INDEX = "Embedding(index=i, embedding=embedding)"
_LIST_GUARD = "if num_items > 1 and self._max_batch_size > 1:"


def rewrite(dotted: str, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` in the source of the LitServe method ``dotted`` and install the result."""
    import linecache
    import sys
    import textwrap

    owner_name, attr = dotted.rsplit(".", 1)
    owner = resolve(owner_name)
    function = getattr(owner, attr)
    source = inspect.getsource(function)
    if old not in source:
        raise NotApplicable(f"{dotted} does not contain {old!r}")
    source = textwrap.dedent(source.replace(old, new, 1))
    filename = f"<{dotted} with an injected fault>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)  # tracebacks, getsource
    namespace: dict[str, Any] = {}
    exec(compile(source, filename, "exec"), sys.modules[function.__module__].__dict__, namespace)
    setattr(owner, attr, namespace[attr])


@fault("sse_events_not_separated", features=CHAT, worker=False, requires=[(_STREAMING, _SSE_CHUNK)])
def sse_events_not_separated() -> None:
    """SSE framing broken: chat chunks are sent without the blank line that ends an event."""
    rewrite(_STREAMING, _SSE_CHUNK, 'yield f"data: {chunk.model_dump_json(by_alias=True)}\\n"')


@fault("sse_done_dropped", features=CHAT, worker=False, requires=[(_STREAMING, _SSE_DONE)])
def sse_done_dropped() -> None:
    """[DONE] dropped: a chat stream ends after its last chunk without 'data: [DONE]'."""
    rewrite(_STREAMING, _SSE_DONE, "pass")


@fault("stream_usage_lost", features=CHAT, worker=False, requires=[(_STREAMING, _STREAM_USAGE)])
def stream_usage_lost() -> None:
    """Usage lost: the last chunk of a chat stream carries no usage."""
    rewrite(_STREAMING, _STREAM_USAGE, "usage=None,")


@fault("answer_usage_lost", features=CHAT, worker=False, requires=[(_NON_STREAMING, _ANSWER_USAGE)])
def answer_usage_lost() -> None:
    """Usage lost: a chat answer without streaming reports zero tokens."""
    rewrite(_NON_STREAMING, _ANSWER_USAGE,
             "return ChatCompletionResponse(model=model, choices=choices, usage=UsageInfo())")


@fault("chat_deltas_buffered", features=CHAT, worker=False, requires=[_STREAMING])
def chat_deltas_buffered() -> None:
    """Deltas buffered: a chat stream is sent only once the model has produced every piece."""
    from litserve.specs.openai import OpenAISpec

    original = OpenAISpec.streaming_completion

    async def buffered(self, request, pipe_responses):
        events = [event async for event in original(self, request, pipe_responses)]
        for event in events:
            yield event

    OpenAISpec.streaming_completion = buffered


@fault("chat_choices_collapsed", features=CHAT, worker=False, requires=[(_COMPLETION, _CHOICES)])
def chat_choices_collapsed() -> None:
    """n choices collapsed: a chat request asking for n choices has only one generated."""
    rewrite(_COMPLETION, _CHOICES, "uids = [uuid.uuid4() for _ in range(1)]")


@fault("chat_tool_calls_dropped", features=CHAT, worker=False,
       requires=[(_NON_STREAMING, _TOOL_CALLS), (_STREAMING, _STREAM_DELTA)])
def chat_tool_calls_dropped() -> None:
    """Tool calls dropped: the model's tool calls never reach the chat answer or stream."""
    rewrite(_NON_STREAMING, _TOOL_CALLS, "tool_calls = None")
    rewrite(_STREAMING, _STREAM_DELTA,
             "chat_msg = ChoiceDelta(**{k: v for k, v in encoded_response.items() if k != 'tool_calls'})")


@fault("chat_refusal_status_lost", features=CHAT, worker=False, requires=[(_NON_STREAMING, _REFUSAL)])
def chat_refusal_status_lost() -> None:
    """Refusal status lost: a chat request the model refuses with HTTPException(4xx) is answered 500."""
    rewrite(_NON_STREAMING, _REFUSAL, _REFUSAL.replace("raise response", "raise HTTPException(status_code=500)"))


@fault("chat_requests_share_queues", features=CHAT, worker=False, requires=[(_COMPLETION, _READ_QUEUES)])
def chat_requests_share_queues() -> None:
    """Concurrent chat requests cross: the spec reads its per-request queues (kept on self) after an await."""
    rewrite(_COMPLETION, _READ_QUEUES, f"await asyncio.sleep(0.05); {_READ_QUEUES}")


@fault("failed_chat_stream_looks_complete", features=CHAT, worker=False,
       requires=[(_STREAMING, _SSE_ERROR)])
def failed_chat_stream_looks_complete() -> None:
    """A chat stream that fails midway ends with 'data: [DONE]', like a complete one."""
    rewrite(_STREAMING, _SSE_ERROR, _SSE_DONE)


@fault("base64_byte_order_wrong", features=EMBEDDINGS, worker=False,
       requires=[(_EMBEDDINGS_ENDPOINT, _BASE64)])
def base64_byte_order_wrong() -> None:
    """Base64 embeddings packed big-endian, not as the little-endian float32 numbers clients decode."""
    rewrite(_EMBEDDINGS_ENDPOINT, _BASE64, _BASE64.replace('"<', '">'))


@fault("embedding_usage_lost", features=EMBEDDINGS, worker=False,
       requires=[(_EMBEDDINGS_ENDPOINT, _EMBEDDING_USAGE)])
def embedding_usage_lost() -> None:
    """Usage lost: embedding answers report zero tokens."""
    rewrite(_EMBEDDINGS_ENDPOINT, _EMBEDDING_USAGE, "usage = UsageInfo()")


@fault("embedding_indices_wrong", features=EMBEDDINGS, worker=False,
       requires=[(f"{_EMBEDDING_SPEC}._handle_embedding_response", _EMBEDDING_INDEX)])
def embedding_indices_wrong() -> None:
    """Every embedding of a list answer gets the index 0."""
    rewrite(f"{_EMBEDDING_SPEC}._handle_embedding_response", _EMBEDDING_INDEX,
             "Embedding(index=0, embedding=embedding)")


@fault("batched_list_guard_dropped", features=EMBEDDINGS, worker=False,
       requires=[(_EMBEDDINGS_ENDPOINT, _LIST_GUARD)])
def batched_list_guard_dropped() -> None:
    """A list of texts sent to a batching embedding server is no longer refused."""
    rewrite(_EMBEDDINGS_ENDPOINT, _LIST_GUARD, "if False:")


@fault("batched_embeddings_swapped", features=EMBEDDINGS, requires=HOOKS)
def batched_embeddings_swapped() -> None:
    """Answers swapped in a batch: the first two embeddings of every batch go to each other's client."""

    def wrap(hook: str, context, result):
        if hook == "unbatch" and isinstance(result, list) and len(result) >= 2:
            result = list(result)
            result[0], result[1] = result[1], result[0]
        return result

    wrap_hook_calls(wrap)
