"""Servers forked from the warm process behave, for the launcher, as servers started on their own."""

from __future__ import annotations

import os
import subprocess
import time

import httpx
import psutil
import pytest

from harness.serving.launcher import ConfigurationRefused, ServerSpec, start_server
from harness.serving.warm import WarmStarter, WarmStartError
from servers.settings import AppSettings


@pytest.fixture(scope="module")
def warm(tmp_path_factory):
    starter = WarmStarter(tmp_path_factory.mktemp("warm") / "warm-process.log")
    yield starter
    starter.close()


def test_a_forked_server_answers_and_stops_like_one_started_on_its_own(warm, tmp_path):
    server = start_server(ServerSpec("square"), log_dir=tmp_path, warm=warm)
    try:
        assert httpx.post(f"{server.base_url}/predict", json={"input": 7}).json() == {"output": 49}
        assert "(forked from the warm process)" in server.log_text().splitlines()[0]
        main = psutil.Process(server.pid)
        assert main.ppid() == warm.pid and os.getsid(server.pid) == server.pid, "its own session"
        workers = [p for p in main.children(recursive=True) if "spawn_main" in " ".join(p.cmdline())]
        assert workers and all(p.environ()["TMPDIR"] == str(server.temp_dir) for p in workers), \
            "LitServe's spawned workers get the server's private TMPDIR"
        tree = [p.pid for p in server.tree()]
    finally:
        report = server.stop()
    assert report.graceful and server.process.returncode == 0
    assert not [pid for pid in tree if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
    assert not server.temp_dir.exists()


def test_the_exit_code_of_a_forked_server_reaches_the_launcher(warm, tmp_path):
    spec = ServerSpec("traced_square", AppSettings(enable_async=True, max_batch_size=2, batch_timeout=0.01))
    with pytest.raises(ConfigurationRefused, match="Async batching"):
        start_server(spec, log_dir=tmp_path, warm=warm)


def test_a_server_that_needs_an_api_key_starts_on_its_own(warm, tmp_path):
    server = start_server(ServerSpec("square", AppSettings(api_key="k3y")), log_dir=tmp_path, warm=warm)
    try:
        assert isinstance(server.process, subprocess.Popen), "LitServe reads the key when it is imported"
        assert httpx.post(f"{server.base_url}/predict", json={"input": 3}, headers=server.auth_headers).status_code == 200
    finally:
        server.stop()


def test_servers_stop_by_themselves_when_the_warm_process_is_gone(tmp_path):
    starter = WarmStarter(tmp_path / "warm-process.log")
    server = start_server(ServerSpec("square"), log_dir=tmp_path, warm=starter)
    tree = [p.pid for p in server.tree()]
    starter.close()  # as if the suite died: the warm process exits, its servers are orphaned
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(psutil.pid_exists(pid) for pid in tree):
        time.sleep(0.1)
    try:
        assert not any(psutil.pid_exists(pid) for pid in tree)
    finally:
        server.stop()


def test_a_closed_warm_process_says_how_to_do_without_it(tmp_path):
    starter = WarmStarter(tmp_path / "warm-process.log")
    starter.close()
    with pytest.raises(WarmStartError, match="-D warm_start=no"):
        starter.start(["square", "--port", "1"], {}, tmp_path / "server.log")


def test_when_the_warm_process_has_failed_servers_start_on_their_own(tmp_path, capsys):
    starter = WarmStarter(tmp_path / "warm-process.log")
    starter.close()
    server = start_server(ServerSpec("square"), log_dir=tmp_path, warm=starter)
    try:
        assert isinstance(server.process, subprocess.Popen)
        assert "starting this server on its own instead" in server.log_text()
        assert "the warm process failed" in capsys.readouterr().err
        assert not starter.can_start({}), "later servers do not wait for it again"
    finally:
        server.stop()
