"""Scenario names are keys: in the faults' ``scenarios=`` filters and in the stored performance baseline.
A renamed scenario must fail here, with the key that lost its scenario, not later as "NOT CAUGHT" or as a
ratio that silently stops being compared."""

from __future__ import annotations

import json

import pytest

from harness.paths import REPO_ROOT
from servers.faults import FAULTS
from tools.behave_runs import FEATURES_DIR, scenario_names
from tools.self_check import unmatched_features

FILTERED = sorted(name for name, fault in FAULTS.items() if fault.scenarios)


@pytest.mark.parametrize("name", FILTERED)
def test_every_fault_filter_names_a_scenario_of_each_of_its_features(name):
    fault = FAULTS[name]
    assert not unmatched_features(fault), (
        f"fault {name!r}: the filter {fault.scenarios!r} matches no scenario of {unmatched_features(fault)}")


def test_every_fault_names_existing_features():
    known = {path.stem for path in FEATURES_DIR.glob("*.feature")}
    unknown = {name: sorted(set(f.features) - known) for name, f in FAULTS.items() if set(f.features) - known}
    assert not unknown, f"faults naming features that do not exist: {unknown}"


def test_every_scenario_of_the_performance_baseline_exists():
    baseline = json.loads((REPO_ROOT / "performance-baseline.json").read_text())
    names = {n for path in FEATURES_DIR.glob("*.feature") for n in scenario_names(path.stem)}
    missing = sorted(set(baseline["scenarios"]) - names)
    assert not missing, f"performance-baseline.json keeps ratios of scenarios that no longer exist: {missing}"


def test_a_filter_that_matches_nothing_is_told_apart_from_a_missed_fault():
    fault = FAULTS[FILTERED[0]]
    renamed = type(fault)(**{**fault.__dict__, "scenarios": "a scenario nobody wrote"})
    assert unmatched_features(renamed) == list(renamed.features)
