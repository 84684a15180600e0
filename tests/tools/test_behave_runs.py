"""Reading behave's JSON results, and pass rates over several runs."""

from __future__ import annotations

from tools.behave_runs import parse_results
from tools.flakiness import rates


def test_behave_json_results_and_pass_rates():
    document = [{"location": "/x/features/single_streaming.feature:1", "elements": [
        {"type": "background", "name": "", "location": "/x/features/single_streaming.feature:3", "steps": []},
        {"type": "scenario", "name": "A -- @1.1 ", "status": "passed",
         "location": "/x/features/single_streaming.feature:9", "steps": []},
        {"type": "scenario", "name": "B", "location": "/x/features/single_streaming.feature:12", "steps": [
            {"result": {"status": "passed"}},
            {"result": {"status": "failed", "error_message": ["Assertion Failed: chunks", "  but: was 3"]}}]},
    ]}]
    results = parse_results(document)
    assert [(r.feature, r.name, r.location, r.status) for r in results] == [
        ("single_streaming", "A -- @1.1", "features/single_streaming.feature:9", "passed"),
        ("single_streaming", "B", "features/single_streaming.feature:12", "failed")]
    assert "Assertion Failed: chunks" in results[1].error

    class Run:
        def __init__(self, scenarios):
            self.scenarios = scenarios

    assert rates([Run(results), Run(results[:1])]) == [("single_streaming: A -- @1.1", 2, 2),
                                                        ("single_streaming: B", 0, 1)]
