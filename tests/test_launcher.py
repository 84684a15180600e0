"""The launcher starts a real app, reports it ready, and stops its whole tree."""

from __future__ import annotations

import httpx
import psutil
import pytest

from harness.launcher import ServerSpec, ServerStartError, start_server
from servers.settings import AppSettings


def test_starts_ready_and_stops_the_whole_tree(tmp_path):
    server = start_server(ServerSpec("square"), log_dir=tmp_path)
    try:
        assert httpx.post(f"{server.base_url}/predict", json={"input": 7}).json() == {"output": 49}
        tree = [p.pid for p in server.tree()]
        assert len(tree) >= 3, "LitServe runs a main process, an inference worker and an API server"
    finally:
        report = server.stop()
    assert report.graceful
    assert not [pid for pid in tree if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
    assert not server.temp_dir.exists()


def test_unknown_app_is_refused_with_the_known_names():
    with pytest.raises(ValueError, match="known apps are"):
        ServerSpec("no-such-app")


def test_unknown_setting_is_refused_with_the_known_names():
    with pytest.raises(ValueError, match="known settings are"):
        AppSettings.from_dict({"max_batchsize": 4})


def test_a_server_that_crashes_on_start_fails_fast_with_its_log_tail(tmp_path):
    with pytest.raises(ServerStartError, match="exited with code") as error:
        start_server(ServerSpec("square"), log_dir=tmp_path, ready_timeout=30,
                     extra_env={"LITSERVE_SUITE_FAULT": "no-such-fault"})
    assert "unknown fault 'no-such-fault'" in str(error.value)
