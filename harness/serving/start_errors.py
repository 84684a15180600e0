"""Why a server did not start: :class:`ServerStartError`, and the two cases that are LitServe's answer.

A server that exits before it is ready because LitServe refused the model's configuration: ``servers/__main__.py`` prints one line when ``LitServer(...)``/``LitAPI(...)`` raised: ``suite: LitServe
refused to start app ...: ValueError: ...``, and ends with :data:`servers.__main__.REFUSED_EXIT_CODE`. When
the ValueError was raised by LitServe's own code (its validation of the model, ``raised in litserve/...``),
LitServe said no to a configuration the scenario needs: an answer of LitServe, so an assertion
(:class:`ConfigurationRefused`), which a registered known defect can match by step and message. Anything else
(a TypeError, an error raised in the suite's apps) stays a :class:`ServerStartError`: never known.
"""

from __future__ import annotations

import re


class ServerStartError(RuntimeError):
    """The app exited or did not become ready. The message carries its log tail."""


class ConfigurationRefused(ServerStartError, AssertionError):
    """The server exited before it was ready because LitServe's own validation refused the model's configuration
    (:func:`litserve_refusal`): LitServe's answer, so an assertion (and can be a registered known defect)."""


class HealthCheckBroken(ServerStartError, AssertionError):
    """LitServe's own ``/health`` kept answering a server error (500), not 200 or 503 "not ready": a fault of
    LitServe, not of the machine, so it is an assertion (and can be a registered known defect)."""


#: ``servers.__main__.REFUSED_EXIT_CODE`` (a test checks they agree).
REFUSED_EXIT_CODE = 3
_REFUSAL = re.compile(r"^suite: LitServe refused to start app .*?: (ValueError: .*?) \(raised in litserve/[^)]*\)$",
                      re.MULTILINE | re.DOTALL)


def litserve_refusal(exit_code: int | None, log_text: str) -> str:
    """LitServe's own refusal of the configuration (``ValueError: ...``) from a server's log; "" if it is not one."""
    if exit_code != REFUSED_EXIT_CODE:
        return ""
    match = _REFUSAL.search(log_text)
    return match.group(1).strip() if match else ""
