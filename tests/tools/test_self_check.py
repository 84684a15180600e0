"""Regression self-check: every injected LitServe fault must make at least one feature fail,
and the same features must pass without it. The table (fault, features that caught it) is
printed at the end of the pytest run and written to reports/self-check.md.
"""

from __future__ import annotations

import pytest

from tools import self_check
from servers.faults import FAULTS

#: Only with ``-m selfcheck`` (bash scripts/self-check.sh): pytest.ini leaves it out of ``pytest tests/``.
pytestmark = pytest.mark.selfcheck

OUTCOMES: list[self_check.FaultOutcome] = []


@pytest.fixture(scope="module")
def baseline():
    """The features the faults target, run once without a fault."""
    features = sorted({feature for name in self_check.SELF_CHECKED for feature in FAULTS[name].features})
    return self_check.run_baseline(features)


def test_the_features_pass_without_a_fault(baseline):
    failed = [f"{r.key} ({r.status}): {r.error}" for r in baseline.failed]
    assert not failed, "without a fault the features must pass, or a caught fault proves nothing:\n" + "\n".join(failed)


@pytest.mark.parametrize("name", self_check.SELF_CHECKED)
def test_the_fault_is_caught(name, baseline):
    if baseline.failed:
        pytest.skip("the baseline run failed; a caught fault would prove nothing")
    outcome = self_check.run_fault(FAULTS[name])
    OUTCOMES.append(outcome)
    self_check.write_report(OUTCOMES, baseline)
    if outcome.not_applicable:
        pytest.skip(f"fault not applicable to the installed LitServe: {outcome.not_applicable}")
    assert outcome.caught, (f"no feature caught the fault {name!r} ({outcome.fault.summary}); "
                            f"missed by {outcome.missed_by}, crashed in {outcome.crashed_in}: {outcome.first_failure}")
