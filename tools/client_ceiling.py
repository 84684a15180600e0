"""How much does the Python load generator limit the measured throughput? Compare it with wrk.

    .venv/bin/python -m tools.client_ceiling [--seconds 3] [--clients 1 8 32]

Starts the ``square`` app (a model that does almost nothing, so the framework and the client are
all there is), then measures it at each concurrency with the suite's httpx client and with
``wrk`` (a C load tool; Debian package ``wrk``), one after the other, and prints both side by
side with the httpx client's CPU use. Where httpx reports fewer requests per second than wrk,
the difference is the client's own limit, not LitServe's.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from harness.serving.launcher import ServerSpec, start_server
from harness.perf.load import measure_requests
from harness.paths import SERVER_LOGS_DIR

WRK_SCRIPT = 'wrk.method = "POST"\nwrk.body = \'{"input": 3}\'\nwrk.headers["Content-Type"] = "application/json"\n'


def run_wrk(url: str, clients: int, seconds: float, script: Path) -> tuple[float, str]:
    """Requests per second and the p50 latency wrk reports (one wrk thread: the machine has few cores)."""
    out = subprocess.run(["wrk", "-t1", f"-c{clients}", f"-d{seconds:g}s", "--latency", "-s", str(script), url],
                         capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
    rate = re.search(r"Requests/sec:\s*([\d.]+)", out)
    p50 = re.search(r"^\s*50%\s+(\S+)", out, re.MULTILINE)
    return (float(rate.group(1)) if rate else float("nan")), (p50.group(1) if p50 else "?")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.client_ceiling", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed; install it with `apt-get install -y wrk` (Debian) and run this again.",
              file=sys.stderr)
        return 2
    server = start_server(ServerSpec("square"), SERVER_LOGS_DIR)
    try:
        url = f"{server.base_url}/predict"
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_SCRIPT)
        print(f"{'clients':>7} | {'httpx req/s':>11} {'p50 ms':>7} {'client CPU':>10} | {'wrk req/s':>9} {'p50':>8}")
        for clients in args.clients:
            ours = measure_requests(url, clients, lambda i, n: {"input": 3}, seconds=args.seconds)
            wrk_rate, wrk_p50 = run_wrk(url, clients, args.seconds, Path(script.name))
            print(f"{clients:>7} | {ours.requests_per_second:>11.0f} {ours.latency_ms(50):>7.2f} "
                  f"{ours.client_cpu_share:>9.0%} | {wrk_rate:>9.0f} {wrk_p50:>8}", flush=True)
        Path(script.name).unlink()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
