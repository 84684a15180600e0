"""The regression self-check: run the features against each injected LitServe fault.

A fault is *caught* by a feature when at least one of its scenarios fails an assertion with the
fault injected, or when it makes a registered known defect stop reproducing (its scenario passes
where the registry says it fails: the run goes red just the same, so a maintainer sees the change).
A server crash or a hook error does not count: it proves nothing about the feature. Used by ``tests/tools/test_self_check.py``; also runnable on its own:

    .venv/bin/python -m tools.self_check                  # every fault (but the performance slowdowns)
    .venv/bin/python -m tools.self_check batching_off     # some faults
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field

from tools.behave_runs import NO_LONGER_REPRODUCES, BehaveRun, ScenarioResult, run_behave, scenario_names
from harness.paths import REPORTS_DIR
from servers.faults import FAULT_VARIABLE, FAULTS, Fault, NotApplicable
from servers.faults.performance import GATE_SLOWDOWNS

REPORT = REPORTS_DIR / "self-check.md"
#: The faults the self-check runs by default: all but the performance gate's slowdowns, which
#: ``tools.perf_gate_check`` proves against the whole gate (``scripts/performance.sh``).
SELF_CHECKED = [name for name in FAULTS if name not in GATE_SLOWDOWNS]


@dataclass
class FaultOutcome:
    fault: Fault
    not_applicable: str = ""
    unmatched: list[str] = field(default_factory=list)   # features in which the fault's filter names no scenario
    caught_by: list[str] = field(default_factory=list)
    missed_by: list[str] = field(default_factory=list)
    crashed_in: list[str] = field(default_factory=list)
    first_failure: str = ""
    seconds: float = 0.0

    @property
    def caught(self) -> bool:
        return bool(self.caught_by)

    @property
    def verdict(self) -> str:
        if self.not_applicable:
            return "not applicable"
        if self.unmatched:
            return "FILTER MATCHES NOTHING"
        return "caught" if self.caught else "NOT CAUGHT"


def unmatched_features(fault: Fault) -> list[str]:
    """The features of ``fault`` in which its ``scenarios`` filter (behave ``-n``, a regular expression searched
    in each scenario name) names no scenario: a renamed scenario, not a missed fault."""
    if not fault.scenarios:
        return []
    wanted = re.compile(fault.scenarios)
    return [feature for feature in fault.features if not any(wanted.search(n) for n in scenario_names(feature))]


def run_fault(fault: Fault) -> FaultOutcome:
    """Run each feature of ``fault`` with the fault injected, stopping at the first failing scenario."""
    outcome = FaultOutcome(fault)
    outcome.unmatched = unmatched_features(fault)
    if outcome.unmatched:
        outcome.first_failure = (f"the filter {fault.scenarios!r} matches no scenario of {outcome.unmatched}: "
                                 "a scenario was renamed; update the fault's scenarios=")
        return outcome
    try:
        fault.check()
    except NotApplicable as error:
        outcome.not_applicable = str(error)
        return outcome
    for feature in fault.features:
        names = ["-n", fault.scenarios] if fault.scenarios else []
        run = run_behave([feature], env={FAULT_VARIABLE: fault.name}, extra_args=["--stop", *names])
        outcome.seconds += run.seconds
        catches = catching_scenarios(run)
        if catches:
            outcome.caught_by.append(feature)
            if not outcome.first_failure:
                outcome.first_failure = describe_catch(catches[0])
        elif run.failed:
            outcome.crashed_in.append(feature)
            if not outcome.first_failure:
                outcome.first_failure = f"crashed, not caught: {run.failed[0].name} ({run.failed[0].status}) " \
                                        f"{run.output_tail[-300:]}"
        else:
            outcome.missed_by.append(feature)
    return outcome


def catching_scenarios(run: BehaveRun) -> list[ScenarioResult]:
    """The scenarios of ``run`` that caught the fault: a failed assertion, or a registered defect that the
    fault made stop reproducing."""
    return [r for r in run.scenarios if r.status in ("failed", NO_LONGER_REPRODUCES)]


def describe_catch(result: ScenarioResult) -> str:
    """One line for the report: which scenario caught the fault, and how."""
    if result.status == NO_LONGER_REPRODUCES:
        return f"{result.name}: known defect {', '.join(result.defects) or '?'} no longer reproduces"
    return f"{result.name}: {result.error}"


def run_baseline(features: list[str]) -> BehaveRun:
    """The same features with no fault: they must pass, or a caught fault proves nothing."""
    return run_behave(features, env={FAULT_VARIABLE: ""})


def table(outcomes: list[FaultOutcome]) -> str:
    rows = ["| fault | what it breaks | caught by | missed by | verdict | first failure |",
            "| --- | --- | --- | --- | --- | --- |"]
    for o in outcomes:
        missed = ", ".join(o.missed_by + [f"{f} (crashed)" for f in o.crashed_in]) or "-"
        detail = o.not_applicable or o.first_failure
        detail = detail.replace("|", "/").replace("\n", " ")[:160]
        rows.append(f"| {o.fault.name} | {o.fault.summary} | {', '.join(o.caught_by) or '-'} | {missed} | "
                    f"{o.verdict} | {detail} |")
    return "\n".join(rows)


def write_report(outcomes: list[FaultOutcome], baseline: BehaveRun | None) -> str:
    lines = ["# Regression self-check", ""]
    if baseline is not None:
        status = "passed" if not baseline.failed else f"FAILED ({len(baseline.failed)} scenarios)"
        lines += [f"Baseline without a fault: {status} in {baseline.seconds:.0f} s.", ""]
    lines += [table(outcomes), ""]
    text = "\n".join(lines)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(text)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.self_check", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("faults", nargs="*", metavar="FAULT",
                        help="faults to check (default: every fault but the performance slowdowns)")
    names = parser.parse_args(argv).faults or SELF_CHECKED
    unknown = [n for n in names if n not in FAULTS]
    if unknown:
        print(f"unknown fault(s) {unknown}; known faults are {sorted(FAULTS)}", file=sys.stderr)
        return 2
    selected = [FAULTS[n] for n in names]
    baseline = run_baseline(sorted({f for fault in selected for f in fault.features}))
    outcomes = [run_fault(fault) for fault in selected]
    print(write_report(outcomes, baseline))
    bad = baseline.failed or any(not o.caught and not o.not_applicable for o in outcomes)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
