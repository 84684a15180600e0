"""A load shape read from the environment: ``LOAD_STAGES`` = JSON ``[[until_seconds, users, spawn_rate], ...]``.

Each stage holds ``users`` users (started or stopped at ``spawn_rate`` per second) until
``until_seconds`` after the start; after the last stage the run stops by itself. Bursts, ramps and
steps are all lists of stages (see ``harness/load/engine.py``: ``burst``, ``ramp``).
"""

from __future__ import annotations

import json
import os

from locust import LoadTestShape


class StagesShape(LoadTestShape):
    """Users over time, stage by stage, from ``LOAD_STAGES``."""

    stages = json.loads(os.environ.get("LOAD_STAGES", "[]"))

    def tick(self):
        elapsed = self.get_run_time()
        for until, users, spawn_rate in self.stages:
            if elapsed < until:
                return int(users), float(spawn_rate)
        return None
