"""A server's health answers are recorded from launch, and read back as a watch from its start."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

from harness.serving.health_log import NO_CONNECTION, HealthLog
from harness.serving.watch import watch_health


class _LoadingModel(BaseHTTPRequestHandler):
    """503 for its first three health checks, then 200."""

    checks = 0

    def do_GET(self):  # noqa: N802 (http.server's name)
        type(self).checks += 1
        self.send_response(503 if type(self).checks <= 3 else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_answers_recorded_from_launch_are_what_a_later_watch_sees():
    _LoadingModel.checks = 0
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _LoadingModel)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    launched_at = time.monotonic()
    log = HealthLog(f"http://127.0.0.1:{httpd.server_port}", {}, lambda: True, launched_at, give_up_after=30,
                    pause=0.01).start()
    try:
        assert log.finished.wait(10), "the record ends at the first 200"
        time.sleep(0.1)  # a watch that begins late, as for a server started ahead of its scenario
        server = SimpleNamespace(health_log=log, launched_at=launched_at)
        watch = watch_health(server, until_ready_within=30)
    finally:
        httpd.shutdown()
    assert [status for _, status in watch.answers] == ["503", "503", "503", "200"]
    assert watch.first_ready_at is not None


def test_the_record_ends_when_the_process_is_gone():
    alive = threading.Event()
    alive.set()
    log = HealthLog("http://127.0.0.1:9", {}, alive.is_set, time.monotonic(), give_up_after=30, pause=0.01).start()
    alive.clear()
    assert log.finished.wait(5)
    assert log.answers_at()[-1][1] == NO_CONNECTION
