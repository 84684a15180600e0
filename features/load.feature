@load @allure.label.epic:Performance @allure.label.parentSuite:Load
@allure.link.docs:https://lightning.ai/docs/litserve/features/dynamic-batching
Feature: Production-shaped load
  How LitServe behaves under the traffic a deployed model sees: requests arriving at a steady
  rate, a sudden burst, more clients than the server can serve, a thousand open connections,
  very large requests and answers, and plain, batched and streaming requests at the same time.

  The load comes from Locust, a load-testing tool, started by the suite: its simulated users
  check every answer they get. A server's capacity is measured first, in the same run, so the
  rates below are shares of what this machine can serve. Every scenario attaches charts of
  throughput and latency over time, the latency distribution and a table of its figures, and
  writes them to reports/performance.json. Scenarios about "the server under load" can run
  against an already deployed LitServe instead (see docs/load.md); the others need the suite's
  own instrumented servers.

  @allure.label.story:Steady_arrivals @critical @id.load.requests-arriving-at-a-steady-rate-below-capacity
  Scenario: Requests arriving at a steady rate below capacity are all answered promptly
    Given the server under load squares numbers, taking 20 ms per call
    When its unloaded latency is measured with 1 client and its capacity with 8 clients, 3 seconds each
    And requests arrive at 50% of its capacity for 8 seconds
    Then every request under load is answered correctly
    And the requests arrived at no less than 90% of the target rate, none more than 0.5 seconds behind
    And the slowest answer in a hundred takes at most 5 times the unloaded median answer

  @allure.label.story:Bursts @critical @id.load.a-burst-of-several-times-the-usual-rate-loses-no
  Scenario: A burst of several times the usual rate loses no request, and latency settles again
    Given the server under load squares numbers, taking 20 ms per call
    When its unloaded latency is measured with 1 client and its capacity with 8 clients, 3 seconds each
    And requests arrive at 20% of its capacity for 6 seconds, then at 6 times that rate for 3 seconds, then at that first rate again for 6 seconds
    Then every request under load is answered correctly
    And after the burst, the median latency is back within 2 times its level before the burst in at most 3 seconds

  @allure.label.story:Saturation @critical @id.load.beyond-its-capacity-a-servers-throughput-levels-off
  Scenario: Beyond its capacity a server's throughput levels off instead of collapsing
    Given the server under load squares numbers in batches of up to 8 within 10 ms, taking 20 ms per batch
    When clients ask back to back, 1, 2, 4, 8, 16, 32 and 64 at a time, 3 seconds each
    Then every request under load is answered correctly
    And at its best the server gives at least 40% of the answers per second its model allows
    And beyond the knee the typical step gives at least 75% of the best step's answers per second

  @allure.label.story:High_concurrency @critical @fixture.fresh_server @instrumented @id.load.a-thousand-clients-holding-keep-alive-connections
  Scenario: A thousand clients holding keep-alive connections are all answered, and the server returns to idle
    Given the open-files limit allows at least 1000 connections
    And a model server that squares numbers
    When 1000 clients each keep a connection open and ask once every 3 seconds for 12 seconds
    Then every request under load is answered correctly
    And the server held 1000 connections at the same time
    And within 15 seconds after the clients leave, the server's open files are back to their idle level and its memory within 25% of it

  @allure.label.story:Large_payloads @critical @instrumented @id.load.a-large-request-comes-back-exactly
  Scenario Outline: A request of <size> MB comes back exactly
    Given a model server that echoes what it is sent
    When a client sends a body of <size> MB and waits for the echo
    Then the echo is exactly what was sent

    Examples:
      | size |
      | 1    |
      | 10   |
      | 50   |

  @allure.label.story:Large_payloads @critical @instrumented @id.load.a-request-over-the-servers-payload-limit-is-refused
  Scenario: A request over the server's payload limit is refused with 413
    Given a model server that echoes what it is sent and accepts bodies of at most 1 MB
    When a client sends a body of 2 MB and waits for the echo
    Then the client is refused with status 413

  @allure.label.story:Large_payloads @critical @instrumented @id.load.a-stream-of-1-mb-chunks-arrives-whole-and-in-order
  Scenario: A stream of 1 MB chunks arrives whole and in order
    Given a streaming model server that produces chunks 0 ms apart
    When a client streams a reply of 10 chunks of 1 MB each
    Then the stream has 10 chunks of 1 MB each, whole and in order

  @allure.label.story:Mixed_traffic @critical @instrumented @id.load.plain-batched-and-streaming-requests-at-the-same
  Scenario: Plain, batched and streaming requests at the same time are all answered right, and streams still start promptly
    Given a model server that squares numbers, taking 10 ms per call
    And a model server that squares numbers in batches of up to 8 within 10 ms, taking 20 ms per batch
    And a streaming model server that produces chunks 20 ms apart
    When 2 clients stream replies of 5 chunks back to back for 4 seconds, alone
    And the same streams run for 8 seconds beside 4 clients asking the plain server and 16 asking the batching server, each 5 times a second
    Then every request under load is answered correctly
    And the median time to first chunk is at most 40 ms more than when the streams ran alone
