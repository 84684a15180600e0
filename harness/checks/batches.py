"""Batch composition: which request ran in which ``predict`` call, as the apps report it.

Batched answers carry ``trace = {batch, size, members, worker, started_at, finished_at}``;
batched stream chunks carry ``batch``, ``batch_size`` and ``members``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from hamcrest import assert_that, equal_to, less_than_or_equal_to


class MissingTrace(AssertionError):
    """An answer does not say which batch it ran in (the app is not batched, or the answer is an error)."""


@dataclass
class Batch:
    """One call of the model's ``predict``."""

    batch: str
    size: int
    members: list[str]
    worker: int | None = None
    started_at: float | None = None
    finished_at: float | None = None
    seen_by: list[str] = field(default_factory=list)


@dataclass
class Composition:
    """All batches seen by a group of clients, and which batch served each client."""

    batches: dict[str, Batch] = field(default_factory=dict)
    batch_of: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_answers(cls, answers: Iterable[dict]) -> "Composition":
        composition = cls()
        for answer in answers:
            trace = answer.get("trace") if isinstance(answer, dict) else None
            if not trace:
                raise MissingTrace(f"this answer says nothing about its batch: {answer!r}")
            composition._record(answer["client"], trace["batch"], trace["size"], trace["members"],
                                trace.get("worker"), trace.get("started_at"), trace.get("finished_at"))
        return composition

    @classmethod
    def from_streams(cls, streams: dict[str, list[dict]]) -> "Composition":
        """``streams`` maps each client to the chunks it received."""
        composition = cls()
        for client, chunks in streams.items():
            for chunk in chunks:
                if not isinstance(chunk, dict) or "batch" not in chunk:
                    raise MissingTrace(f"this chunk says nothing about its batch: {chunk!r}")
                composition._record(client, chunk["batch"], chunk.get("batch_size", 1), chunk.get("members", [client]),
                                    None, chunk.get("produced_at"), chunk.get("produced_at"))
        return composition

    def _record(self, client: str, batch_id: str, size: int, members: list[str], worker, started, finished) -> None:
        batch = self.batches.setdefault(batch_id, Batch(batch_id, size, list(members), worker, started, finished))
        if started is not None and (batch.started_at is None or started < batch.started_at):
            batch.started_at = started
        if finished is not None and (batch.finished_at is None or finished > batch.finished_at):
            batch.finished_at = finished
        if client not in batch.seen_by:
            batch.seen_by.append(client)
        self.batch_of.setdefault(client, batch_id)

    @property
    def count(self) -> int:
        return len(self.batches)

    @property
    def sizes(self) -> list[int]:
        return [batch.size for batch in self.ordered()]

    def ordered(self) -> list[Batch]:
        return sorted(self.batches.values(), key=lambda b: (b.started_at or 0.0, b.batch))

    def inconsistencies(self) -> list[str]:
        """Ways in which the reported batches contradict each other or the clients that saw them."""
        problems = []
        for batch in self.batches.values():
            if batch.size != len(batch.members):
                problems.append(f"batch {batch.batch} says size {batch.size} but lists {len(batch.members)} members")
            for client in batch.seen_by:
                if client not in batch.members:
                    problems.append(f"{client} was served by batch {batch.batch}, which does not list it: {batch.members}")
        for client, batch_id in self.batch_of.items():
            others = [b.batch for b in self.batches.values() if client in b.seen_by and b.batch != batch_id]
            if others:
                problems.append(f"{client} was served by more than one batch: {[batch_id, *others]}")
        return problems

    def rows(self) -> list[dict[str, Any]]:
        """One row per batch, in the order the batches started, for reports."""
        first = min((b.started_at for b in self.batches.values() if b.started_at is not None), default=0.0)
        return [
            {
                "batch": index,
                "id": batch.batch,
                "size": batch.size,
                "members": ", ".join(batch.members),
                "worker": batch.worker,
                "started_ms": None if batch.started_at is None else round((batch.started_at - first) * 1000, 1),
                "finished_ms": None if batch.finished_at is None else round((batch.finished_at - first) * 1000, 1),
            }
            for index, batch in enumerate(self.ordered(), start=1)
        ]


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


def contexts_stay_with_owners(owners_and_values: list[tuple[str, str]]) -> None:
    """Each (client, context value seen at encode time) pair names the same client."""
    wrong = list(dict.fromkeys(f"{owner}'s answer carried the context of {value!r}"
                               for owner, value in owners_and_values if owner != value))
    assert_that(wrong, equal_to([]), "request context moved between requests")
