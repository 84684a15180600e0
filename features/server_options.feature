@allure.label.epic:Deployment @allure.label.parentSuite:Deployment
@allure.link.docs:https://lightning.ai/docs/litserve/api-reference/litserver
Feature: The LitServer options production deployments switch on
  A production deployment switches on LitServer options that a quick start never uses: the
  fast queue (ZeroMQ between the API servers and the inference workers), callbacks that
  watch every request, middlewares of its own, a count of the requests in flight, its own
  health and info paths, model metadata in the info, no public OpenAPI schema, no request
  timeout for long generations, and a number of inference workers for each model.

  Each option must do what it says: a setting that LitServe silently ignores looks like a
  working deployment until it is needed. So the model behind these scenarios reports what
  happened inside: which inference worker served a request and over which transport it
  travelled, which hooks fired and when, which middlewares the answer passed.

  The server used here serves two models, at "/predict" and at "/second" (one LitServer
  serves several LitAPIs from 0.2.11 on; before, only "/predict"), with 1 inference worker
  for "/predict" and 2 for "/second", and 1 API server. Its health check is at "/healthz",
  its info at "/about", and its shutdown API answers only to the key "bye-now". The numbers
  of workers can also be given as a list, one number per model in the order the models were
  given to LitServer: one scenario gives [2, 1] to a server of its own with no other option.

  Which releases: callbacks and middlewares exist from LitServe 0.2.3 on (the on_request and
  on_response hooks from 0.2.4), request tracking from 0.2.4, a custom health path from 0.2.5,
  the fast queue, a custom info path and model metadata from 0.2.6, the shutdown API from 0.2.12, disabling the OpenAPI schema from
  0.2.14, workers per model from 0.2.18. On a release without an option the server runs
  without it (its log says so), and the scenarios about that option do not apply.

  Background:
    Given a model server that reports what LitServe did with each request, with the fast queue, with callbacks recording each hook, with 2 middlewares of its own, tracking the requests in flight, with its health check at "/healthz", with its info at "/about", describing its model as name "squarer" and version "2.1", without an OpenAPI schema, with no request timeout, with a shutdown API behind the key "bye-now", with 1 inference worker for "/predict" and 2 for "/second", given as a dict, and with 1 API server

  @id.server-options.fast-queue-carries-requests
  @allure.label.story:Fast_queue @critical @litserve.since:0.2.6.fast_queue
  Scenario: With the fast queue, requests travel to the model over ZeroMQ
    When a client asks "/predict" for the square of 3
    Then the answer says the request travelled over the ZeroMQ fast queue

  @id.server-options.each-hook-fires-once-in-order
  @allure.label.story:Callbacks @critical @litserve.since:0.2.4.callbacks
  Scenario: Every hook of a callback fires once for each request, in order
    When 3 clients ask "/predict" for squares one after another
    Then each request fired each of these hooks once, in this order
      | hook                      |
      | on_request                |
      | on_before_decode_request  |
      | on_after_decode_request   |
      | on_before_predict         |
      | on_after_predict          |
      | on_before_encode_response |
      | on_after_encode_response  |
      | on_response               |

  @id.server-options.hooks-fire-for-openai-endpoint
  @allure.label.story:Callbacks @critical @litserve.since:0.2.5.callbacks_on_specs
  Scenario: Every hook of a callback fires once for each request to the OpenAI-compatible endpoint, in order
    Given a chat model server that records what it is asked, answers in 6 pieces 10 ms apart, with callbacks recording each hook
    When 2 clients ask the chat model "hello", one after another
    Then each request fired each of these hooks once, in this order
      | hook                      |
      | on_request                |
      | on_before_decode_request  |
      | on_after_decode_request   |
      | on_before_predict         |
      | on_after_predict          |
      | on_before_encode_response |
      | on_after_encode_response  |
      | on_response               |

  @id.server-options.middlewares-applied-once-in-order
  @allure.label.story:Middlewares @critical @litserve.since:0.2.3.middlewares
  Scenario: Every request passes the user's middlewares once each, in the order they are listed
    When 3 clients ask "/predict" for squares one after another
    Then every answer passed the middlewares "m1, m2" once each, in that order

  @id.server-options.requests-in-flight-counted
  @allure.label.story:Request_tracking @critical @litserve.since:0.2.4.track_requests
  Scenario: The count of requests in flight is what is in flight
    When 3 clients ask "/predict", each held for 300 ms, and once LitServe has taken them in, one more asks
    Then LitServe counted 4 requests in flight when the last one arrived
    When a client asks "/predict" for the square of 5
    Then LitServe counted 1 request in flight when it arrived

  @id.server-options.own-paths-and-no-openapi-schema
  @allure.label.story:Paths @normal
  Scenario Outline: The health check and the info answer at their own paths, and the OpenAPI schema is not served
    When a client sends GET "<path>"
    Then that client is answered with status <status>

    @id.server-options.custom-paths-answer @litserve.since:0.2.6.custom_paths
    Examples: the server's own paths
      | path     | status |
      | /healthz | 200    |
      | /about   | 200    |

    @id.server-options.openapi-schema-not-served @litserve.since:0.2.14.disable_openapi_url
    Examples: no OpenAPI schema
      | path          | status |
      | /openapi.json | 404    |
      | /docs         | 404    |

  @id.server-options.info-shows-model-metadata
  @allure.label.story:Info @normal @litserve.since:0.2.6.model_metadata
  Scenario: The info shows the model's metadata and that requests never time out
    When a client sends GET "/about"
    Then the info shows the model as name "squarer" and version "2.1", and no request timeout

  @id.server-options.long-generation-without-timeout
  @allure.label.story:Timeout @normal
  Scenario: Without a request timeout, a long generation is answered
    When a client asks for the square of 4, held for 500 ms
    Then the client gets 16 after at least 500 ms

  @id.server-options.workers-per-model
  @allure.label.story:Workers_per_model @normal @litserve.since:0.2.18.workers_per_device_per_api
  Scenario Outline: Each model runs the number of inference workers given for it
    When 4 clients ask "<path>" at the same moment, each held for 200 ms
    Then they were served by <workers>

    Examples:
      | path     | workers                       |
      | /predict | 1 inference worker            |
      | /second  | 2 different inference workers |

  @id.server-options.workers-per-model-as-a-list
  @allure.label.story:Workers_per_model @normal @litserve.since:0.2.18.workers_per_device_per_api
  Scenario Outline: Workers per model given as a list go to the models in the order they were given to LitServer
    Given a model server that reports what LitServe did with each request, with 2 inference workers for "/predict" and 1 for "/second", given as a list, and with 1 API server
    When 4 clients ask "<path>" at the same moment, each held for 200 ms
    Then they were served by <workers>

    Examples:
      | path     | workers                       |
      | /predict | 2 different inference workers |
      | /second  | 1 inference worker            |

  @id.server-options.shutdown-api-needs-its-key
  @fixture.fresh_server @allure.label.story:Shutdown_API @critical @litserve.since:0.2.12.shutdown_api
  Scenario: The shutdown API shuts the server down only for its key
    When a client asks the server to shut down with no key
    Then that client is answered with status 401
    When a client asks the server to shut down with the key "wrong"
    Then that client is answered with status 401
    And the server goes on: a client that then asks for the square of 6 gets 36
    When a client asks the server to shut down with the key "bye-now"
    Then that client is answered with status 200
    And the server exits within 10 seconds
