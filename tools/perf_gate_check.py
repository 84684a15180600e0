"""Does the performance gate catch slowdowns, and only them? Run ``scripts/performance.sh`` on the
unmodified LitServe and with each injected slowdown (``servers/faults/performance.py``), and print
which figure flagged each one, and by how much.

    .venv/bin/python -m tools.perf_gate_check                        # unmodified + each slowdown, once
    .venv/bin/python -m tools.perf_gate_check --faults none --repeat 10              # N of N, unmodified
    .venv/bin/python -m tools.perf_gate_check --faults none --repeat 10 --cpu-load   # the same, with a CPU hog
    .venv/bin/python -m tools.perf_gate_check --faults batch_loop_slower

Each run takes one to three minutes. Every run's ``reports/performance.json`` is kept as
``reports/perf-gate/<case>-<n>.json`` (and its output as ``.log``), with the load average (``uptime``) at its start and end;
the table goes to the console and to ``reports/perf-gate.md``. Exits 1 when the unmodified
release was flagged or a slowdown was not.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field

from harness.paths import REPO_ROOT, REPORTS_DIR
from harness.performance import machine
from harness.performance.results import RESULTS_PATH
from servers.faults import FAULTS, FAULT_VARIABLE
from servers.faults.performance import GATE_SLOWDOWNS
from tools.flakiness import cpu_load

UNMODIFIED = "unmodified"
KEEP_DIR = REPORTS_DIR / "perf-gate"
REPORT = REPORTS_DIR / "perf-gate.md"


def slowdowns() -> list[str]:
    """The registered performance slowdowns, in registration order."""
    return list(GATE_SLOWDOWNS)


@dataclass
class GateRun:
    case: str
    number: int
    exit_code: int
    seconds: float
    uptime_start: str
    uptime_end: str
    failed_checks: list[dict] = field(default_factory=list)
    baseline_lines: list[str] = field(default_factory=list)
    values: dict[str, float] = field(default_factory=dict)

    @property
    def flagged(self) -> bool:
        return self.exit_code != 0


def run_gate(case: str, number: int) -> GateRun:
    """``bash scripts/performance.sh`` once, with ``case``'s fault (none for the unmodified release)."""
    env = {**os.environ, FAULT_VARIABLE: "" if case == UNMODIFIED else case}
    start_uptime, began = machine.uptime_line(), time.monotonic()
    print(f"perf-gate: {case} run {number} ({start_uptime}) ...", flush=True)
    done = subprocess.run(["bash", "scripts/performance.sh", "-f", "progress"], cwd=REPO_ROOT, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    run = GateRun(case, number, done.returncode, time.monotonic() - began, start_uptime, machine.uptime_line())
    run.baseline_lines = [line.strip() for line in done.stdout.splitlines()
                          if "REGRESSED" in line or line.startswith("performance: NOT COMPARED")
                          or line.startswith("performance: ADVISORY")]
    KEEP_DIR.mkdir(parents=True, exist_ok=True)
    (KEEP_DIR / f"{case}-{number}.log").write_text(done.stdout)
    if RESULTS_PATH.exists():
        shutil.copy(RESULTS_PATH, KEEP_DIR / f"{case}-{number}.json")
        results = json.loads(RESULTS_PATH.read_text())
        for scenario in results.get("scenarios", {}).values():
            for check in scenario.get("checks", []):
                run.values.setdefault(check["ratio"], check["value"])
                if not check["passed"]:
                    run.failed_checks.append(check)
    elif done.returncode:
        run.baseline_lines.append(done.stdout[-2000:])
    verdict = "FLAGGED" if run.flagged else "passed"
    print(f"perf-gate: {case} run {number}: {verdict} in {run.seconds:.0f} s; {run.uptime_end}", flush=True)
    return run


def _by(run: GateRun, reference: GateRun | None) -> tuple[str, str]:
    """Which figure flagged the run, and by how much."""
    if not run.flagged:
        return "-", "-"
    if not run.failed_checks:
        return "stored baseline", "; ".join(run.baseline_lines)[:200] or "scenario failed (see the log)"
    check = run.failed_checks[0]
    sign = "<=" if check["better"] == "lower" else ">="
    before = reference.values.get(check["ratio"]) if reference else None
    how = f"{check['value']:.2f} (limit {sign} {check['limit']:g}"
    how += f"; unmodified {before:.2f})" if before is not None else ")"
    others = [c["ratio"] for c in run.failed_checks[1:]]
    return check["ratio"] + (f" (also {', '.join(others)})" if others else ""), how


def table(runs: list[GateRun]) -> str:
    reference = next((r for r in runs if r.case == UNMODIFIED), None)
    lines = ["| slowdown | run | flagged | by which figure | by how much | load average (start → end) | seconds |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for run in runs:
        summary = FAULTS[run.case].summary if run.case in FAULTS else "none (LitServe as released)"
        figure, how = _by(run, reference)
        load = f"{run.uptime_start.split(': ')[1]} → {run.uptime_end.split(': ')[1]}"
        lines.append(f"| `{run.case}`: {summary} | {run.number} | {'yes' if run.flagged else 'no'} | {figure} | "
                     f"{how} | {load} | {run.seconds:.0f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.perf_gate_check", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--faults", nargs="*", default=None,
                        help=f"slowdowns to inject (default: all of {slowdowns()}); 'none': the unmodified release only")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each case")
    parser.add_argument("--cpu-load", nargs="?", type=int, const=max(1, (os.cpu_count() or 2) // 2), default=0,
                        help="keep K CPU-bound processes running (default K: half the cores)")
    args = parser.parse_args(argv)
    chosen = slowdowns() if args.faults is None else [f for f in args.faults if f != "none"]
    unknown = [f for f in chosen if f not in FAULTS]
    if unknown:
        raise SystemExit(f"unknown slowdown(s) {unknown}; the registered ones are {slowdowns()}")
    cases = [UNMODIFIED, *chosen]
    runs: list[GateRun] = []
    with cpu_load(args.cpu_load, limit_seconds=len(cases) * args.repeat * 600):
        for number in range(1, args.repeat + 1):
            for case in cases:
                runs.append(run_gate(case, number))
    load = f"with {args.cpu_load} CPU-bound process(es)" if args.cpu_load else "no extra load"
    clean = [r for r in runs if r.case == UNMODIFIED]
    text = (f"# Performance gate check ({load}, {os.cpu_count()} CPUs {machine.cpu_model()})\n\n{table(runs)}\n\n"
            f"Unmodified release: passed {sum(not r.flagged for r in clean)} of {len(clean)} runs.\n")
    print(text)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(text)
    wrong = [r for r in runs if r.flagged != (r.case != UNMODIFIED)]
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
