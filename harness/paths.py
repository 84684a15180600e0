"""Where the suite keeps things."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
REPORTS_DIR = REPO_ROOT / "reports"
SERVER_LOGS_DIR = REPORTS_DIR / "server-logs"
