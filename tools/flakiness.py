"""Flakiness gate: run the default features N times in a row and report the pass rate per scenario.

    .venv/bin/python -m tools.flakiness                 # 10 runs of everything `behave features/` runs
    .venv/bin/python -m tools.flakiness 20 --cpu-load   # 20 runs, with CPU-bound load
    .venv/bin/python -m tools.flakiness 5 --cpu-load 2 --features single_streaming failure_streams
    .venv/bin/python -m tools.flakiness 10 --features performance --tags=@performance

By default every feature that ``behave features/`` runs (the feature files with a scenario that
behave.ini's ``default_tags`` selects, so a new feature is covered without being listed here), with
those tags; ``--features`` narrows it to some features, ``--tags`` replaces the tag expression.

``--cpu-load [K]`` keeps K busy-looping processes running for the whole gate (default: half the
cores, at least 1), so the scenarios' timing margins are tested on a loaded machine. Every
burner has a time limit of its own and is stopped by its pid when the gate ends.

Prints, and writes to ``reports/flakiness.md``: the pass rate of every scenario and the wall
time of every run. Exits 1 if any scenario failed in any run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from tools.behave_runs import KNOWN_DEFECT, BehaveRun, check_features, default_tags, run_behave, selected_features
from harness.paths import REPORTS_DIR

REPORT = REPORTS_DIR / "flakiness.md"
#: The whole behave output of every run with a failure (the traceback of an error is only there).
RUN_LOGS = REPORTS_DIR / "flakiness-runs"
_BURN = "import time\nend = time.monotonic() + {limit}\nwhile time.monotonic() < end:\n    pass\n"


@contextmanager
def cpu_load(burners: int, limit_seconds: float) -> Iterator[list[int]]:
    """``burners`` processes spinning on the CPU, each for at most ``limit_seconds``; stopped on exit."""
    processes = [subprocess.Popen([sys.executable, "-c", _BURN.format(limit=limit_seconds)]) for _ in range(burners)]
    try:
        yield [p.pid for p in processes]
    finally:
        for process in processes:
            process.kill()
        for process in processes:
            process.wait()


def rates(runs: list[BehaveRun]) -> list[tuple[str, int, int]]:
    """(scenario, passed, ran) for every scenario seen, in the order of the first run."""
    order: list[str] = []
    passed: dict[str, int] = {}
    ran: dict[str, int] = {}
    for run in runs:
        for result in run.scenarios:
            if result.status == "skipped":
                continue
            if result.key not in ran:
                order.append(result.key)
            ran[result.key] = ran.get(result.key, 0) + 1
            passed[result.key] = passed.get(result.key, 0) + (result.status in ("passed", KNOWN_DEFECT))
    return [(key, passed[key], ran[key]) for key in order]


def report(runs: list[BehaveRun], load: str, expected_runs: int, what: str = "the default features") -> str:
    rows = rates(runs)
    total_passed = sum(p for _, p, _ in rows)
    total = sum(n for _, _, n in rows)
    times = [run.seconds for run in runs]
    lines = [f"# Flakiness gate: {len(runs)} run(s) of {what}, {load}", "",
             f"Overall: {total_passed}/{total} scenario runs passed "
             f"({100 * total_passed / total if total else 0:.1f} %).", "",
             "Wall time per run (s): " + ", ".join(f"{t:.0f}" for t in times)
             + (f"; median {statistics.median(times):.0f}, max {max(times):.0f}" if times else ""), "",
             "| scenario | passed | pass rate |", "| --- | --- | --- |"]
    for key, passed, ran in rows:
        lines.append(f"| {key} | {passed}/{ran} | {100 * passed / ran:.0f} % |")
    failures = [f"- run {i}: {r.key}: {r.error}" for i, run in enumerate(runs, 1) for r in run.failed]
    if failures:
        lines += ["", "Failures:", *failures, "",
                  f"The whole behave output of each run with a failure: {RUN_LOGS.relative_to(REPORTS_DIR.parent)}/run-N.log."]
    if len(runs) < expected_runs:
        lines += ["", f"Stopped after {len(runs)} of {expected_runs} runs."]
    return "\n".join(lines) + "\n"


def keep_output(run: BehaveRun, index: int) -> Path:
    """Write the whole behave output of run ``index`` to ``RUN_LOGS/run-<index>.log``."""
    RUN_LOGS.mkdir(parents=True, exist_ok=True)
    path = RUN_LOGS / f"run-{index}.log"
    path.write_text(f"$ {' '.join(run.command)}\n\n{run.output}")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.flakiness", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="?", type=int, default=10, help="how many runs in a row (default 10)")
    parser.add_argument("--cpu-load", nargs="?", type=int, const=max(1, (os.cpu_count() or 2) // 2), default=0,
                        metavar="K", help="keep K CPU-bound processes running (default K: half the cores)")
    parser.add_argument("--features", nargs="+",
                        help="features to run (default: every feature `behave features/` runs)")
    parser.add_argument("--tags", default=default_tags(),
                        help="behave tag expression (default: behave.ini's default_tags, %(default)r)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("the number of runs must be at least 1")
    what = "the features " + ", ".join(args.features) if args.features else "the default features"
    args.features = args.features or selected_features(args.tags)
    try:
        check_features(args.features, args.tags)
    except ValueError as error:
        parser.error(str(error))

    load = f"with {args.cpu_load} CPU-bound process(es) on {os.cpu_count()} cores" if args.cpu_load else "no extra load"
    runs: list[BehaveRun] = []
    shutil.rmtree(RUN_LOGS, ignore_errors=True)   # the logs of an earlier gate would be taken for this one's
    began = time.monotonic()
    with cpu_load(args.cpu_load, limit_seconds=args.runs * 600) as burners:
        if burners:
            print(f"flakiness: CPU load: pids {burners}", flush=True)
        try:
            for index in range(1, args.runs + 1):
                run = run_behave(args.features, tags=args.tags)
                runs.append(run)
                if run.failed:
                    keep_output(run, index)
                print(f"flakiness: run {index}/{args.runs}: {len(run.scenarios) - len(run.failed)} passed, "
                      f"{len(run.failed)} failed, {run.seconds:.0f} s", flush=True)
        except KeyboardInterrupt:
            print("flakiness: interrupted", flush=True)
    text = report(runs, load, args.runs, what)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(text)
    print(text)
    print(f"flakiness: {len(runs)} run(s) in {time.monotonic() - began:.0f} s; report in reports/flakiness.md")
    return 1 if any(run.failed for run in runs) or len(runs) < args.runs else 0


if __name__ == "__main__":
    sys.exit(main())
