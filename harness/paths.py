"""Where the suite keeps things."""

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
REPORTS_DIR = REPO_ROOT / "reports"
SERVER_LOGS_DIR = REPORTS_DIR / "server-logs"


def pythonpath_with_repo(current: str | None) -> str:
    """``PYTHONPATH`` for a process the suite starts: the repository root first, then ``current`` (if any)."""
    return os.pathsep.join(filter(None, [str(REPO_ROOT), current or ""]))
