"""The base class of the suite's instrumented LitServe models: :class:`InstrumentedAPI`.

Every app's LitAPI subclasses it (``servers/apps.py``, ``servers/deployment_apps.py``,
``servers/openai_apps.py``) and gets, from the scenario's :class:`servers.settings.AppSettings`:

* ``setup``: an optional slow model load (``setup_seconds``), then a per-worker :class:`BatchCounter`
  (``self.batches``) and the "model ready" line the suite reads in the server log;
* ``health``: what the model's health check answers (``healthy``);
* ``_work()``: the model's fixed cost per call (``predict_seconds``);
* ``_fail_if_ruled(stage, *values)``: the failure switches (``failure_rules``, ``fail_after_chunks``);
  ``_matching(wanted, values)`` tells which request values a rule's value selects;
* ``server_kwargs``: the batch and stream settings that the installed ``LitAPI.__init__`` does not take
  yet (old releases), for ``LitServer`` (``servers/compat.py``).
"""

from __future__ import annotations

import time

import litserve as ls
from fastapi import HTTPException

from servers.compat import split_litapi_kwargs
from servers.settings import AppSettings
from servers.trace import INTERNAL_ERROR_MARKER, BatchCounter


class FailureSwitches:
    """The failure switches of :class:`servers.settings.AppSettings`, shared by every app."""

    settings: AppSettings

    def _fail_if_ruled(self, stage: str, *values, index: int | None = None) -> None:
        """Fail at ``stage`` if a failure rule of the settings matches one of ``values`` (client, input, prompt).

        In a stream, ``index`` is the number of the chunk about to be produced: the rule fires at
        chunk ``fail_after_chunks``, so that many chunks are produced before it.
        """
        if index is not None and index != self.settings.fail_after_chunks:
            return
        for rule in self._rules:
            if rule.stage != stage or not self._matching(rule.value, values):
                continue
            if rule.status:
                raise HTTPException(status_code=rule.status, detail=f"rejected: {self._matching(rule.value, values)[0]}")
            raise RuntimeError(f"{INTERNAL_ERROR_MARKER} in {stage} for {self._matching(rule.value, values)[0]}")

    @property
    def _rules(self) -> list:
        if not hasattr(self, "_parsed_rules"):
            self._parsed_rules = self.settings.parsed_failure_rules()
        return self._parsed_rules

    @staticmethod
    def _matching(wanted: str, values) -> list[str]:
        """The values that ``wanted`` selects, as text ("*" selects them all)."""
        if wanted == "*":
            return [str(v) for v in values]
        return [wanted for v in values if _same(v, wanted)]


def _same(value, wanted: str) -> bool:
    """``value`` (from a request) is ``wanted`` (from the settings): 13, 13.0 and "13" all match "13"."""
    if str(value) == wanted:
        return True
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return float(wanted) == value
        except ValueError:
            return False
    return False


class InstrumentedAPI(FailureSwitches, ls.LitAPI):
    """Base of every instrumented model: settings, a batch counter per worker, slow setup and health switch.

    Batch and stream settings go to ``LitAPI.__init__``; on old releases whose ``LitAPI`` does
    not take them yet they are kept in ``server_kwargs`` for ``LitServer`` (see ``servers/compat.py``).
    """

    def __init__(self, settings: AppSettings, **litapi_kwargs) -> None:
        for_api, self.server_kwargs = split_litapi_kwargs(litapi_kwargs)
        super().__init__(**for_api)
        self.settings = settings

    def setup(self, device) -> None:
        if self.settings.setup_seconds > 0:
            time.sleep(self.settings.setup_seconds)
            print(f"suite: model setup finished at {time.monotonic():.6f}", flush=True)
        self.batches = BatchCounter()
        print(f"suite: model ready at {time.monotonic():.6f}", flush=True)

    def health(self) -> bool:
        return self.settings.healthy

    def _work(self) -> None:
        """The model's fixed cost per call, whatever the batch size."""
        if self.settings.predict_seconds > 0:
            time.sleep(self.settings.predict_seconds)
