"""The performance baseline: compare a run's ratios with a stored baseline, or make a new baseline.

A stored baseline (``performance-baseline.json``) holds the ratios of earlier runs of the
``@performance`` scenarios and the machine state they were made in; comparing fails when a ratio
got worse than the baseline by more than its tolerance (derived from the spread of those runs),
on the same machine at a similar load. On another machine the comparison is refused, at another
load it is advisory (:mod:`harness.performance.machine`): the feature's own checks, on ratios measured
side by side in the same run, are the gate that holds everywhere. ``scripts/performance.sh``
runs the scenarios and then ``compare``.

Command line (from the repository root)::

    .venv/bin/python -m tools.perf_baseline compare [--results reports/performance.json]
        [--baseline performance-baseline.json] [--tolerance 0.3] [--strict]
    .venv/bin/python -m tools.perf_baseline make-baseline RESULTS.json [RESULTS.json ...]
        [--output performance-baseline.json] [--tolerance 0.3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.paths import REPO_ROOT
from harness.performance import machine
from harness.performance.results import RESULTS_PATH

BASELINE_PATH = REPO_ROOT / "performance-baseline.json"
#: A ratio regresses when it is worse than the baseline by more than this share of the baseline value.
DEFAULT_TOLERANCE = 0.3
#: A baseline made from fewer runs only advises: two or three runs do not show a ratio's spread.
MIN_GATING_RUNS = 5


@dataclass
class Comparison:
    scenario: str
    key: str
    baseline: float
    current: float | None
    better: str
    limit: float
    checked: bool = True

    @property
    def regressed(self) -> bool:
        if self.current is None:
            return True
        return self.current < self.limit if self.better == "higher" else self.current > self.limit

    def line(self) -> str:
        now = "missing" if self.current is None else f"{self.current:.3f}"
        sign = ">=" if self.better == "higher" else "<="
        verdict = ("REGRESSED" if self.checked else "(worse)") if self.regressed else "ok"
        return (f"{verdict:>9}  {self.scenario[:40]:<40}  {self.key:<42} now {now:>7}  "
                f"baseline {self.baseline:7.3f}  needs {sign} {self.limit:.3f}")


def compare(results: dict, baseline: dict, tolerance: float | None = None) -> list[Comparison]:
    """Each baseline ratio against the same scenario's ratio in ``results``.

    A ratio regresses when it is worse than the baseline value by more than its tolerance (a share
    of the baseline value): the ratio's own ``tolerance`` in the baseline, else the baseline's,
    unless ``tolerance`` overrides both. A ratio the run did not measure counts as regressed.
    """
    comparisons = []
    for scenario, stored_scenario in sorted(baseline.get("scenarios", {}).items()):
        found = results.get("scenarios", {}).get(scenario, {}).get("ratios", {})
        for key, stored in sorted(stored_scenario.get("ratios", {}).items()):
            allowed = tolerance if tolerance is not None else stored.get(
                "tolerance", baseline.get("tolerance", DEFAULT_TOLERANCE))
            value, better = stored["value"], stored["better"]
            limit = value * (1 - allowed) if better == "higher" else value * (1 + allowed)
            current = found.get(key, {}).get("value")
            comparisons.append(Comparison(scenario, key, value, current, better, limit, stored.get("checked", True)))
    return comparisons


def make_baseline(runs: list[dict], tolerance: float = DEFAULT_TOLERANCE) -> dict:
    """The median of each ratio over several runs, with its spread, its own tolerance, and the
    machine state the runs were made in (see :mod:`harness.performance.machine`).

    A ratio's tolerance comes from its measured spread: the worst value seen, plus the whole
    width of the spread again, as a share of the median; at least ``tolerance`` (at most 0.9 for
    a ratio where higher is better, 3.0 where lower is better). So the runs it was made from pass
    it with a margin as wide as their own scatter.
    """
    scenarios: dict[str, Any] = {}
    for name in sorted({name for run in runs for name in run.get("scenarios", {})}):
        found = [run["scenarios"][name]["ratios"] for run in runs if "ratios" in run.get("scenarios", {}).get(name, {})]
        ratios = {}
        for key in sorted({key for ratio_set in found for key in ratio_set}):
            values = [ratio_set[key]["value"] for ratio_set in found if key in ratio_set]
            first = next(ratio_set[key] for ratio_set in found if key in ratio_set)
            middle = statistics.median(values)
            width = max(values) - min(values)
            if first["better"] == "higher":
                worst = (middle - min(values) + width) / middle if middle else 0.0
            else:
                worst = (max(values) - middle + width) / middle if middle else 0.0
            # A "higher" ratio cannot lose more than all of itself; a small "lower" one (time to first
            # chunk / stream time) can triple from client noise alone.
            cap = 0.9 if first["better"] == "higher" else 3.0
            checked = any(c.get("ratio") == key for run in runs
                          for c in run.get("scenarios", {}).get(name, {}).get("checks", []))
            ratios[key] = {"value": round(middle, 4), "better": first["better"], "checked": checked,
                           "tolerance": round(min(max(tolerance, worst), cap), 2),
                           "spread": [round(min(values), 4), round(max(values), 4)], "runs": len(values),
                           "meaning": first["meaning"]}
        scenarios[name] = {"ratios": ratios}
    environment = dict(runs[-1].get("environment", {})) if runs else {}
    ranges = [machine.run_load_range(run.get("environment", {})) for run in runs]
    ranges = [r for r in ranges if r[0] == r[0]]
    if ranges:
        environment["load_average_range"] = [min(r[0] for r in ranges), max(r[1] for r in ranges)]
    environment["runs"] = len(runs)
    return {"tolerance": tolerance, "environment": environment, "scenarios": scenarios}


def _load(path: Path, what: str) -> dict:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise SystemExit(f"no {what} at {path}; run the performance feature first "
                         f"(.venv/bin/behave features/ --tags=@performance) or pass the right path") from None
    except ValueError as error:
        raise SystemExit(f"the {what} at {path} is not valid JSON: {error}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.perf_baseline", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    cmp = commands.add_parser("compare", help="fail (exit 1) when a ratio regressed beyond the tolerance")
    cmp.add_argument("--results", type=Path, default=RESULTS_PATH)
    cmp.add_argument("--baseline", type=Path, default=BASELINE_PATH)
    cmp.add_argument("--tolerance", type=float, default=None, help="default: the baseline's own")
    cmp.add_argument("--strict", action="store_true",
                     help="fail on a regression even when the machine state differs from the baseline's")
    make = commands.add_parser("make-baseline", help="store the median ratios of several results files")
    make.add_argument("results", type=Path, nargs="+")
    make.add_argument("--output", type=Path, default=BASELINE_PATH)
    make.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE)
    args = parser.parse_args(argv)

    if args.command == "make-baseline":
        baseline = make_baseline([_load(path, "results file") for path in args.results], args.tolerance)
        args.output.write_text(json.dumps(baseline, indent=2) + "\n")
        count = sum(len(s["ratios"]) for s in baseline["scenarios"].values())
        print(f"wrote {args.output} with {count} ratios from {len(args.results)} run(s)")
        return 0

    results, baseline = _load(args.results, "results file"), _load(args.baseline, "baseline")
    comparisons = compare(results, baseline, args.tolerance)
    tolerance = "each ratio's own" if args.tolerance is None else f"{args.tolerance:.0%}"
    env, base_env = results.get("environment", {}), baseline.get("environment", {})
    low, high = machine.run_load_range(env)
    print(f"performance: {args.results} (litserve {env.get('litserve')}, {env.get('cpu_count')} CPUs "
          f"{env.get('cpu_model')}, load average {low:.1f}-{high:.1f}) against {args.baseline} (litserve "
          f"{base_env.get('litserve')}, {base_env.get('cpu_count')} CPUs {base_env.get('cpu_model')}, load average "
          f"{'-'.join(f'{x:.1f}' for x in base_env.get('load_average_range', [])) or 'not recorded'}), "
          f"tolerance {tolerance}")
    refuse, advisory = machine.differences(env, base_env)
    runs = base_env.get("runs", 0)
    if runs < MIN_GATING_RUNS:
        advisory.append(f"the baseline was made from {runs} run(s), fewer than {MIN_GATING_RUNS}: its spread, and so "
                        "its tolerances, are not known well enough")
    if args.strict:
        refuse, advisory = [], []
    for comparison in comparisons:
        print(comparison.line())
    regressed = [c for c in comparisons if c.regressed and c.checked]
    print(f"performance: {len(regressed)} of {sum(c.checked for c in comparisons)} checked ratios regressed "
          f"({sum(c.regressed and not c.checked for c in comparisons)} of the reported-only ratios are worse: "
          "information, not a failure)")
    if refuse:
        print("performance: NOT COMPARED: the baseline was made on another machine (" + "; ".join(refuse) +
              "). The side-by-side checks of the feature are the gate; make a baseline for this machine "
              "(docs/performance.md, \"A baseline for another machine\") to compare with stored figures too.")
        return 0
    if advisory and regressed:
        print("performance: ADVISORY ONLY, not a failure: " + "; ".join(advisory) + ". Ratios move with the "
              "machine's load; the side-by-side checks of the feature are the gate (--strict to fail anyway).")
        return 0
    if advisory:
        print("performance: note: " + "; ".join(advisory))
    return 1 if regressed else 0


if __name__ == "__main__":
    sys.exit(main())
