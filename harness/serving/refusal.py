"""A server that exits before it is ready because LitServe refused the model's configuration.

``servers/__main__.py`` prints one line when ``LitServer(...)``/``LitAPI(...)`` raised: ``suite: LitServe
refused to start app ...: ValueError: ...``, and ends with :data:`servers.__main__.REFUSED_EXIT_CODE`. When
the ValueError was raised by LitServe's own code (its validation of the model, ``raised in litserve/...``),
LitServe said no to a configuration the scenario needs: an answer of LitServe, so an assertion
(:class:`ConfigurationRefused`), which a registered known defect can match by step and message. Anything else
(a TypeError, an error raised in the suite's apps) stays a :class:`ServerStartError`: never known.
"""

from __future__ import annotations

import re

REFUSED_EXIT_CODE = 3
_REFUSAL = re.compile(r"^suite: LitServe refused to start app .*?: (ValueError: .*?) \(raised in litserve/[^)]*\)$",
                      re.MULTILINE | re.DOTALL)


def litserve_refusal(exit_code: int | None, log_text: str) -> str:
    """LitServe's own refusal of the configuration (``ValueError: ...``) from a server's log; "" if it is not one."""
    if exit_code != REFUSED_EXIT_CODE:
        return ""
    match = _REFUSAL.search(log_text)
    return match.group(1).strip() if match else ""
