"""The run's verdict for readers who do not code: new failures, known LitServe defects, passed.

The same words in both places a run is read:

* the end of behave's console output (``harness.tags.known_defects`` prints :meth:`Verdict.lines`
  after behave's own summary, whose counts include the known defects among the failed scenarios);
* the title of the HTML report: ``scripts/report.sh`` names the report with
  ``python -m harness.reporting.verdict RESULTS_DIR``, which reads the Allure results
  (:func:`from_results`) and prints :meth:`Verdict.title`.

A known LitServe defect is a scenario that failed exactly as its entry in ``known_defects.toml`` says
(release, step and message): it is reported to Allure as *broken* with ``statusDetails.known`` set (see
``harness.tags.known_defects``), never as passed. A known defect that passed on a release in its range is
*failed* with a message starting ``NO LONGER REPRODUCES``. Any other failed or broken scenario is a new failure.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

REPORT_NAME = "LitServe acceptance report"
#: How a known defect that passed on a release in its range is marked (``harness.tags.known_defects``).
NO_LONGER_REPRODUCES = "NO LONGER REPRODUCES"
#: Statuses of a result that did not pass (Allure 2).
NOT_PASSED = ("failed", "broken", "unknown")


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 known defect``, ``2 known defects`` (``words``: the plural when it is not ``word + "s"``)."""
    return f"{count} {word}" if count == 1 else f"{count} {words or word + 's'}"


@dataclass(frozen=True)
class Verdict:
    new_failures: int
    known_defects: int
    passed: int
    no_longer_reproduces: int = 0   # a known defect of this release, yet passed (counted in ``passed`` too)
    no_longer_failing: int = 0      # of those, the ones that fail the run (not ``intermittent``)
    skipped: int = 0                # left out for this release (release tags), with a reason

    @property
    def no_new_failures(self) -> bool:
        return self.new_failures == 0

    @property
    def fails_run(self) -> bool:
        """True when behave exits 1: a new failure, or a known defect that no longer reproduces."""
        return self.new_failures > 0 or self.no_longer_failing > 0

    def title(self) -> str:
        """One line, for the report's title: ``LitServe acceptance report: no new failures, 11 known ...``."""
        new = "no new failures" if self.no_new_failures else plural(self.new_failures, "NEW FAILURE", "NEW FAILURES")
        parts = [new, plural(self.known_defects, "known LitServe defect")]
        if self.no_longer_reproduces:
            parts.append(f"{self.no_longer_reproduces} NO LONGER REPRODUCING")
        parts.append(f"{self.passed} passed")
        if self.skipped:
            parts.append(f"{self.skipped} skipped")
        return f"{REPORT_NAME}: {', '.join(parts)}"

    def lines(self) -> list[str]:
        """The console verdict: new failures, known defects, passed; no longer reproducing and skipped when any."""
        new = "none" if self.no_new_failures else f"{self.new_failures}  (listed under \"Failing scenarios\" above)"
        known = f"{self.known_defects}" + ("  (listed above, with their registry ids and links)" if self.known_defects else "")
        lines = [f"New failures:            {new}",
                 f"Known LitServe defects:  {known}"]
        if self.no_longer_reproduces:
            fails = " (this fails the run)" if self.no_longer_failing else " (intermittent: the run is not failed)"
            lines.append(f"No longer reproduces:    {self.no_longer_reproduces}  (listed above: fixed? end their "
                         f"range in known_defects.toml){fails}")
        lines.append(f"Passed:                  {self.passed}")
        if self.skipped:
            lines.append(f"Skipped:                 {self.skipped}  (not for this LitServe release, listed above)")
        return lines


def is_known_defect(result: dict) -> bool:
    """True for an Allure result that failed only on a known LitServe defect."""
    return result.get("status") in NOT_PASSED and bool((result.get("statusDetails") or {}).get("known"))


def no_longer_reproduces(result: dict) -> bool:
    """True for an Allure result of a known defect that passed on a release in its range."""
    message = (result.get("statusDetails") or {}).get("message") or ""
    return result.get("status") == "failed" and message.startswith(NO_LONGER_REPRODUCES)


def from_results(folder: Path) -> Verdict:
    """Count the Allure results in ``folder`` (``*-result.json``; a retried scenario counts once, its last try)."""
    latest: dict[str, dict] = {}
    for path in folder.glob("*-result.json"):
        result = json.loads(path.read_text(encoding="utf-8"))
        key = result.get("historyId") or path.name
        if key not in latest or result.get("stop", 0) >= latest[key].get("stop", 0):
            latest[key] = result
    results = list(latest.values())
    known = sum(1 for r in results if is_known_defect(r))
    fixed = sum(1 for r in results if no_longer_reproduces(r))
    new = sum(1 for r in results if r.get("status") in NOT_PASSED and not is_known_defect(r)
              and not no_longer_reproduces(r))
    passed = sum(1 for r in results if r.get("status") == "passed")
    skipped = sum(1 for r in results if r.get("status") == "skipped")
    return Verdict(new_failures=new, known_defects=known, passed=passed + fixed, no_longer_reproduces=fixed,
                   no_longer_failing=fixed, skipped=skipped)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m harness.reporting.verdict RESULTS_DIR   (prints the report's title)", file=sys.stderr)
        return 2
    folder = Path(argv[0])
    if not folder.is_dir():
        print(f"verdict: no Allure results folder {folder}: run `.venv/bin/behave features/` first", file=sys.stderr)
        return 2
    print(from_results(folder).title())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
