"""The launcher's clean-up with several inference workers, several API servers and a metrics logger process."""

from __future__ import annotations

import httpx
import psutil

from harness.serving.launcher import ServerSpec, start_server
from servers.settings import AppSettings


def test_several_workers_and_api_servers_stop_with_the_whole_tree_and_their_temp_dirs(tmp_path):
    spec = ServerSpec("traced_square", AppSettings(workers=2, api_servers=3, metrics=True))
    server = start_server(spec, log_dir=tmp_path)
    try:
        assert httpx.post(f"{server.base_url}/predict", json={"client": "c", "input": 7}).json()["output"] == 49
        tree = [p.pid for p in server.tree()]
        # main, manager, resource tracker, 2 inference workers, the logger process, 3 API servers
        assert len(tree) >= 8, f"expected the whole deployment in the tree, found {len(tree)} processes"
        assert list(server.temp_dir.glob("pymp-*")), "LitServe's multiprocessing dirs should be in the server's TMPDIR"
    finally:
        report = server.stop()
    assert report.graceful and not report.killed, report
    assert not [pid for pid in tree if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
    assert not server.temp_dir.exists()


def test_a_configuration_litserve_refuses_exits_at_once_with_one_plain_line(tmp_path):
    spec = ServerSpec("traced_square", AppSettings(enable_async=True, max_batch_size=2, batch_timeout=0.01))
    server = start_server(spec, log_dir=tmp_path, wait_until_ready=False)
    try:
        assert server.process.wait(timeout=60) == 3
    finally:
        server.stop()
    log = server.log_text()
    assert "suite: LitServe refused to start app 'traced_square'" in log and "Async batching is not supported" in log
    assert "Traceback" not in log
