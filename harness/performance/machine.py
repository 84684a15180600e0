"""The machine state figures are measured in, and whether two states can be compared.

A ratio such as "a reply of 20 chunks / a reply of 1" moves with the machine: on a quieter
machine a request costs less, the chunks not as much, and the ratio grows. A stored baseline
is therefore only a gate on the machine state it was made in:

* **another machine** (CPU count, CPU model, Python version differ): the comparison is refused
  (printed for information, never a failure);
* **the same machine, another load** (the 1-minute load average during the run is outside the
  baseline's range by more than one runnable process per CPU): the comparison is advisory;
* otherwise it gates.

The LitServe version is recorded and shown but never refuses: comparing a new release with a
baseline of the previous one on the same machine is the point.
"""

from __future__ import annotations

import os
import platform
from typing import Any

from harness.versions import package_version

#: Fields that must be equal for a baseline to gate (another value = another machine).
SAME_MACHINE = ("cpu_count", "cpu_model", "python")


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo``), or the platform's processor string."""
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average() -> float:
    """The 1-minute load average (runnable processes, averaged)."""
    return round(os.getloadavg()[0], 2)


def uptime_line() -> str:
    """What ``uptime`` would say about the load: the 1, 5 and 15-minute load averages."""
    one, five, fifteen = os.getloadavg()
    return f"load average: {one:.2f}, {five:.2f}, {fifteen:.2f}"


def state() -> dict[str, Any]:
    """The machine state now: what a run's figures were measured on."""
    return {"cpu_count": os.cpu_count(), "cpu_model": cpu_model(), "python": platform.python_version(),
            "platform": platform.platform(), "litserve": package_version("litserve"),
            "fastapi": package_version("fastapi"), "uvicorn": package_version("uvicorn"),
            "httpx": package_version("httpx"), "locust": package_version("locust")}


def run_load_range(environment: dict) -> tuple[float, float]:
    """The lowest and highest 1-minute load average recorded during a run (at its start and its end)."""
    values = [environment.get("load_average_at_start", [None])[0], environment.get("load_average_at_end")]
    values = [v for v in values if v is not None]
    return (min(values), max(values)) if values else (float("nan"), float("nan"))


def differences(current: dict, baseline: dict) -> tuple[list[str], list[str]]:
    """What makes ``current`` (a run's environment) not comparable with ``baseline`` (a baseline's):
    (reasons to refuse the comparison, reasons to make it advisory)."""
    refuse, advisory = [], []
    for key in SAME_MACHINE:
        if key not in baseline:
            advisory.append(f"the baseline does not record its {key.replace('_', ' ')}")
        elif current.get(key) != baseline[key]:
            refuse.append(f"{key.replace('_', ' ')} {current.get(key)!r}, the baseline's {baseline[key]!r}")
    band = baseline.get("load_average_range")
    low, high = run_load_range(current)
    if not band:
        advisory.append("the baseline does not record the load average it was made at")
    else:
        slack = float(baseline.get("cpu_count") or 1)
        if high > band[1] + slack:
            advisory.append(f"the machine was busier (load average up to {high:.1f}) than when the baseline "
                            f"was made ({band[0]:.1f}-{band[1]:.1f})")
        elif low < band[0] - slack:
            advisory.append(f"the machine was quieter (load average down to {low:.1f}) than when the baseline "
                            f"was made ({band[0]:.1f}-{band[1]:.1f})")
    return refuse, advisory
