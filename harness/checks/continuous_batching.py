"""Checks on continuous batching: which sequences each step advanced (the ``step`` traces of the toy LLM,
``servers/llm_apps.py``) against what every client received.

A step trace is ``{"step", "members", "first_tokens", "left", "quiet", "outputs", "started_at", "produced_at",
"finished_at", "worker"}``; ``members`` are the clients whose sequence got a token in that step, ``quiet`` those
whose sequence was still thinking (no token), ``outputs`` how many outputs the model's ``step`` returned. A client's request body is
``{"client", "prompt", "tokens"}``; its chunks are ``{"client", "index", "text", "step", "produced_at"}``.
"""

from __future__ import annotations

from dataclasses import dataclass

from hamcrest import assert_that, contains_exactly, empty, equal_to

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
