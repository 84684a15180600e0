@allure.label.epic:Core_serving @allure.label.parentSuite:Core_serving
@allure.link.docs:https://lightning.ai/docs/litserve/home
Feature: Single prediction
  A client sends one request and gets one answer. For every request LitServe runs the
  model's three steps: decode_request reads the request, predict computes, and
  encode_response turns the result into the answer the client receives.

  The model used here squares a number: a request with the input 3 is answered
  with the output 9, and nothing else.

  Which releases: the info endpoint exists from LitServe 0.2.6 on. Up to 0.2.11 it
  says whether the server streams; from 0.2.12 on, a server can serve several
  endpoints, and the info says for each endpoint (such as "/predict") whether it
  streams. The info scenarios are tagged with the releases they apply to and are
  skipped on the others.

  Background:
    Given a model server that squares numbers

  @allure.label.story:Answer @blocker @id.single-prediction.the-answer-is-exactly-what-the-model-produces
  Scenario Outline: The answer is exactly what the model produces for the input
    When a client asks for the square of <number>
    Then the client is answered with status 200 and content type "application/json"
    And the answer holds exactly the output <square>

    Examples:
      | number | square |
      | 3      | 9      |
      | -4     | 16     |
      | 0      | 0      |
      | 1.5    | 2.25   |

  @allure.label.story:Answer @critical @id.single-prediction.many-requests-in-a-row-each-get-their-own-answer
  Scenario: Many requests in a row each get their own answer
    When a client asks for the squares of 1 to 40, one after another
    Then every client gets the square of its own number

  @allure.label.story:Health @critical @id.single-prediction.the-health-check-says-the-server-is-ready
  Scenario: The health check says the server is ready
    When a client checks the server's health
    Then the health check answers 200 with "ok"

  @allure.label.story:Info @normal @litserve.since:0.2.12.info_per_endpoint @id.single-prediction.the-info-endpoint-describes-the-running-server
  Scenario: The info endpoint describes the running server
    When a client asks the server for its info
    Then the info says the server runs 1 worker per device with a request timeout of 30 seconds
    And the info says "/predict" does not stream

  @allure.label.story:Info @normal @litserve.since:0.2.6.info_whole_server @litserve.until:0.2.11.info_whole_server @id.single-prediction.the-older-info-endpoint-describes-the-server
  Scenario: The info endpoint of releases 0.2.6 to 0.2.11 describes the running server
    When a client asks the server for its info
    Then the info says the server runs 1 worker per device with a request timeout of 30 seconds
    And the info says the server does not stream
