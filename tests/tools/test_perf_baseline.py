"""The performance baseline: comparing a run's ratios with a stored baseline, and making one."""

from __future__ import annotations

import json

import pytest

from tools.perf_baseline import compare, main, make_baseline


def _run(gain: float, wait: float) -> dict:
    return {"scenarios": {"Batching": {"ratios": {
        "batching.c8_gain": {"value": gain, "better": "higher", "meaning": "m"},
        "batching.c1_extra_wait_over_window": {"value": wait, "better": "lower", "meaning": "m"},
    }, "checks": [{"ratio": "batching.c8_gain"}, {"ratio": "batching.c1_extra_wait_over_window"}]}}}


def test_baseline_is_the_median_with_a_tolerance_covering_its_own_runs():
    baseline = make_baseline([_run(4.0, 0.8), _run(4.5, 0.9), _run(3.5, 0.85)], tolerance=0.3)
    gain = baseline["scenarios"]["Batching"]["ratios"]["batching.c8_gain"]
    assert gain["value"] == 4.0 and gain["spread"] == [3.5, 4.5]
    # the worst shortfall (4.0 - 3.5) plus the whole spread (4.5 - 3.5), as a share of the median
    assert gain["tolerance"] == pytest.approx(((4.0 - 3.5) + (4.5 - 3.5)) / 4.0, abs=0.01)
    for run in ([_run(4.0, 0.8), _run(4.5, 0.9), _run(3.5, 0.85)]):
        assert not any(c.regressed for c in compare(run, baseline))


def test_a_ratio_worse_than_its_tolerance_regresses_and_a_missing_one_too():
    baseline = make_baseline([_run(5.0, 0.8)], tolerance=0.3)
    verdicts = {c.key: c.regressed for c in compare(_run(3.4, 1.05), baseline)}
    assert verdicts == {"batching.c8_gain": True, "batching.c1_extra_wait_over_window": True}
    verdicts = {c.key: c.regressed for c in compare(_run(3.6, 1.03), baseline)}
    assert verdicts == {"batching.c8_gain": False, "batching.c1_extra_wait_over_window": False}
    assert all(c.regressed for c in compare({"scenarios": {}}, baseline))


def test_the_compare_command_exits_1_on_a_regression(tmp_path, capsys):
    (tmp_path / "base.json").write_text(json.dumps(_baseline_of(_with_machine(_run(5.0, 0.8)))))
    (tmp_path / "good.json").write_text(json.dumps(_with_machine(_run(4.9, 0.8))))
    (tmp_path / "bad.json").write_text(json.dumps(_with_machine(_run(2.0, 0.8))))
    assert main(["compare", "--results", str(tmp_path / "good.json"), "--baseline", str(tmp_path / "base.json")]) == 0
    assert main(["compare", "--results", str(tmp_path / "bad.json"), "--baseline", str(tmp_path / "base.json")]) == 1
    assert "REGRESSED" in capsys.readouterr().out


def test_a_missing_results_file_says_what_to_do(tmp_path):
    with pytest.raises(SystemExit, match="run the performance feature first"):
        main(["compare", "--results", str(tmp_path / "none.json"), "--baseline", str(tmp_path / "none.json")])


def _baseline_of(run: dict) -> dict:
    """A baseline from five copies of ``run`` (fewer runs only advise)."""
    return make_baseline([run] * 5)


def _with_machine(run: dict, cpu_model: str = "AMD EPYC", load: float = 2.0) -> dict:
    return {**run, "environment": {"cpu_count": 2, "cpu_model": cpu_model, "python": "3.11.7",
                                   "load_average_at_start": [load, load, load], "load_average_at_end": load}}


def test_the_baseline_records_the_machine_state_and_the_load_range_of_its_runs():
    baseline = make_baseline([_with_machine(_run(5.0, 0.8), load=1.5), _with_machine(_run(5.0, 0.8), load=3.0)])
    assert baseline["environment"]["cpu_model"] == "AMD EPYC"
    assert baseline["environment"]["load_average_range"] == [1.5, 3.0]
    assert baseline["environment"]["runs"] == 2


@pytest.mark.parametrize("cpu_model, load, code, verdict", [
    ("AMD EPYC", 2.0, 1, "ratios regressed"),
    ("Intel Xeon", 2.0, 0, "NOT COMPARED"),
    ("AMD EPYC", 9.0, 0, "ADVISORY ONLY"),
])
def test_a_regression_fails_only_on_the_same_machine_at_a_similar_load(tmp_path, capsys, cpu_model, load, code,
                                                                       verdict):
    (tmp_path / "base.json").write_text(json.dumps(_baseline_of(_with_machine(_run(5.0, 0.8)))))
    (tmp_path / "bad.json").write_text(json.dumps(_with_machine(_run(2.0, 0.8), cpu_model, load)))
    assert main(["compare", "--results", str(tmp_path / "bad.json"), "--baseline", str(tmp_path / "base.json")]) == code
    assert verdict in capsys.readouterr().out
    assert main(["compare", "--strict", "--results", str(tmp_path / "bad.json"),
                 "--baseline", str(tmp_path / "base.json")]) == 1


def test_a_baseline_of_few_runs_or_a_ratio_no_check_uses_only_informs(tmp_path, capsys):
    (tmp_path / "few.json").write_text(json.dumps(make_baseline([_with_machine(_run(5.0, 0.8))] * 2)))
    (tmp_path / "bad.json").write_text(json.dumps(_with_machine(_run(2.0, 0.8))))
    assert main(["compare", "--results", str(tmp_path / "bad.json"), "--baseline", str(tmp_path / "few.json")]) == 0
    assert "fewer than 5" in capsys.readouterr().out
    unchecked = _baseline_of(_with_machine(_run(5.0, 0.8)))
    unchecked["scenarios"]["Batching"]["ratios"]["batching.c8_gain"]["checked"] = False
    (tmp_path / "unchecked.json").write_text(json.dumps(unchecked))
    assert main(["compare", "--results", str(tmp_path / "bad.json"), "--baseline", str(tmp_path / "unchecked.json")]) == 0
    assert "(worse)" in capsys.readouterr().out
