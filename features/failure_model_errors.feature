@allure.label.epic:Failure_modes @allure.label.parentSuite:Failure_modes
@allure.link.docs:https://lightning.ai/docs/litserve/api-reference/litapi
Feature: When the model fails or rejects a request
  A model can fail while it reads a request (decode_request), computes (predict) or
  writes the answer (encode_response). It can also refuse a request on purpose by
  raising an HTTP error with a status such as 422 and a short explanation (a detail).

  A client whose request made the model fail must get a short error answer that gives
  nothing of the model's internals away, and the server must go on serving everyone
  else. A client whose request the model refused must get the status and detail the
  model chose, whether its request was served alone, in a batch or as a stream.

  The models used here square numbers or stream numbered chunks, and are told on
  purpose to fail or to refuse particular inputs.

  Which releases: up to LitServe 0.2.10 a model error is answered with the plain text
  "Internal Server Error"; from 0.2.11 on with JSON whose detail is "Internal server
  error". The scenarios check what both forms share (the status, a short answer that
  gives nothing away); the JSON form has a scenario of its own, for the releases that
  give it.

  @allure.label.story:Model_errors @blocker @id.failure-model-errors.a-model-failure-gives-that-client-a-short-error
  Scenario Outline: A model that fails in <step> gives that client a short error, and the next request is served
    Given a model server that squares numbers but fails in decode for 13, in predict for 14 and in encode for 15, and refuses 21 with status 400, 22 with status 422 and 23 with status 429
    When a client asks for the square of <number>, then another client asks for the square of 4
    Then the first client is answered with status 500 and a short error that reveals nothing of the model
    And the second client gets the square of its own number

    Examples:
      | step    | number |
      | decode  | 13     |
      | predict | 14     |
      | encode  | 15     |

  @allure.label.story:Model_errors @normal @litserve.since:0.2.11.json_error_body @id.failure-model-errors.a-model-error-is-answered-with-json
  Scenario Outline: A model error in <step> is answered with JSON saying only "Internal server error"
    Given a model server that squares numbers but fails in decode for 13, in predict for 14 and in encode for 15, and refuses 21 with status 400, 22 with status 422 and 23 with status 429
    When a client asks for the square of <number>, then another client asks for the square of 4
    Then the first client is answered with status 500 and the detail "Internal server error"

    Examples:
      | step    | number |
      | decode  | 13     |
      | predict | 14     |
      | encode  | 15     |

  @allure.label.story:Model_rejects @blocker @id.failure-model-errors.a-request-the-model-refuses-gets-the-models-own
  Scenario Outline: A request the model refuses gets the model's own status and detail
    Given a model server that squares numbers but fails in decode for 13, in predict for 14 and in encode for 15, and refuses 21 with status 400, 22 with status 422 and 23 with status 429
    When a client asks for the square of <number>, then another client asks for the square of 4
    Then the first client is answered with status <status> and the detail "rejected: <number>"
    And the second client gets the square of its own number

    Examples:
      | number | status |
      | 21     | 400    |
      | 22     | 422    |
      | 23     | 429    |

  @allure.label.story:Model_errors_in_batches @critical @id.failure-model-errors.a-batch-whose-predict-fails-gives-every-member
  Scenario: A batch whose predict fails gives every member an error, and the next batch is served
    Given a model server that squares numbers in batches of up to 4 within 500 ms, but fails in predict for any batch with client-2
    When 4 clients ask at the same moment
    Then client-2 and every client batched with it are answered with status 500 and a short error, and every other client gets the square of its own number
    When 3 other clients ask at the same moment
    Then every client gets the square of its own number

  @allure.label.story:Model_errors_in_batches @critical @id.failure-model-errors.a-model-that-returns-the-wrong-number-of-answers
  Scenario: A model that returns the wrong number of answers for a batch gives its members an error, not someone else's answer
    Given a model server that squares numbers in batches of up to 4 within 500 ms, but returns one answer too few for any batch with client-2
    When 4 clients ask at the same moment
    Then client-2 and every client batched with it are answered with status 500 and a short error, and every other client gets the square of its own number
    When 3 other clients ask at the same moment
    Then every client gets the square of its own number

  @allure.label.story:Model_rejects_in_batches @critical @id.failure-model-errors.one-refused-request-in-a-batch-does-not-take
  Scenario: One refused request in a batch does not take the other members down with it
    Given a model server that squares numbers in batches of up to 4 within 500 ms, but refuses client-2 with status 422
    When 4 clients ask at the same moment
    Then client-2 is answered with status 422 and the detail "rejected: client-2"
    And every other client gets the square of its own number

  @allure.label.story:Model_rejects_in_streams @critical @id.failure-model-errors.a-stream-the-model-refuses-before-its-first-chunk
  Scenario: A stream the model refuses before its first chunk gets the model's status and detail
    Given a streaming model server that fails after 0 chunks for the prompt "story" and refuses the prompt "forbidden" with status 422
    When a client streams a reply of 5 chunks to "forbidden"
    Then the stream is answered with status 422 and the detail "rejected: forbidden"
