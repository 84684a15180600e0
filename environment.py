"""behave hooks and fixtures: one pool of LitServe servers for the run, logs on failure.

* ``before_all`` makes Ctrl-C interrupt steps that run asyncio too (``harness/serving/ctrl_c.py``) and
  installs the server pool (``use_fixture``); its clean-up stops every server
  after the run, also after a failure or Ctrl-C (behave runs pending clean-ups on abort; an
  ``atexit`` hook in the pool and an orphan watch in each server are the last resorts).
  The pool forks servers from a warm process that has imported LitServe once (``harness/serving/warm.py``),
  except in runs that measure performance or load, and with ``-D warm_start=no``.
* ``@fixture.fresh_server`` on a scenario gives it servers of its own, stopped (in the background)
  when it ends.
* Before each scenario, the servers of the coming scenarios start in the background, a few at a
  time (``harness/serving/prestart.py``; ``-D start_ahead=no`` turns it off).
* When a scenario fails, the logs of the servers it used are attached to the report.
* The Allure results folder is emptied when the run starts and gets the run's environment and
  failure categories; labels made from tags are tidied when it ends (``harness.reporting.allure_meta``).
* Every scenario is judged against the registry of known LitServe defects, ``known_defects.toml``
  (``harness/tags/known_defects.py``): a failure that is the registered failure of this release (step and
  message) is a known defect, not counted in the exit code and reported to Allure as known and broken;
  a registered defect that passes no longer reproduces and fails the run; the run ends with the verdict.
* After each scenario that measured performance, its figures go to ``reports/performance.json``
  and its tables and charts to the report.
* After each load scenario (``features/load*.feature``), the same for its Locust runs; with
  ``-D target=URL`` the scenarios tagged ``@instrumented`` are skipped.
* The ``openai`` package is imported in the background while the first servers start
  (``harness/clients/openai_sdk.py``).
* The apps' package is compiled to bytecode once, before any server starts (``harness/serving/bytecode.py``).
* Every ``-D`` option is parsed once, first, into ``context.options`` (``harness/options.py``); a bad one
  stops the run before any server starts.
* A scenario tagged ``@litserve.since:X`` / ``@litserve.until:X`` is skipped, with the reason,
  on a LitServe release outside that range (see ``harness/tags/releases.py``).
"""

from __future__ import annotations

import functools

from behave import fixture, step_registry, use_fixture

from harness.reporting import allure_meta
from harness.tags import known_defects
from harness.load import report as load_report
from harness.performance import measure
from harness import options
from harness.tags import releases
from harness.reporting import attachments
from harness.paths import SERVER_LOGS_DIR
from harness import scenario_state
from harness.serving.launcher import start_server
from harness.serving.pool import ServerPool
from harness.serving.warm import WarmStarter
from harness.serving.plan import ServerPlan
from harness.serving.ctrl_c import make_ctrl_c_interrupt_everywhere
from harness.serving.prestart import Prestarter, is_measuring
from harness.clients import openai_sdk
from harness.serving.bytecode import compile_apps


@fixture
def server_pool(context, warm: bool):
    """Servers shared by all scenarios of the run; stopped when the run ends (``warm``: forked from the warm
    process)."""
    starter = WarmStarter(SERVER_LOGS_DIR / "warm-process.log") if warm else None
    context.server_pool = ServerPool(start=functools.partial(start_server, warm=starter))
    yield context.server_pool
    stops = context.server_pool.stop_all()
    if starter is not None:
        starter.close()
    forced = [s for s in stops if not s.graceful]
    if forced:
        print(f"suite: {len(forced)} of {len(stops)} server(s) had to be killed: {forced}")


@fixture
def fresh_server(context):
    """Servers started by this scenario are its own and are stopped when it ends."""
    context.fresh_servers = []
    yield
    for server in context.fresh_servers:
        context.server_pool.stop_in_background(server)


FIXTURES = {"fixture.fresh_server": fresh_server}


def before_all(context):
    context.options = options.parse(context.config.userdata)
    make_ctrl_c_interrupt_everywhere()  # also inside asyncio.run (harness/serving/ctrl_c.py)
    allure_meta.start_run(context)
    context.litserve_version = releases.installed_litserve()
    known_defects.install(context.litserve_version)
    # behave has no public hook that sees every parsed feature before the run; its runner (private) holds them
    context.server_plan = ServerPlan.for_run(context._runner.features, context.config)
    measuring_run = any(is_measuring(s) for s in context.server_plan.scenarios)
    compile_apps()  # once, instead of in each server process (harness/serving/bytecode.py)
    use_fixture(server_pool, context, warm=context.options.warm_start and not measuring_run)
    applicable = [s for s in context.server_plan.scenarios
                  if not releases.not_applicable_reason(s.effective_tags, context.litserve_version)]
    steps = context._runner.step_registry or step_registry.registry  # the runner's own, else behave's global one
    context.prestarter = Prestarter(context.server_pool, applicable, steps,
                                    enabled=context.options.start_ahead)
    openai_sdk.import_in_background()  # most of a second, while the first servers start


def before_scenario(context, scenario):
    scenario_state.declare(context)
    for tag in scenario.effective_tags:
        if tag.startswith("fixture."):
            if tag not in FIXTURES:
                raise LookupError(f"unknown fixture tag @{tag}; known fixture tags are {sorted(FIXTURES)}")
            use_fixture(FIXTURES[tag], context)
    reason = (releases.not_applicable_reason(scenario.effective_tags, context.litserve_version)
              or context.options.skip_reason(scenario.effective_tags))
    if reason:
        scenario.skip(reason)
    context.prestarter.ahead_of(scenario)


def before_step(context, step):
    context.current_step = step


def after_step(context, step):
    known_defects.after_step(context, step)


def after_scenario(context, scenario):
    measure.finish_scenario(context, scenario)
    load_report.finish(scenario.name, context.load)
    known_defects.after_scenario(context, scenario)
    if scenario.status == "failed":
        for server in context.servers_used:
            attachments.attach_log(f"Server log: {server.spec.label}", server.log_text())
    still_needed = context.server_plan.needed_after(scenario)
    if still_needed is not None:
        context.server_pool.retire_unneeded(still_needed)


def after_all(context):
    allure_meta.finish_run(context)
    known_defects.after_all(context)
