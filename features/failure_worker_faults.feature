@allure.label.epic:Failure_modes @allure.label.parentSuite:Failure_modes
@allure.link.docs:https://lightning.ai/docs/litserve/api-reference/litserver
Feature: When an inference worker dies
  LitServe runs the model in separate inference worker processes. A worker can die
  from outside: the kernel kills it when memory runs out, or an operator kills it.
  Here the suite kills the worker process on purpose.

  Without restart_workers, LitServe shuts the whole server down with an error, so
  that whatever supervises it (Docker, Kubernetes) can start a new one. With
  restart_workers=True, LitServe starts a new worker and goes on serving. Either
  way, a client must never be left waiting for an answer that will not come.

  Which releases: LitServe watches its workers from 0.2.12 on; older releases keep
  running without their worker (nothing watches it), a registered known defect of
  those releases. Releases 0.2.12 to 0.2.16 look at their workers every 5 seconds, so the
  server may take that long to notice; 15 seconds leave room for its shutdown. The restart_workers option exists from 0.2.17 on, and so do the
  scenarios that use it; from 0.2.17 on LitServe looks every 2 seconds, so a client whose worker died can have its
  error answer within 4 seconds.

  @fixture.fresh_server @allure.label.story:Worker_dies @critical @id.failure-worker-faults.without-restart-workers-an-idle-server-whose-worker
  Scenario: Without restart_workers, an idle server whose worker dies exits with an error and refuses new clients
    Given a model server that squares numbers
    When its inference worker is killed
    Then the server exits with an error within 15 seconds
    And a new client is refused at once instead of being left waiting

  @fixture.fresh_server @allure.label.story:Worker_restarts @critical @litserve.since:0.2.17.restart_workers @id.failure-worker-faults.with-restart-workers-a-server-whose-worker-dies
  Scenario: With restart_workers, a server whose worker dies starts a new one and goes on serving
    Given a model server that squares numbers and restarts workers that die
    When its inference worker is killed
    Then a new inference worker takes its place and the health check answers 200 within 15 seconds
    And a client that then asks for the square of 6 gets 36

  @fixture.fresh_server @allure.label.story:Worker_restarts @critical @litserve.since:0.2.17.restart_workers @id.failure-worker-faults.with-restart-workers-the-client-whose-request-dies
  Scenario: With restart_workers, the client whose request dies with the worker gets an error answer
    Given a model server that squares numbers, taking 1000 ms per request, and restarts workers that die
    When its inference worker is killed while it serves a client
    Then that client gets an error answer within 4 seconds instead of waiting forever
