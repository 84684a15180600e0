"""The version matrix's stored results: one cell per (LitServe release, feature), in ``docs/version-matrix.json``.

A run over some releases and features replaces only those cells (:func:`store`), so the matrix can be
built up over several runs; ``docs/version-matrix.md`` is generated from this file
(``python -m tools.version_matrix --write-docs``, :mod:`tools.matrix_docs`).

A cell, from the outcome the suite's hooks gave each scenario of the feature on that release:

* ``passed``: every scenario that applies passed;
* ``known``: some failed exactly as registered in ``known_defects.toml`` (the cell names the entries);
* ``NEW failure``: a failure that is not a registered defect of that release;
* ``no longer reproduces``: a registered defect of that release did not show;
* ``n/a``: the feature does not exist on that release (every scenario skipped by its release tags);
* ``error``: the release could not be run (install or behave failed).

Every cell also counts the scenarios skipped there, by reason.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from harness.paths import REPO_ROOT
from harness.tags.releases import parse
from tools.behave_runs import KNOWN_DEFECT, NO_LONGER_REPRODUCES, BehaveRun

RESULTS = REPO_ROOT / "docs" / "version-matrix.json"
_lock = threading.Lock()


@dataclass
class Cell:
    """What one feature came to on one LitServe release."""

    release: str
    feature: str
    scenarios: int = 0
    passed: int = 0
    known: list[str] = field(default_factory=list)        # registry ids, sorted
    new: list[dict] = field(default_factory=list)         # {name, location, step, error}
    no_longer: list[str] = field(default_factory=list)    # registry ids
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> scenarios
    error: str = ""
    seconds: float = 0.0                                  # the release's behave run, all its features
    measured: str = ""                                    # UTC date of the run
    suite: str = ""                                       # the suite's commit

    @property
    def verdict(self) -> str:
        if self.error:
            return "error"
        if self.new:
            return "NEW failure"
        if self.no_longer:
            return "no longer reproduces"
        if self.scenarios and sum(self.skipped.values()) == self.scenarios:
            return "n/a"
        return "known" if self.known else "passed"

    @property
    def skipped_count(self) -> int:
        return sum(self.skipped.values())

    def text(self, short: dict[str, str] | None = None) -> str:
        """The cell as a table shows it: ``known: a, b · 2 skipped`` (``short``: a shorter name per defect id)."""
        def named(ids: list[str]) -> str:
            names = [(short or {}).get(i, i) for i in ids]
            return ", ".join(sorted(names, key=lambda n: (not n.startswith("#"), int(n[1:]) if n[1:].isdigit() else 0, n)))

        verdict = self.verdict
        if verdict == "known":
            verdict = "known: " + named(self.known)
        elif verdict == "no longer reproduces":
            verdict = "**no longer reproduces**: " + named(self.no_longer)
        elif verdict == "NEW failure":
            verdict = f"**NEW failure** ×{len(self.new)}"
        if self.skipped_count and self.verdict != "n/a":
            verdict += f" · {self.skipped_count} skipped"
        return verdict

    @property
    def fails(self) -> bool:
        return self.verdict in ("error", "NEW failure", "no longer reproduces")


def cells_from_run(release: str, features: list[str], run: BehaveRun | None, error: str = "",
                   suite: str = "") -> list[Cell]:
    """One cell per feature of a release's behave run (``run`` None: the release could not run: ``error``)."""
    measured = time.strftime("%Y-%m-%d", time.gmtime())
    cells = []
    for feature in features:
        cell = Cell(release, feature, measured=measured, suite=suite, seconds=round(run.seconds, 1) if run else 0.0)
        results = [r for r in run.scenarios if r.feature == feature] if run else []
        if run is None or not results:
            cell.error = error or "no result: the feature did not run"
        skipped: Counter = Counter()
        known: set[str] = set()
        for result in results:
            cell.scenarios += 1
            if result.status == "passed":
                cell.passed += 1
            elif result.status == "skipped":
                skipped[result.skip_reason or "not selected"] += 1
            elif result.status == KNOWN_DEFECT:
                known.update(result.defects)
            elif result.status == NO_LONGER_REPRODUCES:
                cell.no_longer += [d for d in result.defects if d not in cell.no_longer]
            else:
                cell.new.append({"name": result.name, "location": result.location, "step": result.step,
                                 "error": result.error})
        cell.known, cell.skipped = sorted(known), dict(sorted(skipped.items()))
        cells.append(cell)
    return cells


def load(path: Path = RESULTS) -> dict[tuple[str, str], Cell]:
    """Every stored cell, by (release, feature)."""
    if not path.exists():
        return {}
    document = json.loads(path.read_text(encoding="utf-8"))
    return {(c["release"], c["feature"]): Cell(**c) for c in document.get("cells", [])}


def store(cells: list[Cell], path: Path = RESULTS) -> None:
    """Replace the stored cells of the same (release, feature) by ``cells``; keep every other cell."""
    with _lock:
        stored = load(path)
        stored.update({(c.release, c.feature): c for c in cells})
        ordered = sorted(stored.values(), key=lambda c: (parse(c.release), c.feature))
        text = json.dumps({"about": "generated by python -m tools.version_matrix; docs: --write-docs",
                           "cells": [asdict(c) for c in ordered]}, indent=1, ensure_ascii=False)
        path.write_text(text + "\n", encoding="utf-8")
