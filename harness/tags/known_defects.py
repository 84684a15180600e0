"""behave's side of the verdict: each scenario judged against ``known_defects.toml``, the exit code, the summary.

The rules are in :mod:`harness.tags.outcomes` (a failure is known only if release, step and message match
a registry entry of the scenario); this module applies them to a behave run:

* :func:`after_step` relabels the failure of a step that matches an entry: its message starts with
  ``KNOWN LITSERVE DEFECT <id> (LitServe <release>; registered for <range>):`` (the Allure category
  matches on it).
* The wrapped ``Scenario.run`` (:func:`install`) leaves a scenario whose only failure is a relabelled one
  out of the exit code; anything else that failed counts (another step or message, a timeout where the
  entry does not say ``hangs``, an error, a hook failure). A scenario with an entry for this release that
  *passes* no longer reproduces the defect: announced, attached, and it fails the run unless the entry is
  ``intermittent`` (README, Verdicts).
* In the Allure results (:class:`KnownDefectsInAllure`) a known defect is *broken* with
  ``statusDetails.known`` and the entry's links; one that no longer reproduces is *failed* with a message
  starting ``NO LONGER REPRODUCES``.
* behave's "Failing scenarios" list keeps only the new failures, and after behave's counts the run ends
  with the known defects, those that no longer reproduce, the skipped scenarios and why, and the verdict.
* A scenario skipped with a reason (not for this release) is written to the Allure results as skipped,
  with the reason (:mod:`harness.reporting.skipped`).

``environment.py`` calls :func:`install` (before all), :func:`after_step`, :func:`after_scenario` and
:func:`after_all`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import allure_commons
from allure_behave.utils import scenario_history_id
from allure_commons.model2 import Link, StatusDetails
from behave.model import Scenario
from behave.model_core import Status
from behave.reporter.summary import AbstractSummaryReporter

from harness.reporting import attachments, skipped, verdict
from harness.tags import defect_registry, outcomes
from harness.tags.run_record import RunRecord
from harness.tags.outcomes import Failure, Judgement, Outcome, kind_of, scenario_ids

#: Every relabelled failure message starts with this (the Allure category matches on it).
PREFIX = "KNOWN LITSERVE DEFECT"
NO_LONGER = verdict.NO_LONGER_REPRODUCES
ASSERTION = "AssertionError: "

_run = RunRecord()


def defects_of(scenario, version: str) -> list[defect_registry.KnownDefect]:
    """The registry entries of ``scenario`` (by its @id. tags) that affect LitServe ``version``."""
    return defect_registry.for_scenario(scenario_ids(scenario.effective_tags), version, _run.defects)


def relabelled(message: str) -> str | None:
    """The defect id of a relabelled failure message, or None."""
    if not message.startswith(PREFIX + " "):
        return None
    return message[len(PREFIX) + 1:].split(" ", 1)[0].rstrip(":")


def after_step(context, step) -> None:
    """Relabel a failure that is the expected failure of one of the scenario's defects on this release."""
    scenario = context.scenario
    if step.status != Status.failed or relabelled(str(step.exception or "")):
        return
    failure = Failure(step.name, str(step.exception or step.error_message or ""), kind_of(step.exception))
    defect = outcomes.known_as(defects_of(scenario, _run.version), failure)
    if defect is None:
        return
    label = f"{PREFIX} {defect.id} (LitServe {_run.version}; registered for {defect.releases}): "
    new = AssertionError(label + str(step.exception))
    new.__traceback__ = step.exception.__traceback__
    step.exception = new
    step.error_message = label + (step.error_message or "")


def judge(scenario, version: str, failed: bool) -> Judgement:
    """How ``scenario`` ends on ``version`` after it ran (``failed``: what behave's ``Scenario.run`` returned):
    passed, skipped, known, new failure, or no longer reproduces."""
    defects = defects_of(scenario, version)
    if not failed:
        if scenario.status == Status.passed:
            return outcomes.judge(defects, version, None)
        return Judgement(Outcome.SKIPPED)
    failed = [step for step in scenario.all_steps if step.status.has_failed()]
    ids = [relabelled(str(step.exception or "")) if step.status == Status.failed else None for step in failed]
    if scenario.hook_failed or not failed or not all(ids):
        return Judgement(Outcome.NEW)
    return Judgement(Outcome.KNOWN, tuple(d for d in defects if d.id in ids))


def after_scenario(context, scenario) -> None:
    """Say it loudly when a scenario with a defect of this release passes: the defect seems fixed."""
    if scenario.status != Status.passed:
        return
    judgement = outcomes.judge(defects_of(scenario, _run.version), _run.version, None)
    if judgement.outcome == Outcome.NO_LONGER_REPRODUCES:
        notice = no_longer_notice(judgement, _run.version)
        print(f"NOTICE: '{scenario.name}' ({scenario.location}): {notice}", file=sys.__stdout__, flush=True)
        attachments.attach_text("Known LitServe defect no longer reproduces", notice)


def no_longer_notice(judgement: Judgement, version: str) -> str:
    ids = ", ".join(d.label for d in judgement.defects)
    return (f"{NO_LONGER}: known LitServe defect {ids} passed on LitServe {version}, a release in its range: "
            "fixed? Check, then end its range in known_defects.toml.")


class KnownDefectsInAllure:
    """An allure-python plugin: a known defect's result is written *broken* and *known*, with its links;
    a defect that no longer reproduces, *failed* (allure-behave writes a scenario's result after
    ``Scenario.run`` returned; this hook changes it first)."""

    def __init__(self, record: RunRecord) -> None:
        self.record = record

    @allure_commons.hookimpl(tryfirst=True)
    def report_result(self, result) -> None:
        reason = self.record.skip_reasons.get(result.historyId)
        if result.status == "skipped" and reason and not result.statusDetails:
            result.statusDetails = StatusDetails(message=reason)  # behave shows skipped scenarios: allure-behave wrote it
        judgement = self.record.by_history_id.get(result.historyId)
        if judgement is None:
            return
        for defect in judgement.defects:
            for url in defect.links:
                if all(link.url != url for link in result.links):
                    result.links.append(Link(type="issue" if "/issues/" in url else "link", url=url,
                                             name="issue" if "/issues/" in url else "pull"))
        if judgement.outcome == Outcome.KNOWN and result.status == "failed":
            result.status = "broken"
            details = result.statusDetails
            if details is not None:
                details.known = True
                if details.message and details.message.startswith(ASSERTION):  # reads as what it is
                    details.message = details.message[len(ASSERTION):]
        elif judgement.outcome == Outcome.NO_LONGER_REPRODUCES and judgement.fails_run:
            result.status = "failed"
            result.statusDetails = StatusDetails(message=no_longer_notice(judgement, self.record.version))


def install(version: str, defects: tuple[defect_registry.KnownDefect, ...] | None = None) -> None:
    """Judge every scenario on LitServe ``version`` against the registry: behave's exit code counts only
    what fails the run, Allure reports known defects as known, and behave's summary ends with the verdict
    (idempotent). The registry (``defects``; by default ``known_defects.toml``) is read here, so a malformed
    entry stops the run before any server starts.

    behave counts a feature as failed when one of its scenarios' ``run`` returns True; the wrapper returns
    what the judgement says (a known defect keeps its failed status for behave's own counts)."""
    _run.defects = defect_registry.load() if defects is None else defects
    _run.version = version
    if getattr(Scenario.run, "_known_defects", False):
        return
    # No public hook can do this: ``after_scenario`` sees a scenario's status but cannot change what
    # ``Scenario.run`` returns, which is what behave counts for the exit code, nor add to the summary;
    # so ``Scenario.run`` and the summary reporter's ``end`` are wrapped (behave 1.3, pinned).
    original_run = Scenario.run

    def run(self, runner):
        failed = original_run(self, runner)
        judgement = judge(self, _run.version, failed)
        if judgement.outcome == Outcome.SKIPPED and self.skip_reason:
            _run.skip_reasons[scenario_history_id(self)] = self.skip_reason
            skipped.report_skipped(self, runner.config.show_skipped)
        return _run.record(self, judgement)

    run._known_defects = True
    Scenario.run = run
    allure_commons.plugin_manager.register(KnownDefectsInAllure(_run))

    original_end = AbstractSummaryReporter.end

    def end(self):
        new = {id(s) for s in _run.new}
        self.failed_scenarios[:] = [s for s in self.failed_scenarios if id(s) in new]
        original_end(self)
        self.stream.write(f"\n{_run.summary()}\n")
        self.stream.flush()

    AbstractSummaryReporter.end = end


def after_all(context) -> None:
    """Write every scenario's outcome to ``-D verdict_file=PATH`` if asked; without behave's summary
    (``--no-summary``), print the verdict here."""
    if context.options.verdict_file:
        _run.write(Path(context.options.verdict_file))
    if not context.config.summary:
        print(f"\n{_run.summary()}", file=sys.__stdout__, flush=True)


def record() -> RunRecord:
    """This run's record (for the exit code of tools that read it)."""
    return _run
