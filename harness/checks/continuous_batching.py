"""Checks on continuous batching: which sequences each step advanced (the ``step`` traces of the toy LLM,
``servers/llm_apps.py``) against what every client received, in its own streams or behind the OpenAI-compatible
API (:class:`ChatAnswer`, on the wire or through the openai client).

A step trace is ``{"step", "members", "first_tokens", "left", "tokens", "quiet", "outputs", "started_at",
"produced_at", "finished_at", "worker"}``; ``members`` are the clients whose sequence got a token in that step,
``tokens`` the token it made for each, ``quiet`` those whose sequence was still thinking (no token), ``outputs``
how many outputs the model's ``step`` returned. A client's request body is
``{"client", "prompt", "tokens"}``; its chunks are ``{"client", "index", "text", "step", "produced_at"}``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from hamcrest import assert_that, contains_exactly, empty, equal_to

from harness.clients.openai_sdk import SdkCall
from harness.clients.sse import DONE, SSETranscript
from harness.clients.streams import StreamTranscript


@dataclass(frozen=True)
class Sequence:
    """One client's sequence as the steps and its stream tell it."""

    client: str
    sent_at: float
    asked: int
    steps: list[int]          # the steps whose trace lists the client, in order
    first_token_at: float     # server-side time of its first token (0.0: none)


def sequences(transcripts: list[StreamTranscript], steps: list[dict]) -> dict[str, Sequence]:
    """Every client's :class:`Sequence`, by client name."""
    found = {}
    for transcript in transcripts:
        client = transcript.request_body["client"]
        mine = [s for s in steps if client in s["members"]]
        found[client] = Sequence(client, transcript.sent_at, int(transcript.request_body["tokens"]),
                                 [s["step"] for s in mine], mine[0]["produced_at"] if mine else 0.0)
    return found


def own_tokens(transcript: StreamTranscript, steps: list[dict], count: int) -> None:
    """The client got exactly its first ``count`` tokens, in order, each from a step that lists its sequence."""
    client, prompt = transcript.request_body["client"], transcript.request_body["prompt"]
    assert_that(transcript.status, equal_to(200), f"the stream of {client} was answered with status {transcript.status}")
    strangers = [item for item in transcript.items if not isinstance(item, dict) or item.get("client") != client]
    assert_that(strangers, empty(), f"{client} received chunks that are not its own tokens")
    assert_that(transcript.texts, contains_exactly(*[f"{prompt}-{i}" for i in range(count)]) if count else empty(),
                f"{client} did not receive exactly its tokens {prompt}-0 to {prompt}-{count - 1}, in order")
    from_steps = [item["step"] for item in transcript.items]
    traced = [s["step"] for s in steps if client in s["members"]]
    assert_that(from_steps, equal_to(traced),
                f"{client}'s tokens came from steps {from_steps}, but the steps that advanced its sequence were "
                f"{traced}: a step advanced it without sending the token, or sent a token it did not make")


def at_most_active(steps: list[dict], limit: int) -> None:
    """No step advanced more than ``limit`` sequences."""
    crowded = [(s["step"], s["members"]) for s in steps if len(s["members"]) > limit]
    assert_that(crowded, empty(), f"steps that advanced more than {limit} sequences (step, sequences)")


def joined_beside(steps: list[dict], late: str, older: str) -> None:
    """``late``'s first token came in a step that also advanced ``older``'s sequence."""
    first = next((s for s in steps if late in s["first_tokens"]), None)
    assert_that(first is not None, equal_to(True), f"no step produced a first token for {late}")
    older_steps = [s["step"] for s in steps if older in s["members"]]
    assert_that(older in first["members"], equal_to(True),
                f"{late}'s first token came in step {first['step']} with {first['members']}, "
                f"after {older}'s sequence (steps {older_steps[:1]}..{older_steps[-1:]}): "
                f"the late request waited for the running sequence to finish")


def waited_at_most(found: dict[str, Sequence], steps: list[dict], limit: float) -> None:
    """Every client whose first token came after a sequence left (a slot freed after it asked) got it
    within ``limit`` seconds of that first slot freeing."""
    leaves = sorted(s["finished_at"] for s in steps if s.get("left"))
    late = []
    for seq in found.values():
        freed = next((t for t in leaves if t > seq.sent_at), None)
        if freed is not None and seq.first_token_at > freed and seq.first_token_at - freed > limit:
            late.append(f"{seq.client}: {1000 * (seq.first_token_at - freed):.0f} ms (first token in step "
                        f"{seq.steps[0] if seq.steps else None})")
    assert_that(late, empty(), f"clients whose first token came more than {limit * 1000:.0f} ms after a slot "
                               f"freed for them")


def thought_in_empty_steps(steps: list[dict], client: str, at_least: int) -> None:
    """At least ``at_least`` steps returned no output at all (an empty list) while ``client``'s sequence was
    thinking: the scenario really gave LitServe steps with nothing in them."""
    empty_steps = [s["step"] for s in steps if client in s.get("quiet", []) and s.get("outputs") == 0]
    thinking = [s["step"] for s in steps if client in s.get("quiet", [])]
    assert_that(len(empty_steps) >= at_least, equal_to(True),
                f"only {len(empty_steps)} step(s) returned no output at all while {client} was thinking "
                f"(steps {empty_steps}; {client} thought in steps {thinking}): LitServe was not given {at_least} "
                f"empty steps")


def joined_while_thinking(steps: list[dict], late: str, thinker: str) -> None:
    """``late``'s first token came in a step in which ``thinker``'s sequence was still thinking (no token)."""
    first = next((s for s in steps if late in s["first_tokens"]), None)
    assert_that(first is not None, equal_to(True), f"no step produced a first token for {late}")
    thinking = [s["step"] for s in steps if thinker in s.get("quiet", [])]
    assert_that(thinker in first.get("quiet", []), equal_to(True),
                f"{late}'s first token came in step {first['step']}, but {thinker} was thinking in steps {thinking}: "
                f"{late} did not get tokens while {thinker} was thinking")


#: Two clients asked one after the other if their requests left this far apart (the clients "at the start"
#: are a few ms apart; a cue keyed to another stream is at least a step later).
ASKED_APART_SECONDS = 0.05


def first_tokens_in_order(found: dict[str, Sequence]) -> None:
    """A client that asked later than another gets its first token in the same step as that one or later:
    a waiting request is not overtaken."""
    first = {name: seq.steps[0] if seq.steps else None for name, seq in found.items()}
    overtaken = [(a.client, first[a.client], b.client, first[b.client]) for a in found.values() for b in found.values()
                 if b.sent_at - a.sent_at > ASKED_APART_SECONDS and first[b.client] is not None
                 and (first[a.client] is None or first[b.client] < first[a.client])]
    assert_that(overtaken, empty(), "(earlier client, its first step, later client, its first step): a request "
                                    "that asked later got its first token before one that was waiting")


# ---------------------------------------------------------------- behind the OpenAI-compatible API

@dataclass(frozen=True)
class ChatAnswer:
    """What one client of the toy LLM behind ``OpenAISpec`` got, on the wire or through the openai client.

    Its request names the client (``user``), the prompt (the last word of its message) and the number of tokens
    (``max_tokens``). ``pieces`` are the content deltas of a stream, or the one message of a whole answer;
    ``finish_reasons`` those of its chunks (of its choice); ``done``: the stream ended with ``[DONE]`` (None: the
    client does not show it, as the openai client does not). ``instead``: what the client got instead of an answer
    (an error event, an error status, an exception), in words, and ``detail`` its message; "" when it got one.
    """

    client: str
    prompt: str
    asked: int
    streamed: bool
    pieces: list[str]
    finish_reasons: list[str]
    last_finish: str | None   # the finish reason of the stream's last chunk (of the whole answer)
    done: bool | None
    instead: str
    detail: str
    sent_at: float
    finished_at: float

    @property
    def text(self) -> str:
        return "".join(self.pieces)


def chat_answer(call: SSETranscript | SdkCall) -> ChatAnswer:
    """The :class:`ChatAnswer` of a chat request read on the wire (``read_sse``) or through the openai client."""
    asked = call.arguments if isinstance(call, SdkCall) else call.request_body
    words = str(asked["messages"][-1]["content"]).split()
    common = {"client": asked.get("user", ""), "prompt": words[-1] if words else "", "asked": int(asked["max_tokens"]),
              "streamed": bool(asked.get("stream")), "sent_at": call.sent_at, "finished_at": call.finished_at}
    if isinstance(call, SdkCall):
        return _sdk_answer(call, common)
    return _wire_answer(call, common)


def _sdk_answer(call: SdkCall, common: dict) -> ChatAnswer:
    if call.error is not None:
        return ChatAnswer(**common, pieces=[], finish_reasons=[], last_finish=None, done=None,
                          instead=f"{type(call.error).__name__} raised by the openai client", detail=str(call.error))
    if common["streamed"]:
        choices = [c for _, chunk in call.chunks for c in chunk.choices]
        last = call.chunks[-1][1].choices if call.chunks else []
        return ChatAnswer(**common, pieces=[c.delta.content for c in choices if c.delta and c.delta.content],
                          finish_reasons=[c.finish_reason for c in choices if c.finish_reason],
                          last_finish=last[0].finish_reason if last else None, done=None,
                          instead="" if call.chunks else "no chunk at all, and no error,", detail="")
    choice = call.result.choices[0] if call.result and call.result.choices else None
    return ChatAnswer(**common, pieces=[choice.message.content or ""] if choice else [],
                      finish_reasons=[choice.finish_reason] if choice and choice.finish_reason else [],
                      last_finish=choice.finish_reason if choice else None, done=None,
                      instead="" if choice else "an answer without a choice", detail="" if choice else call.describe())


def _wire_answer(transcript: SSETranscript, common: dict) -> ChatAnswer:
    if transcript.status != 200:
        return ChatAnswer(**common, pieces=[], finish_reasons=[], last_finish=None, done=False,
                          instead=f"status {transcript.status}",
                          detail=_detail(transcript.wire))
    if not common["streamed"]:
        choice = (_json(transcript.wire) or {}).get("choices", [{}])[0]
        content = (choice.get("message") or {}).get("content")
        return ChatAnswer(**common, pieces=[content] if content is not None else [],
                          finish_reasons=[choice["finish_reason"]] if choice.get("finish_reason") else [],
                          last_finish=choice.get("finish_reason"), done=False,
                          instead="" if content is not None else "an answer without a message",
                          detail="" if content is not None else transcript.wire[:300])
    if transcript.error:  # the connection broke off (a transport error) before the stream ended
        return ChatAnswer(**common, pieces=[], finish_reasons=[], last_finish=None, done=False,
                          instead="a broken connection", detail=transcript.error)
    events = [e for e in transcript.data_events if isinstance(e, dict)]
    unterminated = _json(transcript.unterminated.removeprefix("data: "))  # an event no blank line ends
    errors = [e["error"] for e in events + ([unterminated] if isinstance(unterminated, dict) else []) if "error" in e]
    choices = [c for e in events for c in e.get("choices", [])]
    last = events[-1].get("choices", []) if events else []
    return ChatAnswer(**common, pieces=[(c.get("delta") or {}).get("content") for c in choices
                                        if (c.get("delta") or {}).get("content")],
                      finish_reasons=[c["finish_reason"] for c in choices if c.get("finish_reason")],
                      last_finish=last[0].get("finish_reason") if last else None, done=bool(transcript.chunks) and transcript.chunks[-1].raw == DONE,
                      instead="an error event" if errors else "", detail=_error_message(errors[0]) if errors else "")


def _json(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return None


def _detail(body: str) -> str:
    found = _json(body)
    return str(found.get("detail", found)) if isinstance(found, dict) else body[:300]


def _error_message(error) -> str:
    return str(error.get("message", error)) if isinstance(error, dict) else str(error)


def own_chat_tokens(answer: ChatAnswer, steps: list[dict]) -> None:
    """The client got exactly its own tokens ("story-0", " story-1", ...; joined, for a whole answer), in order, and
    exactly the tokens that the steps whose trace lists its sequence made for it."""
    client = answer.client
    got = f"the stream of {client} ended with" if answer.streamed else f"the answer of {client} was"
    assert_that(answer.instead, equal_to(""), f"{got} {answer.instead} instead of its tokens"
                                              + (f": {answer.detail[:300]}" if answer.detail else ""))
    expected = [f"{' ' if i else ''}{answer.prompt}-{i}" for i in range(answer.asked)]
    made = [s["tokens"][client] for s in steps if client in s["members"] and client in s.get("tokens", {})]
    if answer.streamed:
        assert_that(answer.pieces, equal_to(expected), f"{client} did not receive exactly its {answer.asked} tokens "
                                                       f"{expected[0]!r} to {expected[-1]!r}, in order")
        assert_that(answer.pieces, equal_to(made),
                    f"{client}'s tokens are not those that the steps that advanced its sequence made for it: a step "
                    f"advanced it without sending the token, or a token was sent that no step made")
    else:
        assert_that(answer.text, equal_to("".join(expected)),
                    f"{client}'s answer is not exactly its {answer.asked} tokens, in order")
        assert_that(answer.text, equal_to("".join(made)),
                    f"{client}'s answer is not the text that the steps that advanced its sequence made for it")


def chat_stream_ends(answer: ChatAnswer, reason: str, done_marker: bool) -> None:
    """The stream's last chunk has the finish reason ``reason`` (the only one), then (``done_marker``) ``[DONE]``."""
    assert_that((answer.finish_reasons, answer.last_finish), equal_to(([reason], reason)),
                f"the stream of {answer.client} did not end with one last chunk whose finish reason is {reason!r} "
                f"(finish reasons {answer.finish_reasons}, the last chunk's {answer.last_finish!r})"
                + (f"; it ended with {answer.instead.rstrip(',')}" if answer.instead else "")
                + (f": {answer.detail[:300]}" if answer.detail else ""))
    if done_marker:
        assert_that(answer.done, equal_to(True), f"the stream of {answer.client} did not end with [DONE]")


def chat_whole_answer(answer: ChatAnswer, reason: str) -> None:
    """A whole (not streamed) answer: one assistant message with the finish reason ``reason``."""
    assert_that((answer.instead, answer.finish_reasons), equal_to(("", [reason])),
                f"the answer of {answer.client} is not one message with the finish reason {reason!r}")
