"""The run's verdict for readers who do not code: new failures, known LitServe defects, passed.

The same words in both places a run is read:

* the end of behave's console output (``harness.tags.known_defects`` prints :meth:`Verdict.lines`
  after behave's own summary, whose counts include the known defects among the failed scenarios);
* the title of the HTML report: ``scripts/report.sh`` names the report with
  ``python -m harness.reporting.verdict RESULTS_DIR``, which reads the Allure results
  (:func:`from_results`) and prints :meth:`Verdict.title`.

A known LitServe defect is a scenario tagged ``@known_litserve_defect`` that failed only as documented:
it is reported to Allure as *broken* with ``statusDetails.known`` set (see ``harness.tags.known_defects``),
never as passed. Any other failed or broken scenario is a new failure.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

REPORT_NAME = "LitServe acceptance report"
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
    seem_fixed: int = 0   # tagged @known_litserve_defect, yet passed (counted in ``passed`` too)

    @property
    def no_new_failures(self) -> bool:
        return self.new_failures == 0

    def title(self) -> str:
        """One line, for the report's title: ``LitServe acceptance report: no new failures, 11 known ...``."""
        new = "no new failures" if self.no_new_failures else plural(self.new_failures, "NEW FAILURE", "NEW FAILURES")
        return (f"{REPORT_NAME}: {new}, {plural(self.known_defects, 'known LitServe defect')}, "
                f"{self.passed} passed")

    def lines(self) -> list[str]:
        """The console verdict: three lines (a fourth when a known defect seems fixed)."""
        new = "none" if self.no_new_failures else f"{self.new_failures}  (listed under \"Failing scenarios\" above)"
        known = f"{self.known_defects}" + ("  (listed above, with their LitServe issues)" if self.known_defects else "")
        lines = [f"New failures:            {new}",
                 f"Known LitServe defects:  {known}",
                 f"Passed:                  {self.passed}"]
        if self.seem_fixed:
            lines.append(f"Known defects that seem fixed: {self.seem_fixed}  (they passed: check, then remove the tag)")
        return lines


def is_known_defect(result: dict) -> bool:
    """True for an Allure result that failed only on a known LitServe defect."""
    return result.get("status") in NOT_PASSED and bool((result.get("statusDetails") or {}).get("known"))


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
    new = sum(1 for r in results if r.get("status") in NOT_PASSED and not is_known_defect(r))
    passed = sum(1 for r in results if r.get("status") == "passed")
    return Verdict(new_failures=new, known_defects=known, passed=passed)


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
