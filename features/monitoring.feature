@allure.label.epic:Deployment @allure.label.parentSuite:Deployment
@allure.link.docs:https://lightning.ai/docs/litserve/features/monitoring
@litserve.since:0.2.3.litserve_logger
Feature: Monitoring with Prometheus
  LitServe's documented way to expose a model's metrics: the model reports with
  self.log(key, value), LitServe hands every record to the server's loggers (a
  litserve.Logger, in a process of its own), and the logger keeps Prometheus metrics
  that it mounts at /metrics for Prometheus to scrape.

  The model used here logs one "served_requests" record for every request it serves,
  in each of its 2 inference workers, and the server answers through 3 API server
  processes. However the requests are spread over the workers, and whichever API
  server answers the scrape, the counter must say exactly how many were served, in
  Prometheus' text format (read here with prometheus_client's own parser).

  Which releases: loggers that mount an endpoint exist from LitServe 0.2.3 on.

  @allure.label.story:Metrics @critical @id.monitoring.after-requests-spread-over-several-workers
  Scenario Outline: After <count> requests spread over several workers, the counter says exactly <count>
    Given a model server that squares numbers and says which worker served each request, with 2 inference workers and 3 API servers, taking 250 ms per request, that counts the requests it serves in Prometheus metrics
    When a client scrapes the metrics
    And <count> clients ask at the same moment
    Then every client gets the square of its own number
    And the requests were spread over 2 worker processes
    And the scraped counter "served_requests" has risen by exactly <count>

    Examples:
      | count |
      | 8     |
