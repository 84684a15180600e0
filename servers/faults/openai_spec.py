"""Faults of the OpenAI API in production configurations and to the letter (features/openai_production.feature,
openai_spec.feature, openai_embeddings_spec.feature).

Like ``servers/faults/openai_api.py``, most edit one line of LitServe's own code with :func:`rewrite`, so
the regression sits where a LitServe change would put it; each names the scenarios that must catch it.
"""

from __future__ import annotations

from servers.faults.openai_api import _COMPLETION, _NON_STREAMING, _STREAMING, _STREAM_USAGE, rewrite
from servers.faults.registry import fault

PRODUCTION = ["openai_production"]
SPEC = ["openai_spec"]
EMBEDDINGS_SPEC = ["openai_embeddings_spec"]

_ASYNC_WRAPPER = "litserve.specs.openai._AsyncOpenAISpecWrapper.encode_response"
_ASYNC_YIELD = "yield self._spec._encode_response(output)"
_BATCHED_LOOP = "litserve.loops.streaming_loops.BatchedStreamingLoop.run_batched_streaming_loop"
_BATCH_ZIP = "for response_queue_id, y_enc, uid in zip(response_queue_ids, y_batch, uids):"
_COPY = "request_el = request.model_copy()"
_STOP = 'choice = ChatCompletionResponseChoice(index=i, message=msg, finish_reason="stop")'
_EMBED_QUEUE = "self.request_queue.put_nowait((response_queue_id, uid, time.monotonic(), request.model_copy()))"
_EMBEDDINGS_ENDPOINT = "litserve.specs.openai_embedding.OpenAIEmbeddingSpec.embeddings_endpoint"


@fault("async_chat_stream_buffered", features=PRODUCTION, scenarios="at the same moment",
       requires=[(_ASYNC_WRAPPER, _ASYNC_YIELD)])
def async_chat_stream_buffered() -> None:
    """An async chat model's pieces are collected in the worker and sent only once the answer is complete."""
    rewrite(_ASYNC_WRAPPER, "async for output in output_generator:\n            " + _ASYNC_YIELD,
            "for output in [o async for o in output_generator]:\n            " + _ASYNC_YIELD)


@fault("batched_chat_streams_crossed", features=PRODUCTION, scenarios="at the same moment",
       requires=[(_BATCHED_LOOP, _BATCH_ZIP)])
def batched_chat_streams_crossed() -> None:
    """In a batched stream, every step's outputs go to the batch's requests in reverse order."""
    rewrite(_BATCHED_LOOP, _BATCH_ZIP,
            "for response_queue_id, y_enc, uid in zip(response_queue_ids, list(y_batch)[::-1], uids):")


@fault("chat_options_dropped", features=SPEC, scenarios="options a client sends", worker=False,
       requires=[(_COMPLETION, _COPY)])
def chat_options_dropped() -> None:
    """The response format and stop sequences are dropped before the request reaches the model."""
    rewrite(_COMPLETION, _COPY, 'request_el = request.model_copy(update={"response_format": None, "stop": None})')


@fault("chat_image_parts_dropped", features=SPEC, scenarios="image parts", worker=False,
       requires=[(_COMPLETION, _COPY)])
def chat_image_parts_dropped() -> None:
    """Only the text parts of a message reach the model: its image parts are dropped."""
    rewrite(_COMPLETION, _COPY, 'request_el = request.model_copy(update={"messages": [m.model_copy(update={'
            '"content": [p for p in m.content if p.type == "text"]}) if isinstance(m.content, list) else m '
            'for m in request.messages]})')


@fault("finish_reason_always_length", features=SPEC, scenarios="finish reason", worker=False,
       requires=[(_NON_STREAMING, _STOP)])
def finish_reason_always_length() -> None:
    """Every chat answer says it was cut by the token limit (finish reason "length")."""
    rewrite(_NON_STREAMING, _STOP, _STOP.replace('"stop"', '"length"'))


@fault("asked_usage_lost", features=SPEC, scenarios="only when the client asks", worker=False,
       requires=[(_STREAMING, _STREAM_USAGE)])
def asked_usage_lost() -> None:
    """A stream asked for its usage carries none."""
    rewrite(_STREAMING, _STREAM_USAGE, "usage=None,")


@fault("schema_errors_are_500", features=SPEC, scenarios="breaks the schema", worker=False,
       requires=["fastapi.applications.request_validation_exception_handler"])
def schema_errors_are_500() -> None:
    """A request that fails validation is answered 500 Internal Server Error, without saying which field."""
    from fastapi import applications
    from fastapi.responses import JSONResponse

    async def as_server_error(request, error):
        return JSONResponse(status_code=500, content={"detail": "Internal Server Error"})

    applications.request_validation_exception_handler = as_server_error


@fault("openai_api_key_ignored", features=SPEC, scenarios="API key opens.*wrong keys",
       requires=["litserve.server.LitServer.setup_auth", "litserve.server.no_auth"], worker=False)
def openai_api_key_ignored() -> None:
    """The API key is not checked on the OpenAI-compatible endpoints (nor anywhere else)."""
    from litserve import server

    server.LitServer.setup_auth = lambda self, lit_api=None: server.no_auth


@fault("embedding_dimensions_dropped", features=EMBEDDINGS_SPEC, scenarios="dimensions", worker=False,
       requires=[(_EMBEDDINGS_ENDPOINT, _EMBED_QUEUE)])
def embedding_dimensions_dropped() -> None:
    """An embedding request's dimensions are dropped before it reaches the model."""
    rewrite(_EMBEDDINGS_ENDPOINT, _EMBED_QUEUE, _EMBED_QUEUE.replace("request.model_copy()",
                                                                     'request.model_copy(update={"dimensions": None})'))
