@performance @allure.label.epic:Performance @allure.label.parentSuite:Performance
Feature: Performance baselines
  How fast LitServe serves, in figures a maintainer can compare from one change to the
  next: how long answers take, how many answers a server gives per second, how quickly
  streamed chunks arrive, and how much dynamic batching gains.

  The figures carry the names of the serving benchmarks people know (vLLM's
  benchmark_serving, NVIDIA's genai-perf): request latency at the median (p50), the
  95th and the 99th percentile (the slowest answer in a hundred), request throughput
  (answers per second), time to first chunk (their "time to first token"), the gap
  between chunks (their "inter-token latency") and chunks per second (their output
  throughput). Each client sends its next request as soon as its last answer is
  complete, for the stated number of seconds.

  Every scenario attaches its figures as a table and charts, and the run writes them to
  reports/performance.json. This suite runs on small, busy machines, so the checks
  below compare only figures measured side by side in the same run, with a wide safety
  margin; the absolute figures are reported, not checked. A stored baseline made on the
  same machine, at a similar load, compares the same ratios with earlier runs
  (docs/performance.md, "The gate").

  @allure.label.story:Framework_overhead @normal @id.performance.the-cost-of-serving-a-model-that-does-almost-nothing
  Scenario: The cost of serving a model that does almost nothing
    Given a model server that squares numbers
    When one client asks and checks the server's health in turn, back to back for 3 seconds
    And clients ask back to back for 1.5 seconds, 1, 8 and 32 at a time
    Then a lone client's median answer takes at most 3 times as long as a health check
    And a lone client's slowest prediction in twenty takes at most 4 times as long as its slowest health check in twenty

  @allure.label.story:Batching_gain @critical @id.performance.a-model-with-a-fixed-cost-per-call-is-kept-busy
  Scenario: A model with a fixed cost per call is kept busy, and dynamic batching multiplies its answers per second
    Given a model server that squares numbers, taking 100 ms per call
    And beside it the same model, batching up to 8 requests within 100 ms
    When clients ask every server back to back for 2 seconds, 1, 8 and 32 at a time
    Then without batching, 8 clients get at least 60% of the answers per second the model allows one call at a time
    And batching gives at least these multiples of the answers per second without batching
      | clients | at least |
      | 8       | 1.25     |
      | 32      | 3        |
    And a lone client's median answer waits at most 1.5 batch windows longer with batching than without

  @allure.label.story:Streaming_pace @critical @id.performance.streamed-chunks-keep-the-models-pace
  Scenario: Streamed chunks keep the model's pace
    Given a streaming model server that produces chunks 50 ms apart
    When one client streams replies of 6 chunks back to back for 2 seconds
    Then the first chunk arrives within the first 20% of the whole stream
    And the median gap between chunks is at most 1.5 times the model's pause
    And a whole stream takes at most 1.5 times what the model needs to produce it

  @allure.label.story:Chunk_cost @normal @id.performance.a-chunk-costs-little-next-to-a-whole-request
  Scenario: A chunk costs little next to a whole request
    Given a streaming model server that produces chunks 50 ms apart
    When one client streams replies of 1 and of 20 chunks in turn, without pauses, back to back for 2 seconds
    Then a reply of 20 chunks takes at most 5 times as long as a reply of 1

  @allure.label.story:Batched_streaming @critical @id.performance.batched-streaming-multiplies-the-chunks-per-second
  Scenario: Batched streaming multiplies the chunks per second of concurrent streams
    Given a streaming model server that produces chunks 50 ms apart
    And beside it the same model, batching up to 8 streams within 50 ms and producing 6 chunks
    When clients stream replies of 6 chunks from every server back to back for 2 seconds, 1 and 8 at a time
    Then with 8 clients, batching delivers at least 2.5 times the chunks per second of no batching
    And with batching, 8 clients get at least 3 times the chunks per second of 1 client
