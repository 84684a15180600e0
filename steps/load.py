"""Load steps (features/load.feature, features/load_soak.feature): Locust runs against LitServe and their checks.

The logic is in ``harness/load/scenarios.py`` and ``harness/load/endurance.py``; what a
scenario measured is in ``context.load`` and goes to the report and ``reports/performance.json``
after the scenario (``environment.py``).
"""

import math
import statistics

from behave import given, then, when
from hamcrest import assert_that, greater_than_or_equal_to, less_than_or_equal_to

import parameter_types  # noqa: F401  (registers the step parameter types)
from harness.clients import payloads
from harness.load import endurance
from harness.load import figures as load_figures
from harness.load import scenarios
from harness.reporting import attachments
from harness.serving.scenario import start_app


# ---------------------------------------------------------------- servers

@given("the server under load squares numbers, taking {cost_ms:d} ms per call")
def step_server_under_load(context, cost_ms):
    scenarios.server_under_load(context, predict_seconds=cost_ms / 1000)


@given("the server under load squares numbers in batches of up to {size:d} within {window_ms:d} ms, "
       "taking {cost_ms:d} ms per batch")
def step_batched_server_under_load(context, size, window_ms, cost_ms):
    scenarios.server_under_load(context, max_batch_size=size, batch_timeout=window_ms / 1000,
                                predict_seconds=cost_ms / 1000)


@given("beside it a streaming server under load that produces chunks {pause_ms:d} ms apart")
def step_stream_server_under_load(context, pause_ms):
    if not context.options.target:
        scenarios.suite_server(context, start_app(context, "tokens", chunk_pause=pause_ms / 1000))


@given("the open-files limit allows at least {connections:d} connections")
def step_open_files(context, connections):
    endurance.raise_open_files_limit(connections)


# ---------------------------------------------------------------- load

@when("its unloaded latency is measured with 1 client and its capacity with {clients:d} clients, "
      "{seconds:g} seconds each")
def step_calibrate(context, clients, seconds):
    scenarios.calibrate(context, clients, seconds)


@when("requests arrive at {share:d}% of its capacity for {seconds:g} seconds")
def step_steady(context, share, seconds):
    scenarios.steady_arrivals(context, share / 100, seconds)


@when("requests arrive at {share:d}% of its capacity for {before:g} seconds, then at {times:g} times that rate "
      "for {during:g} seconds, then at that first rate again for {after:g} seconds")
def step_burst(context, share, before, times, during, after):
    scenarios.bursting_arrivals(context, share / 100, before, times, during, after)


@when("clients ask back to back, {counts:Counts} at a time, {seconds:g} seconds each")
def step_ramp(context, counts, seconds):
    scenarios.ramp_up(context, counts, seconds)


@when("{clients:d} clients each keep a connection open and ask once every {every:g} seconds for {seconds:g} seconds")
def step_connections(context, clients, every, seconds):
    scenarios.suite_server(context, context.server)
    endurance.many_connections(context, clients, every, seconds)


@when("{clients:d} clients stream replies of {chunks:d} chunks back to back for {seconds:g} seconds, alone")
def step_streams_alone(context, clients, chunks, seconds):
    for server in context.servers_used:
        scenarios.suite_server(context, server)
    endurance.streams_alone(context, clients, chunks, seconds)


@when("the same streams run for {seconds:g} seconds beside {plain:d} clients asking the plain server and "
      "{batched:d} asking the batching server, each {pace:g} times a second")
def step_mixed(context, seconds, plain, batched, pace):
    endurance.mixed(context, seconds, plain, batched, pace)


@when("plain requests arrive at {rate:d} per second and {streams:d} clients stream replies of {chunks:d} chunks "
      "back to back, for the soak's length")
def step_soak(context, rate, streams, chunks):
    endurance.soak(context, rate, streams, chunks)


@when("a client sends a body of {mb:d} MB and waits for the echo")
def step_echo_body(context, mb):
    context.load.echo = payloads.echo(f"{context.server.base_url}/predict", mb * payloads.MB)
    context.load.figures.update(context.load.echo.as_dict())
    attachments.attach_text("Large request", str(context.load.echo.as_dict()))


@when("a client streams a reply of {chunks:d} chunks of {mb:d} MB each")
def step_big_stream(context, chunks, mb):
    context.load.big_stream = payloads.big_stream(f"{context.server.base_url}/predict", chunks, mb * payloads.MB)
    context.load.figures.update(context.load.big_stream.as_dict())
    attachments.attach_text("Stream of large chunks", str(context.load.big_stream.as_dict()))


# ---------------------------------------------------------------- checks

@then("every request under load is answered correctly")
def step_all_answered(context):
    scenarios.check_all_answered(context)


@then("the requests arrived at no less than {share:d}% of the target rate, none more than {lag:g} seconds behind")
def step_arrivals(context, share, lag):
    figures = context.load.figures
    assert_that(figures["steady_real_per_second"], greater_than_or_equal_to(figures["steady_target_per_second"] *
                share / 100), f"the load generator did not keep up with the target rate: {figures}")
    assert_that(figures["steady_worst_lag_s"], less_than_or_equal_to(lag),
                f"arrivals fell more than {lag:g} s behind the target: {figures}")


@then("the slowest answer in a hundred takes at most {times:g} times the unloaded median answer")
def step_steady_p99(context, times):
    figures = context.load.figures
    assert_that(figures["steady_p99_ms"], less_than_or_equal_to(times * figures["unloaded_p50_ms"]),
                f"at a steady {figures['steady_target_per_second']} requests per second the p99 latency was "
                f"{figures['steady_p99_ms']} ms; unloaded, the median was {figures['unloaded_p50_ms']} ms")


@then("after the burst, the median latency is back within {times:g} times its level before the burst "
      "in at most {seconds:g} seconds")
def step_recovery(context, times, seconds):
    took = scenarios.recovery(context, times)
    figures = context.load.figures
    assert_that(took, less_than_or_equal_to(seconds),
                f"after the burst the median latency stayed above {times:g} x {figures['before_burst_p50_ms']} ms "
                f"for {'the rest of the run' if math.isinf(took) else f'{took:.1f} s'}; figures: {figures}")


@then("at its best the server gives at least {share:d}% of the answers per second its model allows")
def step_best_vs_model(context, share):
    target = scenarios.target(context)
    figures = context.load.figures
    if target.model_rate is None:
        attachments.attach_text("Not checked", "the deployed target's model cost is unknown (-D target); "
                                "the best rate is reported only")
        return
    figures["model_allows_per_second"] = round(target.model_rate, 1)
    assert_that(figures["best_per_second"], greater_than_or_equal_to(target.model_rate * share / 100),
                f"the best step gave {figures['best_per_second']} answers per second; the model allows "
                f"{target.model_rate:.0f}; steps: {figures['ramp']}")


@then("beyond the knee the typical step gives at least {share:d}% of the best step's answers per second")
def step_no_collapse(context, share):
    figures = context.load.figures
    beyond = [s["rps"] for s in figures["ramp"] if s["users"] >= figures["knee_users"]]
    typical = statistics.median(beyond)
    figures["beyond_knee_typical_per_second"] = round(typical, 1)
    assert_that(typical, greater_than_or_equal_to(figures["best_per_second"] * share / 100),
                f"from the knee ({figures['knee_users']} users) on, the steps gave {beyond} answers per second, "
                f"{typical:.0f} at the median, against {figures['best_per_second']} at the best: throughput "
                f"collapses beyond capacity; steps: {figures['ramp']}")


@then("the server held {connections:d} connections at the same time")
def step_connections_held(context, connections):
    assert_that(context.load.figures["most_connections"], greater_than_or_equal_to(connections),
                "the server never held that many open connections at once (they were refused, closed or never made)")


@then("within {seconds:g} seconds after the clients leave, the server's open files are back to their idle level "
      "and its memory within {share:d}% of it")
def step_back_to_idle(context, seconds, share):
    ok, now = endurance.back_to_idle(context, seconds, share / 100)
    idle = context.load.idle_footprint
    assert ok, (f"{seconds:g} s after the clients left the server had {now.open_files} open files and "
                f"{now.rss_mb:.0f} MB; idle it had {idle.open_files} and {idle.rss_mb:.0f} MB")


@then("the echo is exactly what was sent")
def step_echo_exact(context):
    echo = context.load.echo
    assert echo.status == 200, f"the large request got status {echo.status}: {echo.detail[:300]}"
    assert (echo.returned_length, echo.returned_digest) == (echo.sent_length, echo.sent_digest), (
        f"{echo.sent_length} characters were sent and {echo.returned_length} came back, "
        f"{'with the same' if echo.returned_digest == echo.sent_digest else 'with a different'} SHA-256")


@then("the client is refused with status {status:d}")
def step_refused(context, status):
    assert context.load.echo.status == status, (f"a body of {context.load.echo.sent_length} characters got status "
                                           f"{context.load.echo.status}, not {status}")


@then("the stream has {chunks:d} chunks of {mb:d} MB each, whole and in order")
def step_big_stream_whole(context, chunks, mb):
    stream = context.load.big_stream
    assert stream.status == 200, f"the stream got status {stream.status}"
    assert len(stream.chunk_lengths) == chunks, f"{len(stream.chunk_lengths)} chunks arrived, not {chunks}"
    broken = [i for i, ok in enumerate(stream.in_order_and_whole) if not ok]
    assert not broken, (f"chunks {broken} were not the model's chunk at that place (cut, changed or out of order); "
                        f"their lengths: {[stream.chunk_lengths[i] for i in broken]}")
    assert min(stream.chunk_lengths) >= mb * payloads.MB


@then("the median time to first chunk is at most {extra_ms:d} ms more than when the streams ran alone")
def step_mixed_ttft(context, extra_ms):
    figures = context.load.figures
    assert_that(figures["mixed_ttft_p50_ms"], less_than_or_equal_to(figures["alone_ttft_p50_ms"] + extra_ms),
                f"under mixed load the first chunk came after {figures['mixed_ttft_p50_ms']} ms at the median; "
                f"alone after {figures['alone_ttft_p50_ms']} ms")


@then("from the first minute to the last, the server's memory grew by at most {share:d}% and its open files "
      "by at most {files:d}")
def step_soak_footprint(context, share, files):
    first, last = endurance.footprint_growth(context)
    if first.processes == 0:
        attachments.attach_text("Not checked", "the deployed target does not run on this machine; its memory "
                                "and open files cannot be read")
        return
    assert last.rss_mb <= first.rss_mb * (1 + share / 100), (
        f"the server's memory grew from {first.rss_mb:.0f} MB in the first minute to {last.rss_mb:.0f} MB in the last")
    assert last.open_files <= first.open_files + files, (
        f"the server's open files grew from {first.open_files} in the first minute to {last.open_files} in the last")


@then("the typical slowest answer in a hundred in the last minute takes at most {times:g} times that of the first minute")
def step_soak_p99(context, times):
    run = context.load.last("soak")
    first_start, first_end, last_start = endurance.soak_minutes(context)
    first = load_figures.typical_p99(run, "plain", first_start, first_end)
    last = load_figures.typical_p99(run, "plain", last_start, run.duration)
    context.load.figures.update(
        first_minute_typical_p99_ms=round(first, 2), last_minute_typical_p99_ms=round(last, 2),
        first_minute_p99_ms=round(run.latency_ms(99, "plain", first_start, first_end), 2),
        last_minute_p99_ms=round(run.latency_ms(99, "plain", last_start, run.duration + 1), 2))
    assert_that(last, less_than_or_equal_to(times * first),
                f"the typical p99 latency (median of the 10-second p99s) was {last:.1f} ms in the last minute "
                f"against {first:.1f} ms in the first; figures: {context.load.figures}")
