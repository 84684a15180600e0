@allure.label.epic:Core_serving @allure.label.parentSuite:Core_serving
@allure.link.docs:https://lightning.ai/docs/litserve/features/batching
Feature: Streaming with dynamic batching
  Streaming and batching together: LitServe groups waiting streaming requests into a
  batch, the model produces one chunk for every request of the batch at each step, and
  LitServe sends each chunk to the client it belongs to.

  The model used here answers each client's prompt with its own numbered chunks and
  says in every chunk which batch produced it.

  @allure.label.story:Shared_batches @blocker @id.streaming-batching.concurrent-streams-share-batches-and-each-gets
  Scenario Outline: Concurrent streams share batches and each gets its own complete stream
    Given a streaming model server that batches up to <max> streams within <window> ms and produces <chunks> chunks, <pause> ms apart
    When <clients> clients stream replies at the same moment
    Then every client receives its own <chunks> chunks in order, and nothing from another client
    And they are answered in at most <batches> batches of at most <max>
    And every client's request context stays with its own answer

    Examples:
      | max | window | chunks | pause | clients | batches |
      | 4   | 100    | 10     | 100   | 4       | 2       |
      | 2   | 100    | 8      | 10    | 6       | 4       |
      | 8   | 250    | 3      | 50    | 8       | 2       |

  @allure.label.story:Incremental_delivery @critical @id.streaming-batching.streams-in-a-batch-reach-their-clients-while-produced
  Scenario: Streams in a batch reach their clients while the model is still producing
    Given a streaming model server that batches up to 4 streams within 100 ms and produces 10 chunks, 100 ms apart
    When 4 clients stream replies at the same moment
    Then every client receives its own 10 chunks in order, and nothing from another client
    And every client's first chunk arrives before the model has produced half of the chunks
