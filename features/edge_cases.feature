@allure.label.epic:Failure_modes @allure.label.parentSuite:Failure_modes
@allure.link.docs:https://lightning.ai/docs/litserve/api-reference/litserver
Feature: Models and clients at the edges
  Clients do not always send what the documentation shows, and models fail in their own
  ways. A client that sends JSON without a Content-Type (curl and many scripts do), with a
  charset or in capitals must still be served; JSON labelled as plain text may be refused
  (a browser form can send plain text to any site), but with a client error that says so. A model that raises its own kind of exception, one
  built with arguments, or one that cannot be pickled (to travel from the inference worker
  back to the API server) must cost its client an error answer, and the server must go on
  serving everyone else.

  A health check is what a load balancer trusts: when the model's health method raises,
  the check must answer 503 (not ready), not crash; when the model's health method takes
  long, the check must still answer the truth, and the server must go on answering
  requests meanwhile.

  The model used here is the production-configured one of the LitServer options feature
  (the fast queue, callbacks, middlewares, request tracking), or a plain one of its own
  where a scenario changes the model's health. A scenario whose exception may kill the
  inference worker gets a server of its own, so no later scenario inherits the damage. It
  serves two models, at "/predict" and at "/second", so its health check asks the health
  method of each.

  Which releases: a model can report its own health from LitServe 0.2.7 on.

  @id.edge-cases.json-without-usual-content-type
  @allure.label.story:Content_type @critical
  Scenario Outline: JSON without the usual Content-Type is still served
    Given a model server that reports what LitServe did with each request, deployed with the production options
    When a client sends a square request's JSON with <content type>
    Then the answer holds the output 36

    @id.edge-cases.json-without-content-type
    Examples: no Content-Type
      | content type                                        |
      | no Content-Type                                     |

    @id.edge-cases.json-with-a-charset-or-in-capitals
    Examples: a charset, capitals
      | content type                                        |
      | the Content-Type "application/json; charset=utf-8"  |
      | the Content-Type "application/JSON"                 |

  @id.edge-cases.json-labelled-plain-text-refused-clearly
  @allure.label.story:Content_type @normal
  Scenario: JSON labelled as plain text is refused with a clear client error, and the server goes on
    Given a model server that reports what LitServe did with each request, deployed with the production options
    When a client sends a square request's JSON with the Content-Type "text/plain"
    Then that client is told its request was bad, with a status in the 400s
    And the server goes on: a client that then asks for the square of 6 gets 36

  @id.edge-cases.model-own-exception-class
  @allure.label.story:Model_exceptions @critical
  Scenario: A model's own exception class costs the client an error answer, and the server goes on
    Given a model server that reports what LitServe did with each request, deployed with the production options
    When a client asks for the square of 2 and the model raises its own exception class
    Then that client is answered with status 500
    And the server goes on: a client that then asks for the square of 6 gets 36

  @id.edge-cases.model-exception-with-arguments
  @fixture.fresh_server @allure.label.story:Model_exceptions @critical
  Scenario: An exception whose constructor takes arguments costs the client an error answer, and the server goes on
    Given a model server that reports what LitServe did with each request, deployed with the production options
    When a client asks for the square of 2 and the model raises an exception whose constructor takes two arguments
    Then that client is answered with status 500
    And the server goes on: a client that then asks for the square of 6 gets 36

  @id.edge-cases.unpicklable-model-exception
  @fixture.fresh_server @allure.label.story:Model_exceptions @critical
  Scenario: An exception that cannot be pickled costs the client an error answer, and the server goes on
    Given a model server that reports what LitServe did with each request
    When a client asks for the square of 2 and the model raises an exception that cannot be pickled
    Then that client is answered with status 500
    And the server goes on: a client that then asks for the square of 6 gets 36

  @id.edge-cases.raising-health-check-answers-503
  @fixture.fresh_server @allure.label.story:Health @critical @litserve.since:0.2.7.health_hook
  Scenario: A health method that raises makes the health check answer 503, and the server goes on serving
    Given a model server that reports what LitServe did with each request, whose health check raises an error
    When a client checks the server's health
    Then the health check answers 503 with "not ready"
    And the server goes on: a client that then asks for the square of 6 gets 36

  @id.edge-cases.slow-health-check-blocks-nothing
  @allure.label.story:Health @critical @litserve.since:0.2.7.health_hook
  Scenario: A slow health method is answered truthfully, and requests are served meanwhile
    Given a model server that reports what LitServe did with each request, whose health check takes 500 ms, with 1 API server
    When a client checks the server's health while 3 clients ask for squares
    Then the health check answers 200 with "ok", and every client gets the square of its own number
    And every client is answered within 400 ms, without waiting for the health check
