"""servers.compat: the API server processes that LitServer.run leaves running (LitServe 0.2.0 - 0.2.11)."""

import multiprocessing
import pickle
import time

import pytest

from servers import compat


class _FakeServer:
    """Stands in for a LitServer whose run starts one API server process and returns without stopping it."""

    def _start_server(self, *args, **kwargs):
        process = multiprocessing.get_context("fork").Process(target=time.sleep, args=(60,))
        process.start()
        return [process]

    def run(self):
        return self._start_server()


@pytest.fixture
def server(monkeypatch):
    """A tracked server; the class's own ``_start_server`` and the tracked list are restored afterwards."""
    monkeypatch.setattr(compat, "_API_SERVERS", [])
    monkeypatch.setattr(_FakeServer, "_start_server", _FakeServer._start_server)
    tracked = _FakeServer()
    compat.track_api_servers(tracked)
    return tracked


def test_api_servers_left_running_are_terminated(server):
    (process,) = server.run()
    assert process.is_alive()
    assert compat.stop_api_servers_left_running(timeout=5.0) == [process.pid]
    assert not process.is_alive()


def test_nothing_to_do_when_the_release_stopped_them(server):
    (process,) = server.run()
    process.terminate()  # what LitServe 0.2.12 and later do themselves
    process.join(5.0)
    assert compat.stop_api_servers_left_running() == []


def test_a_tracked_server_can_still_be_pickled(server):
    """LitServe pickles the server object for its inference workers (0.2.0 with OpenAISpec)."""
    assert isinstance(pickle.loads(pickle.dumps(server)), _FakeServer)
