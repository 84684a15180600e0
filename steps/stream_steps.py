"""Then steps about streams: completeness, order, ownership and incremental delivery."""

from behave import then
from hamcrest import assert_that, equal_to, greater_than_or_equal_to, less_than

from harness.checks import expect


def _only_transcript(context):
    (transcript,) = context.transcripts
    return transcript


@then('the client receives exactly {count:d} chunks, "{first}" to "{last}", in order')
def step_exact_chunks(context, count, first, last):
    transcript = _only_transcript(context)
    prompt = transcript.request_body["prompt"]
    expected = [f"{prompt}-{index}" for index in range(count)]
    assert_that((expected[0], expected[-1]), equal_to((first, last)), "the scenario's first and last chunk "
                "do not match its chunk count; fix the Examples table")
    expect.stream_has_chunks(transcript, expected)


@then("the stream ends cleanly")
def step_ends_cleanly(context):
    transcript = _only_transcript(context)
    assert_that(transcript.error, equal_to(""), "the stream broke off")
    assert_that(transcript.ended_cleanly, equal_to(True), "the stream did not end cleanly")


@then("the first chunk reaches the client before the model has produced half of the chunks")
def step_first_chunk_early(context):
    _first_chunks_early(context.transcripts)


@then("every client's first chunk arrives before the model has produced half of the chunks")
def step_every_first_chunk_early(context):
    _first_chunks_early(context.transcripts)


def _first_chunks_early(transcripts) -> None:
    for transcript in transcripts:
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
    chunks = _only_transcript(context).chunks
    spread = chunks[-1].arrived_at - chunks[0].arrived_at
    assert_that(spread, greater_than_or_equal_to(seconds),
                f"all chunks arrived within {spread * 1000:.0f} ms of each other: they were sent in one go")


@then("every client receives its own {chunks:d} chunks in order, and nothing from another client")
def step_own_streams(context, chunks):
    expect.streams_are_own(context.transcripts, chunks)
