"""The performance gate check's table: which figure flagged a slowdown, and by how much."""

from __future__ import annotations

import pytest

from tools.perf_gate_check import UNMODIFIED, GateRun, main, slowdowns, table

LOAD = "load average: 5.00, 4.00, 3.00"


def _run(case: str, code: int, failed: list[dict] | None = None, values: dict | None = None) -> GateRun:
    return GateRun(case, 1, code, 120.0, LOAD, LOAD, failed or [], [], values or {})


def test_the_table_names_the_figure_that_flagged_a_slowdown_with_its_value_limit_and_unmodified_value():
    check = {"ratio": "overhead.c1_p10_over_fastapi_p10", "value": 2.5, "limit": 2.1, "better": "lower",
             "passed": False}
    text = table([_run(UNMODIFIED, 0, values={"overhead.c1_p10_over_fastapi_p10": 1.7}),
                  _run("request_decode_slower", 1, [check])])
    unmodified, slowed = text.splitlines()[2:]
    assert "| no | - | - |" in unmodified
    assert "| yes | overhead.c1_p10_over_fastapi_p10 | 2.50 (limit <= 2.1; unmodified 1.70) |" in slowed


def test_every_slowdown_is_registered_and_an_unknown_one_is_refused():
    assert slowdowns() == ["request_decode_slower", "stream_writer_slower", "batch_loop_slower"]
    with pytest.raises(SystemExit, match="the registered ones are"):
        main(["--faults", "no_such_slowdown"])
