"""The apps' package is compiled once per run, so that server processes load it instead of compiling it."""

import importlib.util
import os

from harness.paths import REPO_ROOT
from harness.serving.bytecode import compile_apps


def test_every_module_of_the_apps_has_up_to_date_bytecode_after_compiling():
    compile_apps()
    for source in (REPO_ROOT / "servers").rglob("*.py"):
        cached = importlib.util.cache_from_source(str(source))
        assert os.path.exists(cached), f"no bytecode for {source}"
        assert os.path.getmtime(cached) >= os.path.getmtime(source), f"out-of-date bytecode for {source}"
