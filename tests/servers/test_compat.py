"""servers.compat: the API server processes that LitServer.run leaves running (LitServe 0.2.8 - 0.2.11)."""

import multiprocessing
import time

from servers import compat


class _FakeServer:
    """Stands in for a LitServer whose run starts one API server process and returns without stopping it."""

    def _start_server(self, *args, **kwargs):
        process = multiprocessing.get_context("fork").Process(target=time.sleep, args=(60,))
        process.start()
        return [process]

    def run(self):
        return self._start_server()


def test_api_servers_left_running_are_terminated(monkeypatch):
    monkeypatch.setattr(compat, "_API_SERVERS", [])
    server = _FakeServer()
    compat.track_api_servers(server)
    (process,) = server.run()
    assert process.is_alive()
    assert compat.stop_api_servers_left_running(timeout=5.0) == [process.pid]
    assert not process.is_alive()


def test_nothing_to_do_when_the_release_stopped_them(monkeypatch):
    monkeypatch.setattr(compat, "_API_SERVERS", [])
    server = _FakeServer()
    compat.track_api_servers(server)
    (process,) = server.run()
    process.terminate()  # what LitServe 0.2.12 and later do themselves
    process.join(5.0)
    assert compat.stop_api_servers_left_running() == []
