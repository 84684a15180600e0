@allure.label.epic:Deployment @allure.label.parentSuite:Deployment
@allure.link.docs:https://lightning.ai/docs/litserve/api-reference/litserver
Feature: Several inference workers and API servers
  To serve more clients, LitServe runs the model in several inference worker processes
  (workers_per_device) behind several API server processes that accept the HTTP
  requests (num_api_servers). Every request goes to whichever worker is free, and its
  answer must come back to the client that asked, through the API server that holds
  that client's connection.

  The model used here squares a number and says which worker process served the
  request and when, by the server's own clock; the streaming model says which worker
  produced each chunk. So "served at the same time" is proven by the server, not
  guessed from how long the clients waited.

  "Late" is measured against the work the model has to do: 12 requests of 250 ms on
  2 workers are 1500 ms of work; an answer later than 3000 ms (the work plus 1500 ms
  for the machine) is late. 8 streams of 5 chunks 20 ms apart on 2 workers are 320 ms
  of work; a stream that ends later than 2000 ms is late.

  If one of several workers dies and LitServer was told to restart workers, the other
  workers go on serving while LitServe starts a new one. Without restart_workers,
  LitServe 0.2.19 shuts the whole server down once its monitor notices the dead
  worker (within about 2 seconds), after up to 30 seconds of graceful shutdown.

  Which releases: workers_per_device and num_api_servers exist from 0.2.0 on; the
  info endpoint from 0.2.6 on; restart_workers from 0.2.17 on.

  @allure.label.story:Parallel_workers @critical @id.several-workers.slow-requests-sent-together-are-served-at-the-same
  Scenario: Slow requests sent together are served at the same time by different workers
    Given a model server that squares numbers and says which worker served each request, with 2 inference workers and 3 API servers, taking 250 ms per request
    When 2 clients ask at the same moment
    Then every client gets the square of its own number
    And the 2 requests were served by 2 different worker processes, all at the same time

  @allure.label.story:Info @normal @litserve.since:0.2.6.info_endpoint @id.several-workers.the-info-endpoint-says-how-many-workers-run
  Scenario: The info endpoint says how many workers run
    Given a model server that squares numbers and says which worker served each request, with 2 inference workers and 3 API servers, taking 250 ms per request
    When a client asks the server for its info
    Then the info says the server runs 2 workers per device with a request timeout of 30 seconds

  @allure.label.story:API_servers @critical @id.several-workers.many-clients-at-once-through-several-api-servers
  Scenario: Many clients at once, through several API servers, each get their own answer in time
    Given a model server that squares numbers and says which worker served each request, with 2 inference workers and 3 API servers, taking 250 ms per request
    When 12 clients ask at the same moment
    Then every client gets the square of its own number
    And no client waits longer than 3000 ms for its answer

  @allure.label.story:API_servers @critical @id.several-workers.many-streams-at-once-through-several-api-servers
  Scenario: Many streams at once, through several API servers, each get their own chunks in time
    Given a streaming model server with 2 inference workers and 3 API servers that produces 5 chunks 20 ms apart
    When 8 clients stream replies at the same moment
    Then every client receives its own 5 chunks in order, and nothing from another client
    And no stream takes longer than 2000 ms to end

  @allure.label.story:Worker_dies @critical @litserve.since:0.2.17.restart_workers @id.several-workers.when-one-of-several-workers-dies-the-others-go
  Scenario: When one of several workers dies, the others go on and a new one takes its place
    Given a model server that squares numbers with 2 inference workers, taking 100 ms per request, and restarts workers that die
    When one of its 2 inference workers is killed
    Then the other worker goes on running, and a new one takes the dead one's place within 15 seconds

  @allure.label.story:Worker_dies @critical @litserve.since:0.2.17.restart_workers @id.several-workers.when-one-of-several-workers-dies-no-request-sent
  Scenario: When one of several workers dies, no request sent afterwards is lost
    Given a model server that squares numbers with 2 inference workers, taking 100 ms per request, and restarts workers that die
    When one of its 2 inference workers is killed
    Then 4 clients that then ask one after another each get the square of their own number within 3 seconds
