"""Then steps about streams: completeness, order, ownership, incremental delivery, refused and failed streams."""

from behave import then
from hamcrest import assert_that, equal_to, greater_than_or_equal_to, has_length, less_than

import parameter_types  # noqa: F401  (registers the step parameter types)
from common import named_client, only_transcript
from harness.checks import streams


# ---------------------------------------------------------------- complete streams

@then('the client receives exactly {count:d} chunks, "{first}" to "{last}", in order')
def step_exact_chunks(context, count, first, last):
    transcript = only_transcript(context)
    prompt = transcript.request_body["prompt"]
    expected = [f"{prompt}-{index}" for index in range(count)]
    if (expected[0], expected[-1]) != (first, last):
        raise ValueError(f"the scenario's first and last chunk ({first}, {last}) do not match its chunk count "
                         f"({expected[0]} to {expected[-1]}); fix the Examples table")
    streams.stream_has_chunks(transcript, expected)


@then("the stream ends cleanly")
def step_ends_cleanly(context):
    transcript = only_transcript(context)
    assert_that(transcript.error, equal_to(""), "the stream broke off")
    assert_that(transcript.ended_cleanly, equal_to(True), "the stream did not end cleanly")


@then("every client receives its own {chunks:d} chunks in order, and nothing from another client")
def step_own_streams(context, chunks):
    streams.streams_are_own(context.transcripts, chunks)


# ---------------------------------------------------------------- incremental delivery

@then("the first chunk reaches the client before the model has produced half of the chunks")
@then("every client's first chunk arrives before the model has produced half of the chunks")
def step_first_chunks_early(context):
    for transcript in context.transcripts:
        items = transcript.items
        assert_that(len(items), greater_than_or_equal_to(2), "the stream has too few chunks to judge delivery")
        halfway = items[len(items) // 2]["produced_at"]
        first_arrival = transcript.chunks[0].arrived_at
        assert_that(first_arrival, less_than(halfway),
                    f"the first chunk reached {transcript.request_body['client']} "
                    f"{(first_arrival - halfway) * 1000:.0f} ms after the model produced chunk "
                    f"{len(items) // 2} of {len(items)}: the stream was held back, not sent as produced")


@then("the chunks reach the client spread over at least {seconds:g} seconds")
def step_spread(context, seconds):
    chunks = only_transcript(context).chunks
    spread = chunks[-1].arrived_at - chunks[0].arrived_at
    assert_that(spread, greater_than_or_equal_to(seconds),
                f"all chunks arrived within {spread * 1000:.0f} ms of each other: they were sent in one go")


# ---------------------------------------------------------------- refused and failed streams

@then("the stream is answered with status {status:d}")
def step_stream_status(context, status):
    streams.stream_refused(only_transcript(context), status)


@then("the client can tell that its stream did not complete")
def step_stream_incomplete(context):
    transcript = only_transcript(context)
    streams.stream_marked_incomplete(transcript, transcript.request_body.get("chunks", 0))


@then("the client receives no chunks")
def step_no_chunks(context):
    streams.stream_prefix(only_transcript(context), [])


@then("{client:Client} and every client batched with it receive only their first {after:d} chunks, "
      "and every other client its complete stream of {chunks:d} chunks")
def step_batched_stream_failed(context, client, after, chunks):
    for transcript in context.transcripts:
        name, prompt = transcript.request_body["client"], transcript.request_body["prompt"]
        members = next((item.get("members", []) for item in transcript.items if isinstance(item, dict)), [])
        with_failing = name == client or client in members
        expected = after if with_failing else chunks
        streams.stream_prefix(transcript, [f"{prompt}-{i}" for i in range(expected)])
        strangers = [item for item in transcript.items if isinstance(item, dict) and item.get("client") != name]
        assert_that(strangers, has_length(0), f"{name} received chunks that belong to other clients")


@then("every other client receives its own {chunks:d} chunks in order")
def step_other_streams_complete(context, chunks):
    """Every stream but the one an earlier Then singled out."""
    named = named_client(context)
    for transcript in context.transcripts:
        if transcript.request_body["client"] == named:
            continue
        prompt = transcript.request_body["prompt"]
        streams.stream_prefix(transcript, [f"{prompt}-{i}" for i in range(chunks)])


@then("one stream is complete and the other is answered with status {status:d}")
def step_one_complete_one_refused(context, status):
    summary = [(t.request_body["client"], t.status, len(t.chunks)) for t in context.transcripts]
    complete = [t for t in context.transcripts if t.status == 200 and len(t.chunks) == 10]
    refused = [t for t in context.transcripts if t.status == status]
    assert_that((len(complete), len(refused)), equal_to((1, 1)),
                f"streams (client, status, chunks): {summary}; a stream that waited too long must be answered "
                f"{status}, not 200 with an empty body")
