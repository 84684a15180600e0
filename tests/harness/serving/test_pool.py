"""The pool hands over servers started ahead, fresh ones only once, and stops what nobody claimed."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from types import SimpleNamespace

from harness.serving import prestart
from harness.serving.launcher import ServerSpec
from harness.serving.pool import ServerPool
from harness.serving.prestart import PlannedServer, Prestarter
from servers.settings import AppSettings


@dataclass
class FakeServer:
    spec: ServerSpec
    ready: bool
    stopped: threading.Event = field(default_factory=threading.Event)

    def stop(self):
        self.stopped.set()

    def is_alive(self) -> bool:
        return not self.stopped.is_set()


class FakeStarts:
    """Stands in for ``start_server``: records what was started."""

    def __init__(self) -> None:
        self.started: list[FakeServer] = []

    def __call__(self, spec, log_dir, wait_until_ready=True):
        server = FakeServer(spec, wait_until_ready)
        self.started.append(server)
        return server


SQUARE = ServerSpec("square")
SLOW = ServerSpec("square", AppSettings(setup_seconds=2.0))


def test_a_fresh_server_started_ahead_is_handed_over_once():
    starts = FakeStarts()
    pool = ServerPool(start=starts)
    pool.start_fresh_ahead(SQUARE, owner=3)
    pool.wait_for_starts()
    assert pool.started_ahead() == 1
    first = pool.fresh(SQUARE)
    second = pool.fresh(SQUARE)
    assert first is starts.started[0]
    assert second is not first, "a fresh server serves one scenario only"
    assert pool.started_ahead() == 0
    pool.stop_all()


def test_a_server_launched_ahead_unready_is_not_handed_to_a_step_that_wants_it_ready():
    starts = FakeStarts()
    pool = ServerPool(start=starts)
    pool.start_fresh_ahead(SLOW, owner=1, wait_until_ready=False)
    pool.wait_for_starts()
    ready = pool.fresh(SLOW)
    unready = pool.fresh(SLOW, wait_until_ready=False)
    assert ready.ready and ready is not starts.started[0]
    assert unready is starts.started[0] and not unready.ready
    pool.stop_all()


def test_fresh_servers_nobody_claimed_are_stopped_once_their_scenario_has_passed():
    starts = FakeStarts()
    pool = ServerPool(start=starts)
    pool.start_fresh_ahead(SQUARE, owner=2)
    pool.start_fresh_ahead(SLOW, owner=5)
    pool.wait_for_starts()
    pool.discard_fresh_ahead(owners_before=3)
    assert starts.started[0].stopped.wait(5), "the unclaimed server of scenario 2 is stopped"
    assert not starts.started[1].stopped.is_set(), "scenario 5 has not run yet"
    assert pool.started_ahead() == 1
    pool.stop_all()
    assert starts.started[1].stopped.is_set()


def test_stop_all_waits_for_servers_stopped_in_the_background():
    starts = FakeStarts()
    pool = ServerPool(start=starts)
    server = pool.fresh(SQUARE)
    pool.stop_in_background(server)
    pool.stop_all()
    assert server.stopped.is_set()


def _scenario(*tags: str):
    return SimpleNamespace(effective_tags=list(tags), all_steps=[])


def test_the_prestarter_looks_ahead_by_servers_and_stops_at_a_measuring_scenario(monkeypatch):
    specs = [ServerSpec("square", AppSettings(predict_seconds=n / 10)) for n in range(1, prestart.SERVERS_AHEAD + 4)]
    scenarios = [_scenario(), *(_scenario() for _ in specs), _scenario("performance")]
    plans = {id(s): [PlannedServer(spec, f"step {i}", fresh=i % 2 == 0)] for i, (s, spec) in
             enumerate(zip(scenarios[1:], specs))}
    monkeypatch.setattr(prestart, "plan_servers", lambda scenario, registry: plans.get(id(scenario), []))
    starts = FakeStarts()
    pool = ServerPool(start=starts)
    prestarter = Prestarter(pool, scenarios, step_registry=None)

    prestarter.ahead_of(scenarios[0])
    pool.wait_for_starts()
    assert [s.spec for s in starts.started] == specs[:prestart.SERVERS_AHEAD]

    prestarter.ahead_of(scenarios[0])  # asked again: nothing is started twice
    pool.wait_for_starts()
    assert len(starts.started) == prestart.SERVERS_AHEAD
    pool.stop_all()


def test_nothing_is_started_beside_a_scenario_that_measures(monkeypatch):
    measuring, later = _scenario("performance"), _scenario()
    monkeypatch.setattr(prestart, "plan_servers",
                        lambda scenario, registry: [PlannedServer(SQUARE, "step", fresh=False)] if scenario is later
                        else [])
    starts = FakeStarts()
    pool = ServerPool(start=starts)
    Prestarter(pool, [measuring, later], step_registry=None).ahead_of(measuring)
    pool.wait_for_starts()
    assert starts.started == []
    pool.stop_all()


METRICS = ServerSpec("traced_square", AppSettings(workers=2, metrics=True))
NO_METRICS = ServerSpec("traced_square", AppSettings(workers=2))


def test_a_server_with_an_extra_the_run_expects_serves_the_scenarios_that_do_not_ask_for_it():
    for order in ([NO_METRICS, METRICS], [METRICS, NO_METRICS]):
        starts = FakeStarts()
        pool = ServerPool(start=starts)
        pool.expect([(NO_METRICS, "several workers"), (METRICS, "metrics")])
        servers = [pool.shared(spec, asked_by="metrics" if spec == METRICS else "several workers") for spec in order]
        assert servers[0] is servers[1] and [s.spec for s in starts.started] == [METRICS]
        assert pool.retire_unneeded({"several workers"}) == [], "a later step that the server covers keeps it"
        assert pool.retire_unneeded({"something else"}) == servers[:1]
        pool.stop_all()


def test_without_a_covering_server_expected_each_spec_has_its_own():
    starts = FakeStarts()
    pool = ServerPool(start=starts)
    assert pool.shared(NO_METRICS) is not pool.shared(SQUARE)
    assert [s.spec for s in starts.started] == [NO_METRICS, SQUARE]
    pool.stop_all()
