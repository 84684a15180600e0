"""Checks of the OpenAI chat API in production configurations (features/openai_production.feature).

A stream is read either on the wire (:class:`SSETranscript`) or through the openai client
(:class:`SdkCall`); :func:`seen` turns both into one :class:`SeenStream`, so that every Then reads the
same facts: whose stream it was, the pieces it carried, when the first one arrived, and whether it
ended as a complete answer. What the model did comes from its traces (``servers/openai_letter_apps.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from hamcrest import assert_that, equal_to, greater_than_or_equal_to, less_than_or_equal_to

from harness.checks.openai import pieces
from harness.clients.openai_sdk import SdkCall
from harness.clients.sse import DONE, SSETranscript


@dataclass
class SeenStream:
    """One chat stream as its client saw it."""

    user: str
    deltas: list[str]
    first_piece_at: float | None
    complete: bool
    how: str  # what the client got, for failure messages


def seen(stream: SSETranscript | SdkCall) -> SeenStream:
    """The facts of a stream read on the wire or through the openai client."""
    if isinstance(stream, SdkCall):
        arrivals = [(at, c.delta.content) for at, chunk in stream.chunks for c in chunk.choices
                    if c.delta and c.delta.content]
        reasons = [c.finish_reason for _, chunk in stream.chunks for c in chunk.choices if c.finish_reason]
        return SeenStream(stream.arguments.get("user", ""), [text for _, text in arrivals],
                          arrivals[0][0] if arrivals else None, stream.error is None and bool(reasons),
                          stream.describe()[:600])
    arrivals = [(chunk.arrived_at, choice["delta"]["content"]) for chunk in stream.chunks if chunk.raw != DONE
                and isinstance(chunk.data, dict) for choice in chunk.data.get("choices", [])
                if (choice.get("delta") or {}).get("content")]
    done = stream.wire.replace("\r\n", "\n").endswith("data: [DONE]\n\n")
    return SeenStream(stream.request_body.get("user", ""), [text for _, text in arrivals],
                      arrivals[0][0] if arrivals else None, stream.status == 200 and done, stream.wire[-600:])


def own_complete(stream: SeenStream, count: int, topic: str) -> None:
    """The stream carries exactly the ``count`` pieces about ``topic``, in order, and ended as a complete answer."""
    assert_that(stream.deltas, equal_to(pieces(f"{topic}-0", count)),
                f"the stream of {stream.user} does not carry its own {count} pieces about {topic!r}, in order: "
                f"{stream.deltas}")
    assert_that(stream.complete, equal_to(True), f"the stream of {stream.user} did not end as a complete answer: "
                f"{stream.how}")


def first_piece_before_last_produced(stream: SeenStream, produced: list[dict]) -> None:
    """The stream's first piece reached its client before the model produced the stream's last piece."""
    assert_that(len(produced), greater_than_or_equal_to(2), f"the model's log shows {len(produced)} pieces for {stream.user}")
    last = max(p["produced_at"] for p in produced)
    assert_that(stream.first_piece_at is not None and stream.first_piece_at < last, equal_to(True),
                f"the first piece of {stream.user} reached it "
                f"{'never' if stream.first_piece_at is None else f'{1000 * (stream.first_piece_at - last):.0f} ms after'}"
                f" the model produced its last piece: the stream was held back")


def produced_at_once(by_user: dict[str, list[dict]]) -> None:
    """Every stream was being produced at one common moment: each began before any other ended."""
    starts = {user: min(p["produced_at"] for p in made) for user, made in by_user.items()}
    ends = {user: max(p["produced_at"] for p in made) for user, made in by_user.items()}
    assert_that(max(starts.values()) < min(ends.values()), equal_to(True),
                f"the streams were not produced at the same time: one began "
                f"{1000 * (max(starts.values()) - min(ends.values())):.0f} ms after another had ended")


def produced_by_workers(by_user: dict[str, list[dict]], workers: int) -> None:
    """Each stream was produced by one worker, each by a different one, ``workers`` in all."""
    pids = {user: sorted({p["worker"] for p in made}) for user, made in by_user.items()}
    used = [pid for found in pids.values() for pid in found]
    assert_that((len(used), len(set(used))), equal_to((workers, workers)),
                f"the {len(pids)} streams were not produced by {workers} workers, one each: {pids}")


def produced_in_one_worker(by_user: dict[str, list[dict]]) -> None:
    pids = {p["worker"] for made in by_user.values() for p in made}
    assert_that(len(pids), equal_to(1), f"the streams were produced by {len(pids)} workers, not one: {sorted(pids)}")


def batched_together(batches: list[dict], users: list[str], at_least: int) -> None:
    """At least ``at_least`` of the users' streams were produced in one batch, as the model's log shows."""
    sizes = [len([m for m in batch["members"] if m in users]) for batch in batches]
    assert_that(max(sizes, default=0), greater_than_or_equal_to(at_least),
                f"no {at_least} of the {len(users)} streams were produced in one batch; batches: {batches}")


def stopped_after_leaving(produced: list[dict], left_at: float, most: int) -> None:
    """The model produced at most ``most`` pieces of the stream after its client left."""
    after = sorted(p["index"] for p in produced if p["produced_at"] > left_at)
    assert_that(len(after), less_than_or_equal_to(most),
                f"the model went on producing the answer of the client that left: {len(after)} more piece(s) "
                f"(numbers {after[:3]}...{after[-2:]}) after it left, while the limit is {most}")


def served_before(first_piece_at: float | None, deadline: float, what: str) -> None:
    assert_that(first_piece_at is not None and first_piece_at < deadline, equal_to(True),
                f"the next client's first piece came {what}")

