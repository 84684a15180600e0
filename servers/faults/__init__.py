"""Regressions injected into LitServe on purpose, to prove that the features catch them.

``LITSERVE_SUITE_FAULT=<name>`` in a server's environment applies the fault inside that server
process (and in the inference workers LitServe spawns from it) before LitServe starts:

    LITSERVE_SUITE_FAULT=batching_off .venv/bin/behave features/dynamic_batching.feature

The self-check (``python -m tools.self_check``, ``tests/tools/test_self_check.py``) runs each
fault's features against it and expects them to fail, and to pass without it.

Modules: ``registry`` (the :class:`Fault` record, the :func:`fault` decorator, checking and
applying), ``patching`` (helpers the faults share: batch collector overrides, hook wrapping,
stream writer replacement), ``core`` (batching and streaming faults),
``failure_modes`` (how LitServe fails: errors, bad input, timeouts, health, workers), ``openai_api``
(the OpenAI-compatible chat and embedding specs), ``deployment`` (several workers and API servers,
async models, several endpoints, metrics), ``load`` (what only production-shaped load shows:
connections, payload limits, shedding, leaks), ``performance`` (injected slowdowns for the
performance gate).

How to add a fault
------------------
Write a function that monkeypatches the installed LitServe, and register it with the decorator
(the only way to register one)::

    @fault("batching_off",                                        # snake_case, unique
           features=["dynamic_batching", "streaming_batching"],   # feature files (stems) that must catch it
           scenarios="",                                          # optional: behave -n filter within them
           requires=["litserve.loops.base.collate_requests",     # what it patches must exist ...
                     ("litserve.loops.simple_loops.BatchedLoop.run_batched_loop", "self.get_batch_requests(")],
           worker=True)                                           # where it acts, see below
    def batching_off():                                           # ... and its source must contain this text
        \"\"\"One request per predict call, whatever max_batch_size says.\"\"\"   # first line: the table's summary
        ...

* ``features``: the features the self-check runs against the fault; each must fail.
* ``scenarios``: a part of the scenario names (``behave -n``, a regular expression) when only
  some scenarios of those features guard the behaviour; every scenario selected must fail.
* ``requires``: dotted names (module, then attributes) that must exist in the installed
  LitServe; a ``(name, text)`` pair also requires the object's source to contain ``text``.
  When a LitServe release changes those internals, ``Fault.check`` raises :class:`NotApplicable`
  and the self-check reports the fault as "not applicable" instead of passing silently.
* ``worker``: the function always runs in the server's main process (forked API servers inherit
  the patch). ``True`` (the default) runs it again in every inference worker LitServe spawns, when
  the worker imports ``servers`` (``servers/__init__.py``), before it unpickles the API: enough for
  patches of module globals LitServe looks up at call time. ``False``: the main process only (the
  API server side). A function: the fault's worker half, run at the worker's entry point before
  LitServe's own ``inference_worker`` (for patches the worker must have before it starts).
* Import LitServe modules inside the function, not at the top of a module.
* A fault must break LitServe the way its summary says, not crash the server: a crash proves
  nothing. Check by hand with the server log or a request before adding it to the registry.
"""

from servers.faults.registry import (FAULT_VARIABLE, FAULTS, SERVER_PID_VARIABLE, Fault, NotApplicable, apply,
                                     apply_from_environment, apply_in_spawned_worker, fault, resolve)
from servers.faults import core, failure_modes, openai_api, openai_spec, deployment, llm_loops, options, load, performance  # noqa: F401,E501  (registers the faults, in this order)

__all__ = ["FAULT_VARIABLE", "FAULTS", "SERVER_PID_VARIABLE", "Fault", "NotApplicable", "apply",
           "apply_from_environment", "apply_in_spawned_worker", "fault", "resolve"]
