@allure.label.epic:Deployment @allure.label.parentSuite:Deployment
@allure.link.docs:https://lightning.ai/docs/litserve/features/async-concurrency
@litserve.since:0.2.9.enable_async
Feature: Async models
  A model that waits for something else (another service, a database, a remote model)
  can be written with async def decode_request, predict and encode_response, and
  served with enable_async=True. While one request awaits, the same inference worker
  goes on with the others: requests overlap inside ONE worker process instead of
  waiting for each other.

  The async model used here squares a number after awaiting 1000 ms, and says which
  worker served the request and when, by the server's own clock. 8 such requests one
  after another would take 8 seconds; served together they must take a little more
  than 1 second (3000 ms leaves room for a busy machine and is still well under 8 s).
  The async streaming model awaits 100 ms between its chunks.

  Batching and async do not go together in LitServe: a server with enable_async=True
  and max_batch_size above 1 refuses to start, with a message saying so.

  Which releases: enable_async exists from LitServe 0.2.9 on. Up to 0.2.12 an async
  streaming model's encode_response was called once per chunk with a plain list; from
  0.2.13 on it gets the async generator of predict, as the model here expects.

  @allure.label.story:Concurrency @critical @id.async-models.requests-that-await-overlap-inside-one-worker
  Scenario: Requests that await overlap inside one worker, and each client gets its own answer
    Given an async model server that squares numbers, awaiting 1000 ms per request
    When 8 clients ask at the same moment
    Then every client gets the square of its own number
    And the 8 requests were served by 1 worker process, all at the same time
    And no client waits longer than 3000 ms for its answer

  @allure.label.story:Streams @critical @litserve.since:0.2.13.async_stream_encode @id.async-models.async-streams-are-delivered-as-produced-in-order
  Scenario: Async streams are delivered as produced, in order, each to its own client
    Given an async streaming model server that produces 6 chunks 100 ms apart
    When 4 clients stream replies at the same moment
    Then every client receives its own 6 chunks in order, and nothing from another client
    And every client's first chunk arrives before the model has produced half of the chunks
    And the 4 streams were produced by 1 worker process, all at the same time

  @allure.label.story:Errors @critical @id.async-models.an-async-model-that-fails-or-refuses-answers
  Scenario: An async model that fails or refuses answers as a synchronous one does
    Given an async model server that squares numbers but fails in predict for 13 and refuses 21 with status 422
    When a client asks for the square of 13
    Then the first client is answered with status 500 and a short error that reveals nothing of the model
    When a client asks for the square of 21
    Then the first client is answered with status 422 and the detail "rejected: 21"
    When 2 other clients ask at the same moment
    Then every client gets the square of its own number

  @fixture.fresh_server @allure.label.story:Configuration @normal @id.async-models.litserve-refuses-to-start-an-async-model
  Scenario: LitServe refuses to start an async model that batches
    Given LitServe is asked to serve an async model that batches up to 4 requests
    Then LitServe refuses to start, saying "Async batching is not supported"
