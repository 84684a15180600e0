@allure.label.epic:Core_serving @allure.label.parentSuite:Core_serving
@allure.link.docs:https://lightning.ai/docs/litserve/features/batching
Feature: Dynamic batching
  With a maximum batch size above 1, LitServe groups requests that are waiting in its
  queue and runs the model once for the whole group (a batch). It never puts more than
  the maximum into one batch, and it waits at most the batch window for more requests
  to arrive before it runs what it has. With a window of 0 it takes whatever is already
  waiting, without waiting for more.

  How the window works: LitServe opens windows back to back, one after another, from
  the moment it starts collecting, not from the moment the first request arrives. A
  request that arrives alone therefore waits anywhere between no time and one window,
  and requests that arrive over less than one window land in one or two batches.

  The model used here squares numbers, takes a fixed time per batch however many
  requests it holds, and tells every client which batch served it. It also keeps a
  value for each request from decode_request to encode_response (LitServe's
  per-request context), so the suite can check that values never change owners.

  @allure.label.story:Grouping @blocker @id.dynamic-batching.requests-sent-together-are-served-in-shared-batches
  Scenario Outline: Requests sent together are served in shared batches no larger than the maximum
    Given a model server that squares numbers in batches of up to <max> within <window> ms, taking <cost> ms per batch
    When <clients> clients ask at the same moment
    Then they are answered in at most <batches> batches of at most <max>
    And every client gets the square of its own number
    And every client's request context stays with its own answer

    Examples:
      | max | window | cost | clients | batches |
      | 2   | 50     | 150  | 6       | 4       |
      | 4   | 1000   | 100  | 8       | 3       |
      | 8   | 500    | 50   | 16      | 3       |

    @id.dynamic-batching.requests-sent-together-with-a-window-of-0
    Examples: With a window of 0
      | max | window | cost | clients | batches |
      | 4   | 0      | 300  | 8       | 3       |

  @allure.label.story:Batch_window @critical @id.dynamic-batching.a-lone-request-waits-no-longer-than-the-window
  Scenario Outline: A request that comes alone waits no longer than the batch window
    Given a model server that squares numbers in batches of up to <max> within <window> ms, taking <cost> ms per batch
    When one client asks 2 times, one after another
    Then every answer comes within <window> ms plus <cost> ms plus <margin> ms
    And every client gets the square of its own number

    Examples:
      | max | window | cost | margin |
      | 8   | 500    | 50   | 250    |
      | 4   | 1000   | 100  | 400    |

  @allure.label.story:Batch_window @critical @id.dynamic-batching.requests-that-trickle-in-within-one-window-are-still
  Scenario Outline: Requests that trickle in within one window are still grouped
    Given a model server that squares numbers in batches of up to <max> within <window> ms, taking <cost> ms per batch
    When 4 clients ask one after another, <gap> ms apart
    Then they are answered in at most 2 batches of at most <max>
    And every client gets the square of its own number

    Examples:
      | max | window | cost | gap |
      | 8   | 500    | 50   | 50  |
      | 4   | 1000   | 100  | 150 |
