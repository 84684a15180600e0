"""The launcher starts a real app, reports it ready, and stops its whole tree."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil
import pytest

from harness.serving.launcher import ServerSpec, ServerStartError, start_server
from harness.paths import REPO_ROOT
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
    assert not [pid for pid in tree if _alive(pid)]
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


def _suite_processes(port: int) -> list[psutil.Process]:
    """Live processes started for the server on ``port`` (main process and everything it left behind)."""
    found = []
    for proc in psutil.process_iter(["cmdline", "status"]):
        try:
            cmdline = proc.info["cmdline"] or []
            if "servers" in cmdline and str(port) in cmdline and proc.info["status"] != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except psutil.Error:
            continue
    return found


def test_litserve_temp_dirs_live_in_the_private_tmpdir_and_go_with_the_server(tmp_path):
    server = start_server(ServerSpec("square"), log_dir=tmp_path)
    try:
        assert list(server.temp_dir.glob("pymp-*")), "LitServe's multiprocessing dirs should be in the server's TMPDIR"
    finally:
        report = server.stop()
    assert not server.temp_dir.exists()
    assert report.graceful and not report.killed


def test_a_server_that_never_becomes_ready_fails_with_its_log_tail_and_leaves_nothing(tmp_path, monkeypatch):
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))  # the launcher's litserve-suite-* dir goes here
    with pytest.raises(ServerStartError, match=r"was not healthy within 0 s on port (\d+)") as error:
        start_server(ServerSpec("square"), log_dir=tmp_path, ready_timeout=0.01)
    assert "Log " in str(error.value) and "suite: $" in str(error.value), "the message carries the log tail"
    port = int(re.search(r"on port (\d+)", str(error.value)).group(1))
    assert _suite_processes(port) == []
    assert list(private_tmp.iterdir()) == [], "the server's private temp dir was left behind"


def test_two_servers_at_once_get_their_own_ports(tmp_path):
    first = start_server(ServerSpec("square"), log_dir=tmp_path)
    try:
        second = start_server(ServerSpec("square", AppSettings(max_batch_size=2, batch_timeout=0.01)), log_dir=tmp_path)
        try:
            assert first.port != second.port
            assert httpx.post(f"{first.base_url}/predict", json={"input": 2}, timeout=10).json() == {"output": 4}
            answer = httpx.post(f"{second.base_url}/predict", json={"client": "c", "input": 3}, timeout=10).json()
            assert answer["output"] == 9 and answer["trace"]["members"] == ["c"]
        finally:
            second.stop()
    finally:
        first.stop()
    assert _suite_processes(first.port) == [] and _suite_processes(second.port) == []


@pytest.mark.parametrize("warm_start", ["yes", "no"])
def test_an_interrupted_behave_run_stops_every_server(tmp_path, warm_start):
    """SIGINT to behave while a scenario runs: every server of the run is stopped, its temp dirs removed, whether
    the servers were forked from the warm process or started on their own."""
    scratch = tmp_path / "run"
    scratch.mkdir()
    (scratch / "behave.ini").write_text("[behave]\n")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    behave = subprocess.Popen([str(Path(sys.executable).with_name("behave")), str(REPO_ROOT / "features"),
                               "--tags=not @performance and not @load and not @soak", "-D", f"warm_start={warm_start}",
                               "-f", "plain"], cwd=scratch, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        servers = _wait_for_servers(behave, count=2, timeout=120)
        assert all((server.parent().pid == behave.pid) == (warm_start == "no") for server in servers), \
            "servers are forked from the warm process with warm_start=yes, children of behave otherwise"
        trees = {pid for server in servers for pid in _tree_pids(server)}
        temp_dirs = {_private_tmpdir(pid) for pid in trees} - {None}
        assert temp_dirs, "no process of the servers carries a private TMPDIR"
        behave.send_signal(signal.SIGINT)
        behave.wait(timeout=240)  # a heavily loaded machine needs time to stop every server gracefully
    finally:
        if behave.poll() is None:
            behave.kill()
            behave.wait()
    survivors = [pid for pid in trees if _alive(pid)]
    assert survivors == [], f"processes of the interrupted run survived: {survivors}"
    assert all(d and d.startswith(tempfile.gettempdir()) for d in temp_dirs)
    assert [d for d in temp_dirs if Path(d).exists()] == [], "the servers' private temp dirs (pymp-*) were left behind"


def _wait_for_servers(behave: subprocess.Popen, count: int, timeout: float) -> list[psutil.Process]:
    """The first ``count`` servers started by ``behave``, once the last of them answers its health check."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert behave.poll() is None, "behave ended before it had started its servers"
        servers = _servers_of(psutil.Process(behave.pid))
        port = _listening_port(servers[count - 1]) if len(servers) >= count else None
        if port:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    return servers
            except httpx.HTTPError:
                pass
        time.sleep(0.2)
    raise AssertionError(f"behave did not start {count} servers within {timeout:.0f} s")


def _listening_port(server: psutil.Process) -> int | None:
    """The port the server's main process listens on (None before it does)."""
    try:
        return next((c.laddr.port for c in server.net_connections("tcp") if c.status == psutil.CONN_LISTEN), None)
    except psutil.Error:
        return None


def _servers_of(behave: psutil.Process) -> list[psutil.Process]:
    """The main processes of the servers ``behave`` started: its children running ``python -m servers <app>``, or
    the children of its warm process (``python -m servers --warm``), which show the warm process's command line."""
    found = []
    for child in behave.children():
        cmdline = _cmdline(child)
        if "servers" in cmdline and "--port" in cmdline:
            found.append(child)
        elif "servers" in cmdline and "--warm" in cmdline:
            found.extend(grandchild for grandchild in child.children() if _session_leader(grandchild.pid))
    return found


def _session_leader(pid: int) -> bool:
    try:
        return os.getsid(pid) == pid
    except ProcessLookupError:
        return False


def _private_tmpdir(pid: int) -> str | None:
    """The server's private TMPDIR, as the processes it started from a fresh interpreter carry it (the ones forked
    from the warm process show the warm process's environment)."""
    try:
        tmpdir = psutil.Process(pid).environ().get("TMPDIR", "")
    except psutil.Error:
        return None
    return tmpdir if os.path.basename(tmpdir).startswith("litserve-suite-") else None


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _cmdline(proc: psutil.Process) -> list[str]:
    try:
        return proc.cmdline() or []
    except psutil.Error:  # ended meanwhile, or a zombie
        return []


def _tree_pids(server: psutil.Process) -> set[int]:
    pids = {server.pid}
    try:
        pids |= {child.pid for child in server.children(recursive=True)}
    except psutil.Error:
        pass
    for proc in psutil.process_iter():
        try:
            if os.getsid(proc.pid) == server.pid:
                pids.add(proc.pid)
        except (ProcessLookupError, PermissionError, psutil.Error):
            continue
    return pids


def test_servers_stop_by_themselves_when_the_suite_is_killed_while_they_start(tmp_path):
    """SIGKILL leaves the suite no chance to clean up; its servers notice and shut down, even when the
    suite died before the server had finished starting."""
    script = ("import sys; from pathlib import Path; from harness.serving.launcher import ServerSpec, start_server; "
              "start_server(ServerSpec('square'), log_dir=Path(sys.argv[1]))")
    suite = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], cwd=REPO_ROOT,
                             env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob("*.log")) and time.monotonic() < deadline:
        time.sleep(0.05)
    (log,) = tmp_path.glob("*.log")
    port = int(log.stem.rsplit("-", 1)[1])
    server = None
    while server is None and time.monotonic() < deadline:  # the log is written just before the server is launched
        (server,) = _suite_processes(port) or [None]
    temp_dir = server.environ().get("TMPDIR") if server else None
    suite.kill()  # while the server is still importing LitServe
    suite.wait()
    deadline = time.monotonic() + 60
    while _suite_processes(port) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _suite_processes(port) == [], f"the server on port {port} outlived the suite:\n{log.read_text()[-2000:]}"
    assert temp_dir and not Path(temp_dir).exists(), f"the server's private temp dir {temp_dir} was left behind"
