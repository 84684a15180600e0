"""The performance feature: ratios measured side by side, the gate, and the results file.

* :mod:`~harness.performance.one_client`: a lone client asking in turn (httpx); every load of more
  clients comes from Locust (:mod:`harness.load.engine`); both return a :class:`harness.load.model.Run`.
* :mod:`~harness.performance.measure` and :mod:`~harness.performance.overhead`: the steps' load points;
  :mod:`~harness.performance.figures`: the ratios; :mod:`~harness.performance.gate`: the checks.
* :mod:`~harness.performance.results` (``reports/performance.json``, tables, charts) and
  :mod:`~harness.performance.machine` (the machine state a baseline is comparable in).
"""
