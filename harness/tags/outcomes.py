"""How a scenario's result is judged against the registry of known LitServe defects (pure logic, no behave).

* A failure is **known** only if a defect of the scenario (by its ``@id.`` tags) affects the installed
  release, the failure is an assertion (:class:`AssertionError`; a timeout, :class:`NoAnswerInTime`,
  only for a defect with ``hangs = true``), and both the failing step's text and the message match the
  defect's ``step`` and ``message`` patterns.
* Anything else that fails is **new**: another step, another message, a hang where a wrong answer was
  expected, a release outside the range, an error that is not an assertion (the suite or a server broke).
* A scenario with a defect affecting the installed release that *passes* **no longer reproduces**: the
  defect seems fixed and the registry's range is wrong (it fails the run unless the defect is
  ``intermittent``; README, Verdicts).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Iterable

from harness.clients.http import NoAnswerInTime
from harness.tags.defect_registry import KnownDefect

ID_TAG = "id."


class Outcome(str, Enum):
    PASSED = "passed"
    KNOWN = "known"
    NEW = "new failure"
    NO_LONGER_REPRODUCES = "no longer reproduces"
    SKIPPED = "skipped"


class Kind(str, Enum):
    ASSERTION = "assertion"
    TIMEOUT = "timeout"
    ERROR = "error"


@dataclass(frozen=True)
class Failure:
    """How a scenario failed: the failing step's text (without its keyword), the message, and its kind."""

    step: str
    message: str
    kind: Kind


@dataclass(frozen=True)
class Judgement:
    outcome: Outcome
    defects: tuple[KnownDefect, ...] = ()   # KNOWN: the matching one; NO_LONGER_REPRODUCES: those in range

    @property
    def fails_run(self) -> bool:
        if self.outcome == Outcome.NEW:
            return True
        return self.outcome == Outcome.NO_LONGER_REPRODUCES and not all(d.intermittent for d in self.defects)


def scenario_ids(tags: Iterable[str]) -> frozenset[str]:
    """The ids of a scenario from its tags: ``@id.failure-streams.x`` -> ``failure-streams.x`` (an Examples
    block may add its own id to the outline's)."""
    return frozenset(tag[len(ID_TAG):] for tag in tags if tag.startswith(ID_TAG))


def kind_of(exception: BaseException | None) -> Kind:
    """A timeout (:class:`NoAnswerInTime`), another assertion, or an error that is not an assertion."""
    if isinstance(exception, NoAnswerInTime):
        return Kind.TIMEOUT
    return Kind.ASSERTION if isinstance(exception, AssertionError) else Kind.ERROR


def known_as(defects: Iterable[KnownDefect], failure: Failure) -> KnownDefect | None:
    """The defect (among those affecting the release) that ``failure`` is the expected failure of, if any."""
    if failure.kind == Kind.ERROR:
        return None
    for defect in defects:
        if failure.kind == Kind.TIMEOUT and not defect.hangs:
            continue
        if defect.matches(failure.step, failure.message):
            return defect
    return None


def judge(defects: Iterable[KnownDefect], version: str, failure: Failure | None) -> Judgement:
    """The outcome of a scenario whose registry entries are ``defects``, on ``version``; ``failure`` is None
    when it passed."""
    in_range = tuple(d for d in defects if d.affects(version))
    if failure is None:
        return Judgement(Outcome.NO_LONGER_REPRODUCES, in_range) if in_range else Judgement(Outcome.PASSED)
    defect = known_as(in_range, failure)
    return Judgement(Outcome.KNOWN, (defect,)) if defect else Judgement(Outcome.NEW)
