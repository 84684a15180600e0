@soak @allure.label.epic:Performance @allure.label.parentSuite:Load
@allure.link.docs:https://lightning.ai/docs/litserve/features/dynamic-batching
Feature: Long-run stability under steady mixed load
  A server that serves for hours must not slowly break: no request may fail, its memory and
  open files must not keep growing, and answers must not get slower. The soak runs steady
  plain and streaming traffic for 3 minutes by default; -D soak_minutes=N makes it as long as
  needed (see docs/load.md). "Typical" p99 is the median of the p99 latencies of the six
  10-second slices of a minute: a stall of the whole machine for a few seconds (this suite
  shares its machine) does not count, a server that got slower does. It attaches charts of throughput, latency, memory and open files
  over time, and writes its figures to reports/performance.json.

  @allure.label.story:Soak @critical @fixture.fresh_server @id.load-soak.minutes-of-steady-mixed-load-no-errors-bounded
  Scenario: Minutes of steady mixed load: no errors, bounded memory and open files, a stable p99
    Given the server under load squares numbers, taking 10 ms per call
    And beside it a streaming server under load that produces chunks 20 ms apart
    When plain requests arrive at 20 per second and 2 clients stream replies of 5 chunks back to back, for the soak's length
    Then every request under load is answered correctly
    And from the first minute to the last, the server's memory grew by at most 10% and its open files by at most 5
    And the typical slowest answer in a hundred in the last minute takes at most 1.5 times that of the first minute
