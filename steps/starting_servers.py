"""Given steps that start a server: which LitServe app runs, with which settings.

Every server comes from the run's pool (started once, shared by the scenarios that ask for the
same app and settings) or, under ``@fixture.fresh_server``, is the scenario's own.
"""

from behave import given

import parameter_types  # noqa: F401  (registers the step parameter types)
from harness.serving import watch
from harness.perf import measure
from harness.reporting import attachments
from harness.serving.launcher import READY_TIMEOUT_SECONDS
from harness.serving.scenario import start_app, start_fresh_app_unready


# ---------------------------------------------------------------- the square model

@given("a model server that squares numbers")
def step_square(context):
    start_app(context, "square")


@given("a model server that squares numbers, taking {cost_ms:d} ms per call")
def step_square_fixed_cost(context, cost_ms):
    start_app(context, "square", predict_seconds=cost_ms / 1000)


@given("a model server that squares numbers in batches of up to {max_batch_size:d} within {window_ms:d} ms, "
       "taking {cost_ms:d} ms per batch")
def step_batched_square(context, max_batch_size, window_ms, cost_ms):
    start_app(context, "square", max_batch_size=max_batch_size, batch_timeout=window_ms / 1000,
              predict_seconds=cost_ms / 1000)


@given("a model server that squares numbers but fails in decode for {decode}, in predict for {predict} "
       "and in encode for {encode}")
def step_square_fails(context, decode, predict, encode):
    start_app(context, "square", failure_rules=f"decode:{decode},predict:{predict},encode:{encode}")


@given("a model server that squares numbers but refuses {refusals:Refusals}")
def step_square_refuses(context, refusals):
    start_app(context, "square", failure_rules=",".join(f"decode:{value}:{status}" for value, status in refusals))


@given("a model server that squares numbers in batches of up to {max_batch_size:d} within {window_ms:d} ms, "
       "but fails in predict for any batch with {client:Client}")
def step_batched_square_fails(context, max_batch_size, window_ms, client):
    start_app(context, "square", max_batch_size=max_batch_size, batch_timeout=window_ms / 1000,
              failure_rules=f"predict:{client}")


@given("a model server that squares numbers in batches of up to {max_batch_size:d} within {window_ms:d} ms, "
       "but returns one answer too few for any batch with {client:Client}")
def step_batched_square_wrong_length(context, max_batch_size, window_ms, client):
    start_app(context, "square", max_batch_size=max_batch_size, batch_timeout=window_ms / 1000,
              wrong_batch_length=client)


@given("a model server that squares numbers in batches of up to {max_batch_size:d} within {window_ms:d} ms, "
       "but refuses {client:Client} with status {status:d}")
def step_batched_square_refuses(context, max_batch_size, window_ms, client, status):
    start_app(context, "square", max_batch_size=max_batch_size, batch_timeout=window_ms / 1000,
              failure_rules=f"decode:{client}:{status}")


@given("a model server that squares numbers and declares no request type")
def step_untyped_square(context):
    start_app(context, "square", untyped_request=True)


@given("a model server that squares numbers and accepts bodies of at most {size:d} bytes")
def step_square_payload_limit(context, size):
    start_app(context, "square", max_payload_size=size)


@given("a model server that squares numbers, taking {cost_ms:d} ms per request, with a request timeout of {timeout_ms:d} ms")
def step_square_timeout(context, cost_ms, timeout_ms):
    start_app(context, "square", predict_seconds=cost_ms / 1000, timeout=timeout_ms / 1000)


@given('a model server that squares numbers and requires the API key "{key}"')
def step_api_key(context, key):
    start_app(context, "square", api_key=key)


@given("a model server that squares numbers and restarts workers that die")
def step_restarting(context):
    start_app(context, "square", restart_workers=True)


@given("a model server that squares numbers, taking {cost_ms:d} ms per request, and restarts workers that die")
def step_restarting_slow(context, cost_ms):
    start_app(context, "square", restart_workers=True, predict_seconds=cost_ms / 1000)


@given("a model server that squares numbers and takes {seconds:g} seconds to load, watched from its start")
def step_slow_setup(context, seconds):
    server = start_fresh_app_unready(context, "square", setup_seconds=seconds)
    context.health_watch = watch.watch_health(server, until_ready_within=seconds + READY_TIMEOUT_SECONDS)
    attachments.attach_text("Health check answers (seconds after launch, status)", context.health_watch.describe())


@given("a model server that squares numbers and reports itself unhealthy")
def step_unhealthy(context):
    server = start_fresh_app_unready(context, "square", healthy=False)
    health = watch.watch_health(server, until_ready_within=30, until_answered=True)
    if health.answers[-1][1] == "no connection":
        raise RuntimeError(f"the server never answered its health check within 30 s:\n{server.log_tail()}")
    # Some releases answer "not ready" while the model is still loading: only after that is the answer the model's.
    if watch.model_loaded_at(server, line="model ready") is None:
        raise RuntimeError(f"the model never finished loading:\n{server.log_tail()}")


# ---------------------------------------------------------------- the streaming model

@given("a streaming model server that produces chunks {pause_ms:d} ms apart")
def step_stream(context, pause_ms):
    start_app(context, "tokens", chunk_pause=pause_ms / 1000)


@given("a streaming model server that batches up to {max_batch_size:d} streams within {window_ms:d} ms "
       "and produces {chunks:d} chunks, {pause_ms:d} ms apart")
def step_batched_stream(context, max_batch_size, window_ms, chunks, pause_ms):
    start_app(context, "tokens", max_batch_size=max_batch_size, batch_timeout=window_ms / 1000,
              chunks=chunks, chunk_pause=pause_ms / 1000)


@given('a streaming model server that refuses the prompt "{prompt}" with status {status:d}')
def step_stream_refuses(context, prompt, status):
    start_app(context, "tokens", chunk_pause=0.01, failure_rules=f"decode:{prompt}:{status}")


@given('a streaming model server that fails after {chunks:d} chunks for the prompt "{prompt}"')
def step_stream_fails(context, chunks, prompt):
    start_app(context, "tokens", chunk_pause=0.01, failure_rules=f"predict:{prompt}", fail_after_chunks=chunks)


@given("a streaming model server that batches up to {max_batch_size:d} streams within {window_ms:d} ms, "
       "produces {chunks:d} chunks and fails after {after:d} chunks for any batch with {client:Client}")
def step_batched_stream_fails(context, max_batch_size, window_ms, chunks, after, client):
    start_app(context, "tokens", max_batch_size=max_batch_size, batch_timeout=window_ms / 1000, chunks=chunks,
              chunk_pause=0.01, failure_rules=f"predict:{client}", fail_after_chunks=after)


@given("a streaming model server that batches up to {max_batch_size:d} streams within {window_ms:d} ms, "
       "produces {chunks:d} chunks and refuses {client:Client} with status {status:d}")
def step_batched_stream_refuses(context, max_batch_size, window_ms, chunks, client, status):
    start_app(context, "tokens", max_batch_size=max_batch_size, batch_timeout=window_ms / 1000, chunks=chunks,
              chunk_pause=0.01, failure_rules=f"decode:{client}:{status}")


@given("a streaming model server that produces {chunks:d} chunks {pause_ms:d} ms apart, "
       "with a request timeout of {timeout_ms:d} ms")
def step_stream_timeout(context, chunks, pause_ms, timeout_ms):
    start_app(context, "tokens", chunks=chunks, chunk_pause=pause_ms / 1000, timeout=timeout_ms / 1000)


# ---------------------------------------------------------------- twins, for side-by-side measurements

@given("beside it the same model, batching up to {max_batch_size:d} requests within {window_ms:d} ms")
def step_batched_twin(context, max_batch_size, window_ms):
    measure.start_twin(context, max_batch_size=max_batch_size, batch_timeout=window_ms / 1000)


@given("beside it the same model, batching up to {max_batch_size:d} streams of {chunks:d} chunks within {window_ms:d} ms")
def step_batched_stream_twin(context, max_batch_size, chunks, window_ms):
    measure.start_twin(context, max_batch_size=max_batch_size, batch_timeout=window_ms / 1000, chunks=chunks)


# ---------------------------------------------------------------- deployments: several workers, async models,
# several endpoints, metrics (servers/deployment_apps.py). The traced apps answer with the worker's pid and
# server-side timestamps.

@given("a model server that squares numbers with {workers:d} inference workers and {api_servers:d} API servers, "
       "taking {cost_ms:d} ms per request, that counts the requests it serves in Prometheus metrics")
def step_square_workers(context, workers, api_servers, cost_ms):
    start_app(context, "traced_square", workers=workers, api_servers=api_servers, predict_seconds=cost_ms / 1000,
              metrics=True)


@given("a streaming model server with {workers:d} inference workers and {api_servers:d} API servers "
       "that produces {chunks:d} chunks {pause_ms:d} ms apart")
def step_stream_workers(context, workers, api_servers, chunks, pause_ms):
    start_app(context, "traced_tokens", workers=workers, api_servers=api_servers, chunks=chunks,
              chunk_pause=pause_ms / 1000)


@given("a model server that squares numbers with {workers:d} inference workers, taking {cost_ms:d} ms per request, "
       "and restarts workers that die")
def step_square_workers_restarting(context, workers, cost_ms):
    start_app(context, "traced_square", workers=workers, predict_seconds=cost_ms / 1000, restart_workers=True)


@given("an async model server that squares numbers, awaiting {cost_ms:d} ms per request")
def step_async_square(context, cost_ms):
    start_app(context, "traced_square", enable_async=True, predict_seconds=cost_ms / 1000)


@given("an async model server that squares numbers but fails for the input {failing:d} "
       "and refuses the input {refused:d} with status {status:d}")
def step_async_square_fails(context, failing, refused, status):
    start_app(context, "traced_square", enable_async=True, failure_rules=f"predict:{failing},decode:{refused}:{status}")


@given("an async streaming model server that produces {chunks:d} chunks {pause_ms:d} ms apart")
def step_async_stream(context, chunks, pause_ms):
    start_app(context, "traced_tokens", enable_async=True, chunks=chunks, chunk_pause=pause_ms / 1000)


@given('a server with a square endpoint at "/square" and a streaming endpoint at "/tokens" '
       'that requires its own API key "{key}"')
def step_two_endpoints(context, key):
    start_app(context, "two_endpoints", endpoint_key=key, chunk_pause=0.02)


@given('a server with a square endpoint at "/square" and a streaming endpoint at "/tokens" '
       'whose model takes {seconds:g} seconds to load, watched from its start')
def step_two_endpoints_slow(context, seconds):
    server = start_fresh_app_unready(context, "two_endpoints", setup_seconds=seconds)
    context.health_watch = watch.watch_health(server, until_ready_within=seconds + READY_TIMEOUT_SECONDS)
    attachments.attach_text("Health check answers (seconds after launch, status)", context.health_watch.describe())


@given("LitServe is asked to serve an async model that batches up to {max_batch_size:d} requests")
def step_async_batching(context, max_batch_size):
    start_fresh_app_unready(context, "traced_square", enable_async=True, max_batch_size=max_batch_size,
                            batch_timeout=0.01)


@given('LitServe is asked to serve two models that both answer at "/predict"')
def step_clashing_endpoints(context):
    start_fresh_app_unready(context, "clashing_endpoints")

@given("beside it a bare FastAPI app that squares numbers, without LitServe")
def step_reference_twin(context):
    start_app(context, "reference")
