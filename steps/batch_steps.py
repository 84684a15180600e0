"""Then steps about batches: how requests were grouped and whether per-request values stayed put."""

from behave import then

from harness.checks import expect
from harness.reporting import attachments
from harness.checks.batches import Composition


def composition_of(context) -> Composition:
    """The batches seen by the clients of the last When step (answers or streams); attached to the report."""
    transcripts = getattr(context, "transcripts", None)
    if transcripts:
        composition = Composition.from_streams({t.request_body["client"]: t.items for t in transcripts})
    else:
        composition = Composition.from_answers([e.json() for e in context.exchanges])
    attachments.attach_batches(composition)
    return composition


def _request_count(context) -> int:
    transcripts = getattr(context, "transcripts", None)
    return len(transcripts) if transcripts else len(context.exchanges)


@then("they are answered in at most {most:d} batches of at most {max_size:d}")
def step_batches_within(context, most, max_size):
    expect.batches_within(composition_of(context), most, max_size, _request_count(context))


@then("every client's request context stays with its own answer")
def step_context_stays(context):
    transcripts = getattr(context, "transcripts", None)
    if transcripts:
        pairs = [(t.request_body["client"], item.get("context_client"))
                 for t in transcripts for item in t.items if isinstance(item, dict)]
    else:
        pairs = [(e.request_body["client"], e.json().get("context_client")) for e in context.exchanges]
    expect.contexts_stay_with_owners(pairs)
