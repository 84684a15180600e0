"""How much does the load generator limit the measured throughput? Compare Locust with wrk.

    .venv/bin/python -m tools.client_ceiling [--seconds 5] [--clients 1 8 32] [--processes 2]

Starts the ``square`` app (a model that does almost nothing, so the framework and the client are
all there is), then measures it at each concurrency, one after the other in the same run, with
``wrk`` (a C load tool; Debian package ``wrk``), and with Locust ``FastHttpUser`` (the suite's
engine for concurrent load, :mod:`harness.load.engine`) in one process and with ``--processes N``.
It prints each client's requests per second, its ratio to wrk, and its busiest process's CPU share:
a client near 100 % of a core measured itself.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from harness.paths import SERVER_LOGS_DIR
from harness.load.engine import LoadPlan, run_load
from harness.serving.launcher import ServerSpec, start_server

WRK_SCRIPT = 'wrk.method = "POST"\nwrk.body = \'{"input": 3}\'\nwrk.headers["Content-Type"] = "application/json"\n'


def run_wrk(url: str, clients: int, seconds: float, script: Path) -> tuple[float, float]:
    """Requests per second and wrk's CPU share of one core (one wrk thread: the machine has few cores)."""
    usage = os.times()
    out = subprocess.run(["wrk", "-t1", f"-c{clients}", f"-d{seconds:g}s", "--latency", "-s", str(script), url],
                         capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
    after = os.times()
    cpu = (after.children_user - usage.children_user) + (after.children_system - usage.children_system)
    rate = re.search(r"Requests/sec:\s*([\d.]+)", out)
    return (float(rate.group(1)) if rate else float("nan")), cpu / seconds


def run_locust(url: str, clients: int, seconds: float, processes: int) -> tuple[float, float]:
    run = run_load(LoadPlan(hosts={"plain": url}, users=clients, seconds=seconds, processes=processes))
    if run.errors:
        raise SystemExit(f"Locust got {len(run.errors)} failed requests, e.g. {run.errors[0].error}")
    return run.requests_per_second(), run.client_cpu_share


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.client_ceiling", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--processes", type=int, default=2, help="Locust --processes for the third column (0: skip)")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed; install it with `apt-get install -y wrk` (Debian) and run this again.",
              file=sys.stderr)
        return 2
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    server = start_server(ServerSpec("square"), SERVER_LOGS_DIR)
    try:
        url = f"{server.base_url}/predict"
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_SCRIPT)
        print(f"{'clients':>7} | {'wrk req/s':>9} {'CPU':>5} | {'Locust':>7} {'x wrk':>5} {'CPU':>5} | "
              f"{'Locust -p' + str(args.processes):>11} {'x wrk':>5} {'CPU':>5}")
        for clients in args.clients:
            wrk_rate, wrk_cpu = run_wrk(url, clients, args.seconds, Path(script.name))
            one, one_cpu = run_locust(server.base_url, clients, args.seconds, 0)
            row = f"{clients:>7} | {wrk_rate:>9.0f} {wrk_cpu:>5.0%} | {one:>7.0f} {one / wrk_rate:>5.2f} {one_cpu:>5.0%} | "
            if args.processes:
                many, many_cpu = run_locust(server.base_url, clients, args.seconds, args.processes)
                row += f"{many:>11.0f} {many / wrk_rate:>5.2f} {many_cpu:>5.0%}"
            else:
                row += f"{'-':>11}"
            print(row, flush=True)
        Path(script.name).unlink()
    finally:
        server.stop()
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}  (CPU: the busiest process of "
          "each client as a share of one core; near 100 % the point measured the client)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
