"""What the scenarios of one behave run came to, and the console summary that ends the run."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from allure_behave.utils import scenario_history_id

from harness.reporting.verdict import Verdict
from harness.tags.defect_registry import KnownDefect
from harness.tags.outcomes import Judgement, Outcome


@dataclass
class RunRecord:
    """Every judged scenario of the run, by outcome (``version``: the LitServe release under test)."""

    version: str = ""
    defects: tuple[KnownDefect, ...] = ()               # the registry the run judges with
    known: list = field(default_factory=list)          # (scenario, judgement): failed as registered
    no_longer: list = field(default_factory=list)      # (scenario, judgement): in range, yet passed
    new: list = field(default_factory=list)            # scenarios that failed in a way that fails the run
    passed: int = 0
    skipped: Counter = field(default_factory=Counter)  # skip reason -> scenarios
    by_history_id: dict[str, Judgement] = field(default_factory=dict)  # for the Allure results
    skip_reasons: dict[str, str] = field(default_factory=dict)  # Allure historyId -> why it was left out
    rows: list[dict] = field(default_factory=list)     # one per scenario, for tools (:meth:`write`)

    def record(self, scenario, judgement: Judgement) -> bool:
        """Note how ``scenario`` ended; returns whether it fails the run."""
        if judgement.defects:
            self.by_history_id[scenario_history_id(scenario)] = judgement
        self.rows.append({"location": f"{scenario.location}", "name": scenario.name,
                          "outcome": judgement.outcome.value, "defects": [d.id for d in judgement.defects],
                          "fails_run": judgement.fails_run, "skip_reason": scenario.skip_reason or ""})
        if judgement.outcome == Outcome.KNOWN:
            self.known.append((scenario, judgement))
        elif judgement.outcome == Outcome.NEW:
            self.new.append(scenario)
        elif judgement.outcome == Outcome.SKIPPED:
            if scenario.skip_reason:   # left out by a tag expression: not a skip of this run's doing
                self.skipped[scenario.skip_reason] += 1
        else:
            self.passed += 1
            if judgement.outcome == Outcome.NO_LONGER_REPRODUCES:
                self.no_longer.append((scenario, judgement))
        return judgement.fails_run

    def write(self, path: Path) -> None:
        """Every scenario's outcome as JSON (``-D verdict_file=PATH``; read by ``tools.behave_runs``)."""
        path.write_text(json.dumps({"litserve": self.version, "scenarios": self.rows}, indent=1), encoding="utf-8")

    def verdict(self) -> Verdict:
        failing = sum(1 for _, j in self.no_longer if j.fails_run)
        return Verdict(new_failures=len(self.new), known_defects=len(self.known), passed=self.passed,
                       no_longer_reproduces=len(self.no_longer), no_longer_failing=failing,
                       skipped=sum(self.skipped.values()))

    def summary(self) -> str:
        """The known defects (each with its registry id and links), those that no longer reproduce, the
        scenarios left out for this release and why, then the verdict."""
        lines = []
        if self.known:
            lines.append(f"Known LitServe defects on {self.version}: {len(self.known)} scenario(s) failed as "
                         "registered in known_defects.toml (behave counts them as failed above; they do not "
                         "fail the run):")
            lines += _listing(self.known)
        if self.no_longer:
            lines.append(f"No longer reproduces on {self.version}: {len(self.no_longer)} scenario(s) with a known "
                         "defect of this release passed: fixed? Check, then end the entry's range:")
            lines += _listing(self.no_longer)
        if self.skipped:
            lines.append(f"Left out on LitServe {self.version}: {sum(self.skipped.values())} scenario(s):")
            lines += [f"  {count:3d}  {reason}" for reason, count in sorted(self.skipped.items())]
        if lines:
            lines.append("")
        return "\n".join(lines + self.verdict().lines())


def _listing(entries: list) -> list[str]:
    lines = []
    for scenario, judgement in entries:
        lines.append(f"  {scenario.location}  {scenario.name}")
        for defect in judgement.defects:
            links = "  ".join(defect.links) or "no LitServe issue or pull request yet"
            lines.append(f"      {defect.label}: {links}")
    return lines
