"""Faults in LitServe's core serving paths: dynamic batching and streaming."""

from __future__ import annotations

from servers.faults.patching import COLLATE, HOOKS, STREAMER, collate_with, replace_streamer, wrap_hook_calls
from servers.faults.registry import fault

BATCHING = ["dynamic_batching", "streaming_batching"]
STREAMING = ["single_streaming", "streaming_batching"]


# --- the faults -------------------------------------------------------------------------------


@fault("batching_off", features=BATCHING, requires=COLLATE)
def batching_off() -> None:
    """Batching off: one request per predict call, whatever max_batch_size says."""
    collate_with(lambda api: {"max_batch_size": 1})


@fault("batch_size_exceeded", features=BATCHING, requires=COLLATE)
def batch_size_exceeded() -> None:
    """Batches of up to max_batch_size + 1 requests."""
    collate_with(lambda api: {"max_batch_size": api.max_batch_size + 1})


@fault("window_ignored", features=["dynamic_batching"], requires=COLLATE)
def window_ignored() -> None:
    """Batch window ignored: batches take only what is already waiting (batch_timeout treated as 0)."""
    collate_with(lambda api: {"batch_timeout": 0.0})


@fault("window_stretched", features=["dynamic_batching"], requires=COLLATE)
def window_stretched() -> None:
    """Batch window stretched: LitServe waits twice the batch_timeout for a batch to fill."""
    collate_with(lambda api: {"batch_timeout": api.batch_timeout * 2})


@fault("answers_swapped", features=BATCHING, requires=HOOKS)
def answers_swapped() -> None:
    """Answers swapped: the first two outputs of every batch (every step of a batched stream) change places."""

    def swap(items: list) -> list:
        items = list(items)
        if len(items) >= 2:
            items[0], items[1] = items[1], items[0]
        return items

    def wrap(hook: str, context, result):
        if hook != "unbatch":
            return result
        if isinstance(result, list):
            return swap(result)
        return (swap(step) for step in result)  # a batched stream: one list per step

    wrap_hook_calls(wrap)


@fault("context_mixed", features=BATCHING, requires=HOOKS)
def context_mixed() -> None:
    """Contexts mixed up: after decode_request, each request of a batch gets its neighbour's context."""

    def wrap(hook: str, context, result):
        if hook == "before batch" and isinstance(context, list) and len(context) >= 2:
            context[:] = context[1:] + context[:1]
        return result

    wrap_hook_calls(wrap)


@fault("stream_buffered", features=STREAMING, requires=STREAMER)
def stream_buffered() -> None:
    """Stream buffered: the server collects the whole stream before it sends the first chunk."""

    async def buffered(chunks):
        collected = [chunk async for chunk in chunks]
        for chunk in collected:
            yield chunk

    replace_streamer(buffered)


@fault("last_chunk_dropped", features=STREAMING, requires=STREAMER)
def last_chunk_dropped() -> None:
    """Last chunk dropped: every stream ends cleanly but without its last chunk."""

    async def all_but_last(chunks):
        held = None
        async for chunk in chunks:
            if held is not None:
                yield held
            held = chunk

    replace_streamer(all_but_last)


@fault("chunks_reordered", features=STREAMING, requires=STREAMER)
def chunks_reordered() -> None:
    """Chunks reordered: the first two chunks of every stream are sent in swapped order."""

    async def first_two_swapped(chunks):
        first = None
        index = 0
        async for chunk in chunks:
            if index == 0:
                first = chunk
            elif index == 1:
                yield chunk
                yield first
                first = None
            else:
                yield chunk
            index += 1
        if first is not None:
            yield first

    replace_streamer(first_two_swapped)
