"""Given steps: which LitServe app runs, with which settings."""

from behave import given

from harness.serving.scenario import settings_from_table, start_app


@given("a model server that squares numbers")
def step_square_server(context):
    start_app(context, "square")


@given("a model server that squares numbers in batches of up to {max_batch_size:d} within {window_ms:d} ms, "
       "taking {cost_ms:d} ms per batch")
def step_batched_square_server(context, max_batch_size, window_ms, cost_ms):
    start_app(context, "square", max_batch_size=max_batch_size, batch_timeout=window_ms / 1000,
              predict_seconds=cost_ms / 1000)


@given("a streaming model server that produces chunks {pause_ms:d} ms apart")
def step_stream_server(context, pause_ms):
    start_app(context, "tokens", chunk_pause=pause_ms / 1000)


@given("a streaming model server that batches up to {max_batch_size:d} streams within {window_ms:d} ms "
       "and produces {chunks:d} chunks, {pause_ms:d} ms apart")
def step_batched_stream_server(context, max_batch_size, window_ms, chunks, pause_ms):
    start_app(context, "tokens", max_batch_size=max_batch_size, batch_timeout=window_ms / 1000,
              chunks=chunks, chunk_pause=pause_ms / 1000)


@given('a "{app}" model server with these settings')
def step_server_with_settings(context, app):
    start_app(context, app, **settings_from_table(context.table))

