@allure.label.epic:Core_serving @allure.label.parentSuite:Core_serving
@allure.link.docs:https://lightning.ai/docs/litserve/features/streaming
Feature: Single streaming request
  With streaming switched on, the model's predict yields its result piece by piece and
  LitServe sends every piece (a chunk) to the client as soon as it is produced, instead
  of waiting for the whole answer.

  The model used here answers a prompt such as "hello" with as many chunks as the
  client asks for, "hello-0", "hello-1", "hello-2" and so on, pausing a set time
  between chunks. Each chunk says when the model produced it, so the suite can tell a
  live stream from a buffered one.

  @allure.label.story:Complete_stream @blocker @id.single-streaming.a-stream-delivers-every-chunk-in-order-and-ends
  Scenario Outline: A stream delivers every chunk, in order, and ends cleanly
    Given a streaming model server that produces chunks 10 ms apart
    When a client streams a reply of <chunks> chunks to "hello"
    Then the client receives exactly <chunks> chunks, "hello-0" to "hello-<last>", in order
    And the stream ends cleanly

    Examples:
      | chunks | last |
      | 1      | 0    |
      | 5      | 4    |
      | 40     | 39   |

  @allure.label.story:Incremental_delivery @blocker @id.single-streaming.chunks-reach-the-client-while-the-model-is-still
  Scenario: Chunks reach the client while the model is still producing
    Given a streaming model server that produces chunks 100 ms apart
    When a client streams a reply of 10 chunks to "live"
    Then the first chunk reaches the client before the model has produced half of the chunks
    And the chunks reach the client spread over at least 0.5 seconds

  @allure.label.story:Concurrent_streams @critical @id.single-streaming.several-clients-streaming-at-once-each-get-their-own
  Scenario: Several clients streaming at once each get their own complete stream
    Given a streaming model server that produces chunks 10 ms apart
    When 4 clients stream replies of 10 chunks at the same moment
    Then every client receives its own 10 chunks in order, and nothing from another client
