"""The reader of the models' trace lines in the server log."""

from __future__ import annotations

from harness.serving import traces
from servers.trace import TRACE_PREFIX


def test_trace_lines_are_read_by_kind_and_time():
    class Server:
        def log_text(self):
            return "\n".join([
                "INFO: something else",
                f'{TRACE_PREFIX} chat-piece {{"topic": "a", "index": 0, "produced_at": 10.0}}',
                f'{TRACE_PREFIX} embedding-batch {{"members": ["x"], "started_at": 10.5}}',
                f'{TRACE_PREFIX} chat-piece {{"topic": "a", "index": 1, "produced_at": 11.0}}',
            ])

    assert [t["index"] for t in traces.traces(Server(), "chat-piece")] == [0, 1]
    assert [t["index"] for t in traces.traces_between(Server(), "chat-piece", 10.5, 12.0, wait=0)] == [1]
    assert traces.traces_between(Server(), "embedding-batch", 0, 20, wait=0)[0]["members"] == ["x"]
