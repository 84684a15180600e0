"""Scenarios that specify the right behaviour where LitServe is known to get it wrong.

A scenario tagged ``@known_litserve_defect`` states what users need, and still runs:

* If it fails on an assertion, the failure is relabelled ``KNOWN LITSERVE DEFECT: <what went wrong>``
  (the Allure report groups such failures in its "Known LitServe defects" category) and it does
  not fail the behave run: :func:`install` leaves it out of the exit code.
* Anything else still fails the run: an error that is not an assertion (the suite broke, a server
  did not start), a hook failure, an undefined step, or an untagged scenario that fails.
* If it passes, the defect looks fixed: a notice is printed and attached to the report, so the
  tag can be removed. The run is not failed for that.

``environment.py`` calls :func:`install` (before all), :func:`after_step`, :func:`after_scenario`
and prints :func:`summary` (after all).
"""

from __future__ import annotations

import sys

from behave.model import Scenario
from behave.model_core import Status

from harness.reporting import attachments

TAG = "known_litserve_defect"
#: Every relabelled failure message starts with this (the Allure category matches on it).
PREFIX = "KNOWN LITSERVE DEFECT: "


def is_tagged(scenario) -> bool:
    """True if the scenario (or its feature, or its Examples) carries ``@known_litserve_defect``."""
    return TAG in getattr(scenario, "effective_tags", ())


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


def install() -> None:
    """Make behave leave known-defect failures out of the run's exit code (idempotent).

    behave counts a feature as failed when one of its scenarios' ``run`` returns True. The
    wrapper returns False for a scenario whose only failures are relabelled known defects; the
    scenario keeps its failed status, so every report still shows it as failed.
    """
    if getattr(Scenario.run, "_known_defects", False):
        return
    original = Scenario.run

    def run(self, runner):
        failed = original(self, runner)
        if failed and only_known_defects(self):
            _seen["known"].append(self)
            return False
        if is_tagged(self) and self.status == Status.passed:
            _seen["fixed"].append(self)
        return failed

    run._known_defects = True
    Scenario.run = run


_seen: dict[str, list] = {"known": [], "fixed": []}


def summary() -> str:
    """Plain-text summary for the end of the run ("" if nothing to say)."""
    lines = []
    if _seen["known"]:
        lines.append(f"{len(_seen['known'])} scenario(s) failed only on known LitServe defects "
                     "(shown as failed in the reports, not counted in the exit code):")
        lines += [f"  {s.location}  {s.name}" for s in _seen["known"]]
    if _seen["fixed"]:
        lines.append(f"{len(_seen['fixed'])} scenario(s) tagged @{TAG} passed: the defect seems fixed, remove the tag:")
        lines += [f"  {s.location}  {s.name}" for s in _seen["fixed"]]
    return "\n".join(lines)
