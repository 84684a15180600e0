@allure.label.epic:Failure_modes @allure.label.parentSuite:Failure_modes
@allure.link.docs:https://lightning.ai/docs/litserve/api-reference/litserver
Feature: Bad requests from clients
  Clients make mistakes: a body that is not valid JSON, no body at all, a body of the
  wrong kind, a body far too large, the wrong HTTP method or a path that does not exist.
  Each mistake must be answered with a client error (a status in the 400s) that says
  what is wrong, never with a server error, and the server must go on serving.

  LitServe reads the body in one of two ways. When the model's decode_request declares
  that it takes a JSON object (a dict), the web framework checks the body first. When
  decode_request declares nothing, which is how most LitServe examples are written,
  LitServe parses the body itself. Both kinds of model are checked here.

  What the model does with a well-formed body is the model's business: a square model
  that gets letters instead of a number fails, and that is a model error (see "When the
  model fails or rejects a request").

  @allure.label.story:Bad_requests @critical @id.failure-bad-input.a-bad-request-to-a-model-that-declares-a-json-object
  Scenario Outline: A bad request to a model that declares a JSON object gets <status>, and the server goes on
    Given a model server that squares numbers
    When a client sends <mistake>
    Then that client is answered with status <status>
    And a client that then asks for the square of 6 gets 36

    Examples:
      | mistake                     | status |
      | a body that is not JSON     | 422    |
      | an empty body               | 422    |
      | a list instead of an object | 422    |
      | a GET instead of a POST     | 405    |
      | a PUT instead of a POST     | 405    |
      | a request to an unknown path | 404   |

  @allure.label.story:Bad_requests @normal @id.failure-bad-input.a-bad-request-to-a-model-that-declares-nothing-gets
  Scenario Outline: A bad request to a model that declares nothing gets <status>, and the server goes on
    Given a model server that squares numbers and declares no request type
    When a client sends <mistake>
    Then that client is answered with status <status>
    And a client that then asks for the square of 6 gets 36

    Examples:
      | mistake                     | status |
      | a GET instead of a POST     | 405    |
      | a request to an unknown path | 404   |

  @allure.label.story:Bad_requests @critical @id.failure-bad-input.a-body-that-is-not-json-to-a-model-that-declares
  Scenario Outline: A body that is not JSON, to a model that declares nothing, is a client error
    Given a model server that squares numbers and declares no request type
    When a client sends <mistake>
    Then that client is told its request was bad, with a status in the 400s
    And a client that then asks for the square of 6 gets 36

    Examples:
      | mistake                     |
      | a body that is not JSON     |
      | an empty body               |

  @allure.label.story:Payload_size @critical @id.failure-bad-input.a-body-over-the-configured-size-limit-is-refused
  Scenario: A body over the configured size limit is refused with 413, and the server goes on
    Given a model server that squares numbers and accepts bodies of at most 100000 bytes
    When a client sends a body of 300000 bytes
    Then that client is answered with status 413
    And a client that then asks for the square of 6 gets 36

  @allure.label.story:Payload_size @normal @id.failure-bad-input.without-a-configured-size-limit-litserve-accepts
  Scenario: Without a configured size limit, LitServe accepts a large body
    Given a model server that squares numbers
    When a client sends a body of 3000000 bytes
    Then that client is answered with status 200
