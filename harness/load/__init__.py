"""Load on LitServe: the one result model, the one engine for concurrent load, and the load features.

* :mod:`~harness.load.model`: :class:`~harness.load.model.Sample` (one request as its client saw it),
  :class:`~harness.load.model.Run` (a run's samples, its window after the warm-up, the client's CPU),
  the warm-up and the client-bound rule; :mod:`~harness.load.stats` (percentiles, steady rates).
* :mod:`~harness.load.engine`: Locust as a subprocess (``LoadPlan`` -> ``Run``), with the users in
  ``locustfiles/``; the performance feature uses it for every load of more than one client.
* The load features (``features/load*.feature``): :mod:`~harness.load.scenarios` (servers under load,
  calibration, steady arrivals, bursts, ramps), :mod:`~harness.load.endurance` (connections, mixed
  traffic, the soak), :mod:`~harness.load.figures`, :mod:`~harness.load.server_tree`,
  :mod:`~harness.load.report` (``context.load``, the report and ``reports/performance.json``).

The performance feature (:mod:`harness.performance`) builds on this package; nothing here imports it
but :mod:`~harness.load.report`, which writes its entry into the same results file.
"""
