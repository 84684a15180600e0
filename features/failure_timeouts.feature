@allure.label.epic:Failure_modes @allure.label.parentSuite:Failure_modes
@allure.link.docs:https://lightning.ai/docs/litserve/api-reference/litserver
Feature: Request timeout
  LitServer's timeout limits how long a request may wait in LitServe's queue for a
  worker. A request that waits longer is answered 504 (Gateway Timeout); a request
  that a worker has already started is never cut off, however long the model takes.
  That is a design choice: the model's work on a started request is not wasted.

  The model used here takes 1 second per request, with a timeout of 0.5 seconds, and
  serves one request at a time, so a request that arrives while another is being
  served waits about 1 second.

  @allure.label.story:Running_request_not_cut_off @critical @id.failure-timeouts.a-slow-model-request-still-succeeds
  Scenario: A request that the model takes longer than the timeout to serve still succeeds
    Given a model server that squares numbers, taking 1000 ms per request, with a request timeout of 500 ms
    When a client asks for the square of 7
    Then the client is answered with status 200 and content type "application/json"
    And the answer holds exactly the output 49

  @allure.label.story:Queue_timeout @blocker @id.failure-timeouts.requests-waiting-too-long-get-504
  Scenario: Requests that wait in the queue longer than the timeout get 504, and the server goes on
    Given a model server that squares numbers, taking 1000 ms per request, with a request timeout of 500 ms
    When 3 clients ask at the same moment
    Then 1 client gets the square of its own number and the other 2 are answered with status 504
    When a client asks for the square of 5
    Then the answer holds exactly the output 25

  @allure.label.story:Queue_timeout @critical @id.failure-timeouts.a-request-waiting-too-long-is-told-promptly
  Scenario: A request that waits too long is told so promptly, not when a worker gets to it
    Given a model server that squares numbers, taking 1000 ms per request, with a request timeout of 500 ms
    When 3 clients ask at the same moment
    Then the clients answered with status 504 get it before the model has finished the first request

  @allure.label.story:Queue_timeout @normal @id.failure-timeouts.a-stream-waiting-too-long-gets-504
  Scenario: A stream that waited in the queue longer than the timeout gets 504
    Given a streaming model server that produces 10 chunks 100 ms apart, with a request timeout of 500 ms
    When 2 clients stream replies at the same moment
    Then one stream is complete and the other is answered with status 504
