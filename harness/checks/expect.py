"""Assertions on what clients received, with failure messages that say what went wrong in plain words."""

from __future__ import annotations

from hamcrest import assert_that, contains_exactly, equal_to, has_length, less_than_or_equal_to

from harness.checks.batches import Composition
from harness.clients.http import Exchange
from harness.clients.streams import StreamTranscript


def square_request(client: str, number: float) -> dict:
    """The request body the square model expects; the client's name travels with it."""
    return {"client": client, "input": number}


def answers_are_own_squares(exchanges: list[Exchange]) -> None:
    """Every answer is 200 and holds the square of the number that client sent (no swapped answers)."""
    wrong: dict[str, list[str]] = {}
    for exchange in exchanges:
        sent = exchange.request_body
        problems = wrong.setdefault(sent["client"], [])
        if exchange.status != 200:
            problems.append(f"{sent['client']} got status {exchange.status}: {exchange.text[:200]}")
            continue
        answer = exchange.json()
        if answer.get("output") != sent["input"] ** 2:
            problems.append(f"{sent['client']} sent {sent['input']} and got {answer.get('output')!r} instead of {sent['input'] ** 2}")
        if "client" in answer and answer["client"] != sent["client"]:
            problems.append(f"{sent['client']} got the answer meant for {answer['client']}")
    wrong = {client: problems for client, problems in wrong.items() if problems}
    assert_that(wrong, equal_to({}), f"{len(wrong)} of {len(exchanges)} clients got a wrong answer")


def contexts_stay_with_owners(owners_and_values: list[tuple[str, str]]) -> None:
    """Each (client, context value seen at encode time) pair names the same client."""
    wrong = list(dict.fromkeys(f"{owner}'s answer carried the context of {value!r}"
                               for owner, value in owners_and_values if owner != value))
    assert_that(wrong, equal_to([]), "request context moved between requests")


def batches_within(composition: Composition, most_batches: int, max_size: int, requests: int) -> None:
    """At most ``most_batches`` batches, none larger than ``max_size``, consistent with the clients that saw them."""
    assert_that(composition.inconsistencies(), equal_to([]), "the batches reported contradict each other")
    assert_that(max(composition.sizes, default=0), less_than_or_equal_to(max_size),
                f"a batch was larger than the maximum; batch sizes {composition.sizes}")
    assert_that(sum(composition.sizes), equal_to(requests),
                f"the batches do not add up to the {requests} requests sent; batch sizes {composition.sizes}")
    assert_that(composition.count, less_than_or_equal_to(most_batches),
                f"{requests} requests were served in {composition.count} batches (sizes {composition.sizes}), "
                f"more than {most_batches}: they were not grouped")


def stream_has_chunks(transcript: StreamTranscript, expected_texts: list[str]) -> None:
    """The stream holds exactly these chunk texts, in this order."""
    assert_that(transcript.status, equal_to(200), f"the stream was answered with status {transcript.status}")
    assert_that(transcript.texts, contains_exactly(*expected_texts),
                f"the stream for {transcript.request_body!r} did not hold the expected chunks in order")


def streams_are_own(transcripts: list[StreamTranscript], chunks: int) -> None:
    """Every client got exactly its own ``chunks`` chunks, in order, and nothing of anyone else's."""
    for transcript in transcripts:
        client, prompt = transcript.request_body["client"], transcript.request_body["prompt"]
        strangers = [item for item in transcript.items if isinstance(item, dict) and item.get("client") != client]
        assert_that(strangers, has_length(0), f"{client} received chunks that belong to other clients")
        stream_has_chunks(transcript, [f"{prompt}-{index}" for index in range(chunks)])
        assert_that(transcript.ended_cleanly, equal_to(True), f"the stream of {client} did not end cleanly")
