@allure.label.epic:Failure_modes @allure.label.parentSuite:Failure_modes
@allure.link.docs:https://lightning.ai/docs/litserve/api-reference/litserver
Feature: Readiness, health and access control
  A load balancer sends traffic to a server only once its health check answers 200.
  So the health check must not say "ok" while the model is still loading, nor while
  the model itself reports that it is unwell (its health method answers False).

  A server configured with an API key (LitServe reads it from the LIT_SERVER_API_KEY
  environment variable) serves only clients that send that key in the X-API-Key
  header; every other request is answered 401 (Unauthorized).

  Which releases: a model can report its own health (a health method that LitServe
  asks) from LitServe 0.2.7 on; older releases never ask the model, so the scenario
  about an unhealthy model applies from 0.2.7.

  @fixture.fresh_server @allure.label.story:Readiness @blocker @id.failure-health-and-access.a-slow-model-is-not-healthy-before-it-is-loaded
  Scenario: A model that takes 2 seconds to load is not reported healthy before it is loaded
    Given a model server that squares numbers and takes 2 seconds to load, watched from its start
    Then its health check does not answer 200 before the model has finished loading
    And its health check answers 200 once the model has loaded
    And a client that then asks for the square of 6 gets 36

  @fixture.fresh_server @allure.label.story:Health @critical @litserve.since:0.2.7.health_hook @id.failure-health-and-access.an-unhealthy-model-makes-health-answer-503
  Scenario: A model that reports itself unhealthy makes the health check answer 503
    Given a model server that squares numbers and reports itself unhealthy
    When a client checks the server's health
    Then the health check answers 503 with "not ready"

  @allure.label.story:Access_control @blocker @id.failure-health-and-access.with-an-api-key-only-the-right-key-is-served
  Scenario Outline: With an API key configured, only requests with the right key are served
    Given a model server that squares numbers and requires the API key "s3cret-key"
    When a client asks for the square of 6 with <key>
    Then that client is answered with status <status>

    Examples:
      | key                         | status |
      | no API key                  | 401    |
      | the API key "wrong-key"     | 401    |
      | the API key "S3CRET-KEY"    | 401    |
      | the API key "s3cret-key"    | 200    |

  @allure.label.story:Access_control @normal @id.failure-health-and-access.with-an-api-key-health-also-asks-for-it
  Scenario: With an API key configured, the health check also asks for the key
    Given a model server that squares numbers and requires the API key "s3cret-key"
    When a client checks the server's health without the API key
    Then that client is answered with status 401
