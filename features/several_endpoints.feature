@allure.label.epic:Deployment @allure.label.parentSuite:Deployment
@allure.link.docs:https://lightning.ai/docs/litserve/features/multiple-endpoints
@litserve.since:0.2.11.several_litapis
Feature: Several endpoints on one server
  One LitServer can serve several models, each LitAPI at its own path (api_path),
  each with its own inference workers. Every request must reach the model of the path
  it was sent to, and only that model's answer must come back.

  The server used here has a square model at "/square" and a streaming model at
  "/tokens". The streaming endpoint has its own authorize() and requires the API key
  "sesame" in the X-API-Key header, while "/square" is open to everyone.

  The server is ready (its health check answers 200) only when the workers of every
  model have finished loading. Two models on the same path cannot both be served:
  LitServe refuses to start, with a message saying so.

  Which releases: several LitAPIs on one server from LitServe 0.2.11 on; the info
  says for each endpoint whether it streams from 0.2.12 on. Before 0.2.18 only the first
  LitAPI's authorize() was applied (a registered known defect of those releases).

  @allure.label.story:Mixed_traffic @critical @id.several-endpoints.a-plain-and-a-streaming-endpoint-under-mixed-traffic
  Scenario: A plain and a streaming endpoint under mixed traffic each answer with their own model's output
    Given a server with a square endpoint at "/square" and a streaming endpoint at "/tokens" that requires its own API key "sesame"
    When 6 clients ask "/square" for squares while 4 clients stream replies from "/tokens" with the API key "sesame", all at the same moment
    Then every client gets the square of its own number
    And every client receives its own 5 chunks in order, and nothing from another client

  @allure.label.story:Info @normal @litserve.since:0.2.12.info_per_endpoint @id.several-endpoints.the-info-endpoint-describes-each-endpoint
  Scenario: The info endpoint describes each endpoint
    Given a server with a square endpoint at "/square" and a streaming endpoint at "/tokens" that requires its own API key "sesame"
    When a client asks the server for its info
    Then the info says "/square" does not stream
    And the info says "/tokens" streams

  @allure.label.story:Access @critical @id.several-endpoints.the-secured-endpoint-refuses-a-client-without
  Scenario: The secured endpoint refuses a client without its key while the open endpoint serves everyone
    Given a server with a square endpoint at "/square" and a streaming endpoint at "/tokens" that requires its own API key "sesame"
    When a client streams a reply from "/tokens" with no API key
    Then the stream is answered with status 401
    When a client streams a reply from "/tokens" with the API key "wrong"
    Then the stream is answered with status 401
    When a client asks "/square" for the square of 7 with no API key
    Then every client gets the square of its own number
    When a client streams a reply from "/tokens" with the API key "sesame"
    Then the client receives exactly 5 chunks, "hello-0" to "hello-4", in order

  @fixture.fresh_server @allure.label.story:Health @critical @id.several-endpoints.the-server-is-ready-only-when-every-endpoints-model
  Scenario: The server is ready only when every endpoint's model has loaded
    Given a server with a square endpoint at "/square" and a streaming endpoint at "/tokens" whose model takes 2 seconds to load, watched from its start
    Then its health check does not answer 200 before the model has finished loading
    And its health check answered 503 while the streaming model was still loading
    And its health check answers 200 once the model has loaded

  @fixture.fresh_server @allure.label.story:Configuration @normal @id.several-endpoints.litserve-refuses-to-start-two-models-on-the-same
  Scenario: LitServe refuses to start two models on the same path
    Given LitServe is asked to serve two models that both answer at "/predict"
    Then LitServe refuses to start, saying "api_path /predict is already in use"
