"""Performance steps: servers side by side, closed-loop load, and checks on ratios measured in the same run.

Measurements land in ``context.measured`` (a list of :class:`harness.performance.figures.Measured`); the
``after_scenario`` hook writes them to ``reports/performance.json`` and attaches tables and charts.
"""

from behave import then, when

import parameter_types  # noqa: F401  (registers the step parameter types)
from harness.performance import figures, measure
from harness.performance.gate import at_least, at_most


@when("clients ask back to back for {seconds:g} seconds, {counts:Counts} at a time")
@when("clients ask every server back to back for {seconds:g} seconds, {counts:Counts} at a time")
def step_load(context, seconds, counts):
    measure.load_predictions(context, seconds, counts)


@when("one client asks and checks the server's health in turn, back to back for {seconds:g} seconds")
def step_load_with_health(context, seconds):
    measure.load_predictions_and_health(context, seconds)


@when("one client streams replies of {chunks:d} chunks back to back for {seconds:g} seconds")
def step_load_one_stream(context, chunks, seconds):
    measure.load_streams(context, chunks, seconds, [1])


@when("one client streams replies of {short:d} and of {long:d} chunks in turn, without pauses, "
      "back to back for {seconds:g} seconds")
def step_load_stream_pairs(context, short, long, seconds):
    measure.load_stream_pairs(context, short, long, seconds)


@when("clients stream replies of {chunks:d} chunks from every server back to back for {seconds:g} seconds, "
      "{counts:Counts} at a time")
def step_load_streams(context, chunks, seconds, counts):
    measure.load_streams(context, chunks, seconds, counts)




@then("a lone client's median answer takes at most {times:g} times as long as a health check")
def step_predict_vs_health(context, times):
    at_most(context, figures.predict_over_health(context.measured), times, "a prediction costs too much more than a "
             "health check")


@then("a lone client's slowest prediction in twenty takes at most {times:g} times as long as its slowest "
      "health check in twenty")
def step_tail_vs_health(context, times):
    at_most(context, figures.tail_over_health(context.measured), times, "the slow predictions lag far behind the "
            "slow health checks")


@then("without batching, {clients:d} clients get at least {share:d}% of the answers per second "
      "the model allows one call at a time")
def step_throughput_vs_capacity(context, clients, share):
    at_least(context, figures.throughput_over_capacity(context.measured, clients), share / 100,
              f"with {clients} clients the server leaves the model idle too often")


@then("batching gives at least these multiples of the answers per second without batching")
def step_batching_gains(context):
    measure.require_columns(context.table, ["clients", "at least"])
    for row in context.table:
        at_least(context, figures.batching_gain(context.measured, int(row["clients"])), float(row["at least"]),
                  f"batching gains too little with {row['clients']} clients")


@then("a lone client's median answer waits at most {windows:g} batch windows longer with batching than without")
def step_lone_wait(context, windows):
    at_most(context, figures.lone_wait_over_window(context.measured), windows,
             "a lone request waits too long for its batch")


@then("the first chunk arrives within the first {share:d}% of the whole stream")
def step_ttft(context, share):
    at_most(context, figures.ttft_over_e2el(context.measured), share / 100, "the first chunk comes too late")


@then("the median gap between chunks is at most {times:g} times the model's pause")
def step_itl(context, times):
    at_most(context, figures.itl_over_pause(context.measured), times, "chunks fall behind the model's pace")


@then("a whole stream takes at most {times:g} times what the model needs to produce it")
def step_e2el(context, times):
    at_most(context, figures.e2el_over_model_time(context.measured), times, "streams take too long")


@then("a reply of {long:d} chunks takes at most {times:g} times as long as a reply of {short:d}")
def step_long_over_short(context, long, times, short):
    measure.require_kinds(context, [measure.paired_stream_kind(short), measure.paired_stream_kind(long)])
    at_most(context, figures.long_over_short(context.measured), times, "each extra chunk costs too much")


@then("with {clients:d} clients, batching delivers at least {times:g} times the chunks per second of no batching")
def step_stream_batching_gain(context, clients, times):
    at_least(context, figures.stream_batching_gain(context.measured, clients), times,
              f"batched streaming gains too little with {clients} clients")


@then("with batching, {clients:d} clients get at least {times:g} times the chunks per second of 1 client")
def step_stream_concurrency_gain(context, clients, times):
    at_least(context, figures.stream_concurrency_gain(context.measured, clients, batched=True), times,
              f"batched streams to {clients} clients are not served together")
