"""Scenarios left out for the installed LitServe release, in the Allure report: *skipped*, with the reason.

behave.ini has ``show_skipped = false`` (the console would otherwise list every scenario the default tags
leave out, such as the performance features), and allure-behave drops skipped scenarios when behave does
not show them. A scenario skipped *with a reason* (``needs LitServe >= 0.2.17: restart_workers (...)``,
set in ``before_scenario``) is written here instead, as allure-behave would have written it, so the report
shows what this release does not cover and why.
"""

from __future__ import annotations

import allure_commons
from allure_behave.utils import (get_fullname, get_title_path, scenario_history_id, scenario_labels, scenario_links,
                                 scenario_name, scenario_parameters)
from allure_commons.model2 import Label, StatusDetails, TestResult
from allure_commons.types import LabelType
from allure_commons.utils import md5, now, platform_label, uuid4


def report_skipped(scenario, show_skipped: bool) -> None:
    """Write an Allure result for ``scenario``, skipped with its ``skip_reason`` (when allure-behave drops it:
    ``show_skipped`` false). Without an Allure formatter in the run nothing is written (no file logger)."""
    if show_skipped or not scenario.skip_reason:
        return
    stamp = now()
    result = TestResult(uuid=uuid4(), name=scenario_name(scenario), fullName=get_fullname(scenario),
                        historyId=scenario_history_id(scenario), start=stamp, stop=stamp, status="skipped",
                        statusDetails=StatusDetails(message=scenario.skip_reason))
    result.titlePath = get_title_path(scenario)
    result.testCaseId = md5(result.fullName)
    result.description = "\n".join(scenario.description)
    result.parameters = scenario_parameters(scenario) or []
    result.links.extend(scenario_links(scenario, issue_pattern=None, link_pattern=None))
    result.labels.extend(scenario_labels(scenario))
    result.labels += [Label(name=LabelType.FEATURE, value=scenario.feature.name),
                      Label(name=LabelType.FRAMEWORK, value="behave"),
                      Label(name=LabelType.LANGUAGE, value=platform_label())]
    allure_commons.plugin_manager.hook.report_result(result=result)
