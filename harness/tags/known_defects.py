"""Scenarios that specify the right behaviour where LitServe is known to get it wrong.

A scenario tagged ``@known_litserve_defect`` states what users need, and still runs:

* If it fails on an assertion, the failure is relabelled ``KNOWN LITSERVE DEFECT: <what went wrong>``
  and it does not fail the behave run: :func:`install` leaves it out of the exit code. It is read as
  what it is, never as passed:

  - in the Allure report it is *broken* (yellow) with ``statusDetails.known`` set, in the category
    "Known LitServe defects", with its ``@allure.issue:`` / ``@allure.link.pull:`` links; real
    product failures stay *failed* (red), so red means "new";
  - on the console, behave's "Failing scenarios" list keeps only the new failures, and after
    behave's counts (which include the known defects among the failed scenarios) the run ends with
    the known defects, each with its LitServe issue, and the verdict: new failures, known LitServe
    defects, passed (:mod:`harness.reporting.verdict`).
* Anything else still fails the run: an error that is not an assertion (the suite broke, a server
  did not start), a hook failure, an undefined step, or an untagged scenario that fails.
* If it passes, the defect looks fixed: a notice is printed and attached to the report, and the
  verdict says so, so the tag can be removed. The run is not failed for that.

``environment.py`` calls :func:`install` (before all), :func:`after_step`, :func:`after_scenario`
and :func:`after_all`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import allure_commons
from allure_behave.utils import scenario_history_id
from behave.model import Scenario
from behave.model_core import Status
from behave.reporter.summary import AbstractSummaryReporter

from harness.reporting import attachments
from harness.reporting.verdict import Verdict

TAG = "known_litserve_defect"
#: Every relabelled failure message starts with this (the Allure category matches on it).
PREFIX = "KNOWN LITSERVE DEFECT: "
#: Tags whose value is a link to the LitServe issue or pull request about a defect.
ISSUE_TAG = "allure.issue:"
LINK_TAG = "allure.link."
NOT_DEFECT_LINKS = ("docs",)   # @allure.link.docs:URL on a feature is its documentation
ASSERTION = "AssertionError: "


def is_tagged(scenario) -> bool:
    """True if the scenario (or its feature, or its Examples) carries ``@known_litserve_defect``."""
    return TAG in getattr(scenario, "effective_tags", ())


def issue_links(scenario) -> list[str]:
    """The LitServe issues, then pull requests, a scenario links to (``@allure.issue:URL``, ``@allure.link.pull:URL``)."""
    issues, others = [], []
    for tag in getattr(scenario, "effective_tags", ()):
        if tag.startswith(ISSUE_TAG):
            issues.append(tag[len(ISSUE_TAG):])
        elif tag.startswith(LINK_TAG) and ":" in tag:
            kind, url = tag[len(LINK_TAG):].split(":", 1)
            if kind not in NOT_DEFECT_LINKS:
                others.append(url)
    return sorted(issues) + sorted(others)


def after_step(context, step) -> None:
    """Relabel an assertion failure of a tagged scenario as a known LitServe defect."""
    scenario = getattr(context, "scenario", None)
    if scenario is None or not is_tagged(scenario) or step.status != Status.failed:
        return
    if not isinstance(step.exception, AssertionError) or str(step.exception).startswith(PREFIX):
        return
    relabelled = AssertionError(PREFIX + str(step.exception))
    relabelled.__traceback__ = step.exception.__traceback__
    step.exception = relabelled
    step.error_message = PREFIX + (step.error_message or "")


def after_scenario(context, scenario) -> None:
    """Say it loudly when a tagged scenario passes: the defect it documents seems fixed."""
    if is_tagged(scenario) and scenario.status == Status.passed:
        notice = (f"NOTICE: '{scenario.name}' is tagged @{TAG} but passed: the LitServe defect it documents "
                  f"seems fixed. Check, then remove the tag. ({scenario.location})")
        print(notice, file=sys.__stdout__, flush=True)  # behave captures hook output; this must be seen
        attachments.attach_text("Known LitServe defect seems fixed", notice)


def only_known_defects(scenario) -> bool:
    """True if every failed step of a failed scenario is a relabelled assertion of a tagged scenario."""
    if not is_tagged(scenario) or scenario.hook_failed:
        return False
    failed = [step for step in scenario.all_steps if step.status.has_failed()]
    return bool(failed) and all(
        step.status == Status.failed and str(step.exception or "").startswith(PREFIX) for step in failed
    )


@dataclass
class RunRecord:
    """What the scenarios of this run came to, as the verdict counts them."""

    known: list = field(default_factory=list)      # failed only on known defects
    fixed: list = field(default_factory=list)      # tagged, yet passed
    new: list = field(default_factory=list)        # failed in a way that fails the run
    passed: int = 0
    known_history_ids: set = field(default_factory=set)  # their Allure historyId, to report them as known

    def record(self, scenario, failed: bool) -> bool:
        """Note how ``scenario`` ended; returns whether it fails the run."""
        if failed and only_known_defects(scenario):
            self.known.append(scenario)
            self.known_history_ids.add(scenario_history_id(scenario))
            return False
        if failed:
            self.new.append(scenario)
        elif scenario.status == Status.passed:
            self.passed += 1
            if is_tagged(scenario):
                self.fixed.append(scenario)
        return failed

    def verdict(self) -> Verdict:
        return Verdict(new_failures=len(self.new), known_defects=len(self.known), passed=self.passed,
                       seem_fixed=len(self.fixed))


_run = RunRecord()


class KnownDefectsInAllure:
    """An allure-python plugin: a known defect's result is written *broken* and *known*, never *failed*.

    allure-behave writes a scenario's result right after the scenario ran (``report_result``); this
    hook runs first and changes the result before it is written.
    """

    def __init__(self, record: RunRecord) -> None:
        self.record = record

    @allure_commons.hookimpl(tryfirst=True)
    def report_result(self, result) -> None:
        if result.historyId in self.record.known_history_ids and result.status == "failed":
            result.status = "broken"
            details = result.statusDetails
            if details is not None:
                details.known = True
                if details.message and details.message.startswith(ASSERTION):  # reads as what it is
                    details.message = details.message[len(ASSERTION):]


def install() -> None:
    """Make behave leave known-defect failures out of the exit code, Allure report them as known, and
    behave's summary end with the verdict (idempotent).

    behave counts a feature as failed when one of its scenarios' ``run`` returns True. The wrapper
    returns False for a scenario whose only failures are relabelled known defects; the scenario keeps
    its failed status for behave.
    """
    if getattr(Scenario.run, "_known_defects", False):
        return
    original_run = Scenario.run

    def run(self, runner):
        return _run.record(self, original_run(self, runner))

    run._known_defects = True
    Scenario.run = run
    allure_commons.plugin_manager.register(KnownDefectsInAllure(_run))

    original_end = AbstractSummaryReporter.end

    def end(self):
        known = {id(s) for s in _run.known}
        self.failed_scenarios[:] = [s for s in self.failed_scenarios if id(s) not in known]
        original_end(self)
        self.stream.write(f"\n{summary()}\n")
        self.stream.flush()

    AbstractSummaryReporter.end = end


def after_all(context) -> None:
    """Without behave's summary (``--no-summary``), print the known defects and the verdict here."""
    if not context.config.summary:
        print(f"\n{summary()}", file=sys.__stdout__, flush=True)


def _listing(scenarios: list) -> list[str]:
    lines = []
    for scenario in scenarios:
        lines.append(f"  {scenario.location}  {scenario.name}")
        links = issue_links(scenario)
        lines.append(f"      {'  '.join(links) if links else 'no LitServe issue linked'}")
    return lines


def summary(record: RunRecord | None = None) -> str:
    """The known defects (each with its LitServe issues), the tagged scenarios that passed, then the verdict."""
    record = record or _run
    lines = []
    if record.known:
        lines.append(f"Known LitServe defects: {len(record.known)} scenario(s) failed as documented "
                     "(behave counts them as failed above; they do not fail the run):")
        lines += _listing(record.known)
    if record.fixed:
        lines.append(f"{len(record.fixed)} scenario(s) tagged @{TAG} passed: the defect seems fixed, "
                     "check, then remove the tag:")
        lines += _listing(record.fixed)
    if lines:
        lines.append("")
    return "\n".join(lines + record.verdict().lines())
