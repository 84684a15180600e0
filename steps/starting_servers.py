"""Given steps that start a server: which app runs, with which settings.

A Given names the app by its phrase and describes the server by traits: "a model server that squares
numbers in batches of up to 8 within 100 ms, taking 20 ms per batch" (``{server:Server}``: the phrases
are in ``servers/catalog.py``, the traits in ``harness/serving/traits.py``). Every server comes from the
run's pool (started once, shared by the scenarios that ask for the same app and settings) or, under
``@fixture.fresh_server``, is the scenario's own.
"""

from behave import given

import parameter_types  # noqa: F401  (registers the step parameter types)
from harness.reporting import attachments
from harness.serving import watch
from harness.serving.launcher import READY_TIMEOUT_SECONDS
from harness.serving.scenario import start_fresh_app_unready, start_server

#: How long a server that reports itself unhealthy may take to answer its health check at all.
UNHEALTHY_ANSWER_SECONDS = 30


@given("{server:Server}")
@given("beside it {server:Server}")
def step_server(context, server):
    started = start_server(context, server)
    if server.watched:
        seconds = started.spec.settings.setup_seconds
        context.health_watch = watch.watch_health(started, until_ready_within=seconds + READY_TIMEOUT_SECONDS)
        attachments.attach_text("Health check answers (seconds after launch, status)", context.health_watch.describe())
    elif not started.spec.settings.reports_ready:
        _wait_for_the_model_to_answer_unhealthy(started)


def _wait_for_the_model_to_answer_unhealthy(server) -> None:
    health = watch.watch_health(server, until_ready_within=UNHEALTHY_ANSWER_SECONDS, until_answered=True)
    if health.answers[-1][1] == "no connection":
        raise RuntimeError(f"the server never answered its health check within {UNHEALTHY_ANSWER_SECONDS} s:\n"
                           f"{server.log_tail()}")
    # Some releases answer "not ready" while the model is still loading: only after that is the answer the model's.
    if watch.model_loaded_at(server, line="model ready") is None:
        raise RuntimeError(f"the model never finished loading:\n{server.log_tail()}")


# ---------------------------------------------------------------- configurations LitServe must refuse

@given("LitServe is asked to serve an async model that batches up to {max_batch_size:d} requests")
def step_async_batching(context, max_batch_size):
    start_fresh_app_unready(context, "traced_square", enable_async=True, max_batch_size=max_batch_size,
                            batch_timeout=0.01)


@given('LitServe is asked to serve two models that both answer at "/predict"')
def step_clashing_endpoints(context):
    start_fresh_app_unready(context, "clashing_endpoints")
