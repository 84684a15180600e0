"""Then steps about batches: how requests were grouped and whether per-request values stayed put."""

from behave import then

from harness.checks import batches
from harness.checks.batches import Composition
from harness.reporting import attachments


def composition_of(context) -> Composition:
    """The batches seen by the clients of the last When step (answers or streams); attached to the report."""
    if context.transcripts:
        composition = Composition.from_streams({t.request_body["client"]: t.items for t in context.transcripts})
    else:
        composition = Composition.from_answers([e.json() for e in context.exchanges])
    attachments.attach_batches(composition)
    return composition


@then("they are answered in at most {most:d} batches of at most {max_size:d}")
def step_batches_within(context, most, max_size):
    requests = len(context.transcripts) or len(context.exchanges)
    batches.batches_within(composition_of(context), most, max_size, requests)


@then("every client's request context stays with its own answer")
def step_context_stays(context):
    if context.transcripts:
        pairs = [(t.request_body["client"], item.get("context_client"))
                 for t in context.transcripts for item in t.items if isinstance(item, dict)]
    else:
        pairs = [(e.request_body["client"], e.json().get("context_client")) for e in context.exchanges]
    batches.contexts_stay_with_owners(pairs)
