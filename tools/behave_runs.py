"""Run behave as a subprocess and read its per-scenario results (used by the self-check,
the flakiness gate and the version matrix).

Each run happens in a scratch directory with a minimal ``behave.ini``, so that these runs do
not add their results (fault runs fail on purpose) to the suite's Allure report. Results come
from behave's JSON formatter.
"""

from __future__ import annotations

import configparser
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from harness.paths import REPO_ROOT, pythonpath_with_repo

FEATURES_DIR = REPO_ROOT / "features"
#: The outcomes the suite's hooks give (harness.tags.known_defects, written with -D verdict_file=PATH).
KNOWN_DEFECT = "known defect"
NO_LONGER_REPRODUCES = "no longer reproduces"
OK_STATUSES = ("passed", "skipped", KNOWN_DEFECT)
CORE_FEATURES = ("dynamic_batching", "single_prediction", "single_streaming", "streaming_batching")
BEHAVE_INI = REPO_ROOT / "behave.ini"

_SCRATCH_INI = """[behave]
show_skipped = true
capture_stdout = true
capture_stderr = true
capture_log = true
"""


class BehaveRunError(RuntimeError):
    """behave could not run at all (bad arguments, import error), as opposed to failing scenarios."""


@dataclass(frozen=True)
class ScenarioResult:
    feature: str          # file stem, e.g. "dynamic_batching"
    name: str             # scenario name, with the Examples row for outlines
    location: str         # "features/x.feature:12"
    status: str           # passed | failed | skipped | known defect | no longer reproduces | undefined | ...
    error: str = ""       # first failing step's message, trimmed
    defects: tuple[str, ...] = ()   # known defect / no longer reproduces: the registry ids
    skip_reason: str = ""           # skipped: why (e.g. "needs LitServe >= 0.2.17: restart_workers")
    ids: tuple[str, ...] = ()       # the scenario's @id. tags, without "id."
    step: str = ""                  # the first failing step's text

    @property
    def key(self) -> str:
        return f"{self.feature}: {self.name}"


@dataclass
class BehaveRun:
    """One behave invocation: exit code, wall time and the result of every scenario."""

    command: list[str]
    returncode: int
    seconds: float
    scenarios: list[ScenarioResult] = field(default_factory=list)
    output: str = ""      # behave's whole console output

    @property
    def output_tail(self) -> str:
        """The last lines of the output: what reports quote."""
        return _tail(self.output)

    def by_feature(self) -> dict[str, list[ScenarioResult]]:
        grouped: dict[str, list[ScenarioResult]] = {}
        for scenario in self.scenarios:
            grouped.setdefault(scenario.feature, []).append(scenario)
        return grouped

    def feature_status(self, feature: str) -> str:
        """passed / failed / n/a (every scenario skipped) / missing."""
        results = self.by_feature().get(feature, [])
        if not results:
            return "missing"
        if any(r.status not in OK_STATUSES for r in results):
            return "failed"
        if all(r.status == "skipped" for r in results):
            return "n/a"
        return "passed"

    @property
    def failed(self) -> list[ScenarioResult]:
        return [r for r in self.scenarios if r.status not in OK_STATUSES]


def feature_path(name: str) -> Path:
    """``"dynamic_batching"`` or ``"features/dynamic_batching.feature"`` -> the feature file; unknown names fail clearly."""
    stem = Path(name).name.removesuffix(".feature")
    path = FEATURES_DIR / f"{stem}.feature"
    if not path.is_file():
        known = sorted(p.stem for p in FEATURES_DIR.glob("*.feature"))
        raise ValueError(f"unknown feature {name!r}; known features are {known}")
    return path


def scenario_names(name: str) -> list[str]:
    """The names of every scenario of feature ``name`` as behave -n matches them (outlines expanded)."""
    from behave.parser import parse_file

    feature = parse_file(str(feature_path(name)))
    return [scenario.name for scenario in feature.walk_scenarios()] if feature else []


def default_tags() -> str:
    """The tag expression of ``default_tags`` in behave.ini (what ``behave features/`` runs); "" if none."""
    parser = configparser.ConfigParser()
    parser.read(BEHAVE_INI)
    lines = parser.get("behave", "default_tags", fallback="").split("\n")
    parts = [line.strip() for line in lines if line.strip()]
    return " and ".join(f"({part})" for part in parts) if len(parts) > 1 else "".join(parts)


def selected_features(tags: str | None = None) -> list[str]:
    """The features (file stems, sorted) with at least one scenario that the tag expression ``tags`` selects;
    by default behave.ini's ``default_tags``: exactly the features ``behave features/`` runs. Read from the
    feature files, so a new feature joins without being listed anywhere."""
    from behave.parser import parse_file
    from behave.tag_expression import make_tag_expression

    expression = make_tag_expression(default_tags() if tags is None else tags)
    chosen = []
    for path in sorted(FEATURES_DIR.glob("*.feature")):
        feature = parse_file(str(path))
        if feature and any(expression.check(s.effective_tags) for s in feature.walk_scenarios()):
            chosen.append(path.stem)
    return chosen


def check_features(names: list[str], tags: str) -> None:
    """Refuse, with a clear message, an unknown feature or one that ``tags`` leaves without any scenario."""
    selected = set(selected_features(tags))
    for name in names:
        stem = feature_path(name).stem
        if stem not in selected:
            raise ValueError(f"no scenario of feature {stem!r} matches the tags {tags!r}; "
                             f"pass --tags to select it (e.g. --tags=@performance)")


def run_behave(features: list[str], *, env: dict[str, str] | None = None, behave: str | None = None,
               extra_args: list[str] | None = None, tags: str | None = None, timeout: float = 900.0) -> BehaveRun:
    """Run ``behave`` on ``features`` (names or paths) and return the per-scenario results.

    ``behave`` is the executable to use (another virtual environment's, for the version matrix);
    by default the one next to this interpreter. ``env`` is added to the environment. ``tags`` is a
    tag expression (``--tags``); the scratch directory has no behave.ini defaults, so callers that
    mean "what ``behave features/`` runs" pass :func:`default_tags`.
    """
    paths = [str(feature_path(name)) for name in features]
    if tags:
        extra_args = [f"--tags={tags}", *(extra_args or [])]
    executable = os.path.abspath(behave) if behave else str(Path(sys.executable).with_name("behave"))
    with tempfile.TemporaryDirectory(prefix="suite-behave-") as scratch:
        scratch_dir = Path(scratch)
        (scratch_dir / "behave.ini").write_text(_SCRATCH_INI)
        out = scratch_dir / "results.json"
        verdicts = scratch_dir / "verdicts.json"
        command = [executable, *paths, "-f", "json", "-o", str(out), "-f", "progress",
                   "-D", f"verdict_file={verdicts}", *(extra_args or [])]
        run_env = {**os.environ, **(env or {})}
        run_env["PYTHONPATH"] = pythonpath_with_repo(run_env.get("PYTHONPATH"))
        began = time.monotonic()
        try:
            done = subprocess.run(command, cwd=scratch_dir, env=run_env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as expired:
            raise BehaveRunError(f"behave did not finish within {timeout:.0f} s: {' '.join(command)}\n"
                                 f"{_tail(expired.output)}") from None
        seconds = time.monotonic() - began
        output = done.stdout or ""
        if not out.exists() or out.stat().st_size == 0:
            raise BehaveRunError(f"behave wrote no results (exit code {done.returncode}): {' '.join(command)}\n"
                                 f"{_tail(output)}")
        judged = json.loads(verdicts.read_text()) if verdicts.exists() else None
        scenarios = parse_results(json.loads(out.read_text()), judged)
    return BehaveRun(command, done.returncode, seconds, scenarios, output)


def parse_results(document: list[dict], verdicts: dict | None = None) -> list[ScenarioResult]:
    """Scenarios from behave's JSON formatter output (backgrounds are not scenarios), with the outcome the
    suite's hooks judged (``verdicts``: the ``-D verdict_file`` JSON; without it, behave's statuses)."""
    judged = {(_short_location(row["location"]), row["name"]): row for row in (verdicts or {}).get("scenarios", [])}
    results = []
    for feature in document:
        stem = Path(feature.get("location", "").split(":")[0]).stem
        for element in feature.get("elements", []):
            if element.get("type") != "scenario":
                continue
            status = element.get("status") or _status_from_steps(element.get("steps", []))
            error = _first_error(element.get("steps", []))
            tags = [str(t).lstrip("@") for t in [*feature.get("tags", []), *element.get("tags", [])]]
            ids = tuple(sorted(t[3:] for t in tags if t.startswith("id.")))
            location = _short_location(element.get("location", ""))
            row = judged.get((location, element.get("name", "")), {})
            status = _status_from_outcome(status, row.get("outcome", ""), row.get("fails_run", True))
            results.append(ScenarioResult(stem, element.get("name", "").strip(), location, status, error,
                                          tuple(row.get("defects", ())), row.get("skip_reason", ""), ids,
                                          _failed_step(element.get("steps", []))))
    return results


def _status_from_outcome(status: str, outcome: str, fails_run: bool) -> str:
    """behave's status, made precise by the hooks' judgement: a known defect, one that no longer reproduces
    (an ``intermittent`` one that passed stays "passed": it does not fail the run)."""
    if outcome == "known":
        return KNOWN_DEFECT
    if outcome == NO_LONGER_REPRODUCES and fails_run:
        return NO_LONGER_REPRODUCES
    if outcome == "new failure" and status == "passed":
        return "failed"   # behave's JSON cannot say so, the hooks can
    return status


def _status_from_steps(steps: list[dict]) -> str:
    statuses = [step.get("result", {}).get("status", "skipped") for step in steps]
    for bad in ("failed", "error", "undefined"):
        if bad in statuses:
            return bad
    return "passed" if statuses and all(s == "passed" for s in statuses) else "skipped"


def _failed_step(steps: list[dict]) -> str:
    return next((step.get("name", "") for step in steps
                 if step.get("result", {}).get("status") in ("failed", "error", "undefined")), "")


def _first_error(steps: list[dict]) -> str:
    for step in steps:
        result = step.get("result", {})
        if result.get("status") in ("failed", "error"):
            message = result.get("error_message") or ""
            if isinstance(message, list):
                message = "\n".join(message)
            lines = [line.strip() for line in str(message).splitlines()
                     if line.strip() and not line.startswith(("Traceback", "  File "))]
            if not lines:  # behave's JSON keeps no message for an error that is not an assertion
                return (f"{result.get('status')} in step \"{step.get('keyword', '')} {step.get('name', '')}\" "
                        "(not an assertion: the suite or a server broke; the behave output has the traceback)")
            summary = lines[0] if len(lines) == 1 else f"{lines[0]} / {lines[-1]}"
            return summary[:400]
    return ""


def _short_location(location: str) -> str:
    path, _, line = location.rpartition(":")
    return f"features/{Path(path).name}:{line}" if path else location


def _tail(text: str | bytes | None, lines: int = 30) -> str:
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return "\n".join((text or "").splitlines()[-lines:])
