"""The fault registry itself: well-formed entries, and a clear "not applicable" when internals are missing."""

from __future__ import annotations

import re

import pytest

from tools.behave_runs import feature_path
from servers import faults
from servers.faults import FAULTS, Fault, NotApplicable


@pytest.mark.parametrize("name", list(FAULTS))
def test_every_fault_names_existing_features_and_says_what_it_breaks(name):
    fault = FAULTS[name]
    assert fault.features, f"{name} targets no feature"
    for feature in fault.features:
        feature_path(feature)  # raises with the known names if the feature does not exist
    assert fault.summary and fault.summary != name, f"{name} needs a docstring saying what it breaks"


def test_a_missing_module_attribute_or_source_text_makes_a_fault_not_applicable():
    def noop() -> None:
        pass

    for requirement, message in [("litserve.no_such_module.thing", "has no 'no_such_module'"),
                                 ("litserve.LitAPI.no_such_method", "has no 'no_such_method'"),
                                 (("litserve.LitAPI.batch", "text that is not there"), "does not contain")]:
        with pytest.raises(NotApplicable, match=message):
            Fault("probe", noop, ("dynamic_batching",), (requirement,)).check()


def test_registering_a_name_twice_is_refused():
    with pytest.raises(ValueError, match="registered twice"):
        faults.fault(next(iter(FAULTS)), features=["dynamic_batching"])(lambda: None)


def test_an_unknown_fault_name_is_refused_with_the_known_names():
    with pytest.raises(SystemExit, match="known faults are"):
        faults.apply("no-such-fault")


@pytest.mark.parametrize("name", list(FAULTS))
def test_every_fault_has_a_snake_case_name_and_a_worker_half_only_through_the_entry_point(name):
    fault = FAULTS[name]
    assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", name), f"{name}: fault names are snake_case"
    if fault.worker_half is not None:
        required = {r if isinstance(r, str) else r[0] for r in fault.requires}
        assert "litserve.server.inference_worker" in required, \
            f"{name} has a worker half, so it must require the workers' entry point it replaces"
