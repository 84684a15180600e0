"""Checks of continuous batching (harness/checks/continuous_batching.py): steps that made no token (a sequence
still thinking), and the toy model behind the OpenAI-compatible API."""

from __future__ import annotations

import pytest

from harness.checks import continuous_batching as cb
from harness.clients.openai_sdk import SdkCall
from harness.clients.sse import SSETranscript
from harness.clients.streams import Chunk

_PIECE = '{"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": "%s"}}]}'
_FINISH = '{"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}'
_ERROR = '{"error": {"message": "Internal Server Error", "type": "internal"}}'


def _body(client: str = "client-1", tokens: int = 2, stream: bool = True) -> dict:
    return {"user": client, "max_tokens": tokens, "stream": stream,
            "messages": [{"role": "user", "content": "tell me a story"}]}


def _wire(raws: list[str], *, unterminated: str = "", body: dict | None = None) -> SSETranscript:
    transcript = SSETranscript("http://x/v1/chat/completions", body or _body(), status=200)
    transcript.chunks = [Chunk(10.0 + i, raw) for i, raw in enumerate(raws)]
    transcript.wire = "".join(f"data: {raw}\n\n" for raw in raws) + unterminated
    return transcript


def _steps(tokens: list[str], client: str = "client-1") -> list[dict]:
    return [{"step": i + 1, "members": [client], "first_tokens": [client] if i == 0 else [], "left": [],
             "tokens": {client: token}} for i, token in enumerate(tokens)]


def test_a_complete_stream_of_its_own_tokens_from_its_steps_passes():
    answer = cb.chat_answer(_wire([_PIECE % "story-0", _PIECE % " story-1", _FINISH, "[DONE]"]))
    cb.own_chat_tokens(answer, _steps(["story-0", " story-1"]))
    cb.chat_stream_ends(answer, "stop", done_marker=True)


def test_a_token_no_step_made_or_a_missing_done_fail():
    answer = cb.chat_answer(_wire([_PIECE % "story-0", _PIECE % " story-1", _FINISH]))
    with pytest.raises(AssertionError, match="not those that the steps"):
        cb.own_chat_tokens(answer, _steps(["story-0"]))
    with pytest.raises(AssertionError, match=r"did not end with \[DONE\]"):
        cb.chat_stream_ends(answer, "stop", done_marker=True)


def test_an_error_event_no_blank_line_ends_is_what_the_client_got_instead():
    answer = cb.chat_answer(_wire([], unterminated=f"data: {_ERROR}"))
    with pytest.raises(AssertionError, match="the stream of client-1 ended with an error event instead of its "
                                             "tokens: Internal Server Error"):
        cb.own_chat_tokens(answer, [])


def test_a_broken_connection_and_an_empty_openai_client_stream_are_told_in_words():
    broken = _wire([])
    broken.error = "RemoteProtocolError: peer closed connection"
    with pytest.raises(AssertionError, match="ended with a broken connection instead of its tokens"):
        cb.own_chat_tokens(cb.chat_answer(broken), [])
    empty = SdkCall("chat.completions.create", _body())
    with pytest.raises(AssertionError, match="ended with no chunk at all, and no error, instead of its tokens"):
        cb.own_chat_tokens(cb.chat_answer(empty), [])


def test_a_whole_answer_is_its_tokens_joined_and_an_error_status_is_told():
    whole = SSETranscript("http://x", _body(stream=False), status=200)
    whole.wire = ('{"choices": [{"index": 0, "message": {"role": "assistant", "content": "story-0 story-1"}, '
                  '"finish_reason": "stop"}]}')
    answer = cb.chat_answer(whole)
    cb.own_chat_tokens(answer, _steps(["story-0", " story-1"]))
    cb.chat_whole_answer(answer, "stop")
    failed = SSETranscript("http://x", _body(stream=False), status=500, wire='{"detail":"Internal Server Error"}')
    with pytest.raises(AssertionError, match="the answer of client-1 was status 500 instead of its tokens: "
                                             "Internal Server Error"):
        cb.own_chat_tokens(cb.chat_answer(failed), [])


# ---------------------------------------------------------------- a sequence still thinking

def _step(number: int, members=(), quiet=(), outputs=None, first=()) -> dict:
    return {"step": number, "members": list(members), "first_tokens": list(first), "left": [], "quiet": list(quiet),
            "outputs": len(members) if outputs is None else outputs, "produced_at": float(number)}


STEPS = [_step(1, quiet=["client-1"]), _step(2, quiet=["client-1"]),
         _step(3, members=["client-2"], quiet=["client-1"], first=["client-2"]),
         _step(4, members=["client-1"], first=["client-1"])]


def test_empty_steps_while_thinking_are_counted():
    cb.thought_in_empty_steps(STEPS, "client-1", 2)
    with pytest.raises(AssertionError, match="only 2 step"):
        cb.thought_in_empty_steps(STEPS, "client-1", 3)


def test_a_step_that_returned_outputs_is_not_empty_even_with_no_member():
    steps = [_step(1, quiet=["client-1"], outputs=1)]  # e.g. an error output for another sequence
    with pytest.raises(AssertionError, match="only 0 step"):
        cb.thought_in_empty_steps(steps, "client-1", 1)


def test_a_client_joining_while_another_thinks():
    cb.joined_while_thinking(STEPS, "client-2", "client-1")
    late = STEPS[:2] + [_step(3, members=["client-1", "client-2"], first=["client-1", "client-2"])]
    with pytest.raises(AssertionError, match="did not get tokens while client-1 was thinking"):
        cb.joined_while_thinking(late, "client-2", "client-1")
