"""Run every default feature on several LitServe releases, one virtual environment per release.

    .venv/bin/python -m tools.version_matrix                 # every release 0.2.0 .. 0.2.19
    .venv/bin/python -m tools.version_matrix 0.2.0 0.2.19    # some releases
    .venv/bin/python -m tools.version_matrix --features single_streaming -- 0.2.5
    .venv/bin/python -m tools.version_matrix --jobs 2        # two releases at a time (a busier machine)

The features are those ``behave features/`` runs: every feature file with a scenario that
behave.ini's ``default_tags`` selects (read from the files, so a new feature joins by itself),
run with those tags (``--tags`` replaces them, as on behave's command line).

Each release gets ``.matrix/venvs/<release>`` (git-ignored, reused by later runs) with
``litserve==<release>`` and the suite's own pinned dependencies from ``requirements.txt``;
LitServe's own dependencies (FastAPI, uvicorn, ...) are left to pip, as a user installing
that release would get them. The suite's apps adapt to each release through
``servers/compat.py``; scenarios tagged ``@litserve.since:`` / ``@litserve.until:`` are skipped
where they do not apply.

Prints, and writes to ``reports/version-matrix.md`` (details in ``version-matrix.json``), a
table release x feature: passed / known (registry ids) / NEW failure / n/a. Each scenario is judged
by the suite's own hooks against ``known_defects.toml`` (a known defect is a real bug of that release
which the suite rightly catches); a new failure, or a known defect that no longer reproduces, makes
the command exit 1.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tools.behave_runs import (KNOWN_DEFECT, BehaveRun, BehaveRunError, check_features, default_tags, run_behave,
                               selected_features)
from harness.paths import REPO_ROOT, REPORTS_DIR
from harness.tags.releases import parse

MATRIX_DIR = REPO_ROOT / ".matrix" / "venvs"
ALL_RELEASES = tuple(f"0.2.{n}" for n in range(0, 20))
OLDEST, NEWEST = ALL_RELEASES[0], ALL_RELEASES[-1]


#: Requirements that only the suite's own tests need, not the features: left out of the release venvs.
_SUITE_TESTS_ONLY = ("pytest", "playwright", "zizmor")


def suite_requirements() -> list[str]:
    """The pinned requirements of the suite itself, without LitServe and without what only the suite's own
    tests need (:data:`_SUITE_TESTS_ONLY`)."""
    lines = (REPO_ROOT / "requirements.txt").read_text().splitlines()
    keep = []
    for line in lines:
        spec = line.split("#")[0].strip()
        name = spec.split("==")[0].strip().lower()
        if spec and name not in ("litserve", *_SUITE_TESTS_ONLY):
            keep.append(spec)
    return keep


def ensure_venv(release: str, log_dir: Path) -> Path:
    """Create (once) the virtual environment for ``release``; return its behave executable."""
    venv = MATRIX_DIR / release
    behave = venv / "bin" / "behave"
    marker = venv / ".suite-installed"
    wanted = "\n".join([f"litserve=={release}", *suite_requirements()])
    if marker.exists() and marker.read_text() == wanted and behave.exists():
        return behave
    log = log_dir / f"install-{release}.log"
    with log.open("w") as out:
        if not (venv / "bin" / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, stdout=out, stderr=subprocess.STDOUT)
        done = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                               "--disable-pip-version-check", *wanted.splitlines()],
                              stdout=out, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
        raise RuntimeError(f"could not install litserve=={release} (log {log}):\n{tail}")
    marker.write_text(wanted)
    return behave


@dataclass
class ReleaseResult:
    release: str
    run: BehaveRun | None
    error: str = ""

    def cell(self, feature: str) -> str:
        """passed / known (registry ids) / NEW failure / n/a / missing / error (the hooks judged each scenario
        against known_defects.toml)."""
        if self.run is None:
            return "error"
        status = self.run.feature_status(feature)
        if status != "passed":
            return "NEW failure" if status == "failed" else status
        known = sorted({d for r in self.run.scenarios if r.feature == feature and r.status == KNOWN_DEFECT
                        for d in r.defects})
        return f"known ({', '.join(known)})" if known else "passed"

    def unexpected(self, features: list[str]) -> bool:
        return self.run is None or any(self.cell(f) in ("NEW failure", "missing", "error") for f in features)


def table(results: list[ReleaseResult], features: list[str]) -> str:
    header = "| release | " + " | ".join(features) + " | seconds |"
    rule = "|" + " --- |" * (len(features) + 2)
    rows = [header, rule]
    for result in results:
        seconds = f"{result.run.seconds:.0f}" if result.run else "-"
        rows.append(f"| {result.release} | " + " | ".join(result.cell(f) for f in features) + f" | {seconds} |")
    return "\n".join(rows)


def details(results: list[ReleaseResult]) -> list[str]:
    lines = []
    for result in results:
        if result.run is None:
            lines.append(f"- {result.release}: {result.error.splitlines()[0] if result.error else 'error'}")
            continue
        for failure in result.run.failed:
            note = f" (known defect {', '.join(failure.defects)} no longer reproduces)" if failure.defects else ""
            lines.append(f"- {result.release} {failure.feature}: {failure.name} ({failure.location}): "
                         f"{failure.error}{note}")
    return lines


def test_release(release: str, install: Future, features: list[str], tags: str) -> ReleaseResult:
    """Run ``features`` on ``release`` once its virtual environment is ready; print one line."""
    try:
        behave = install.result()
        result = ReleaseResult(release, run_behave(features, behave=str(behave), tags=tags, timeout=1800.0))
    except (RuntimeError, BehaveRunError, subprocess.CalledProcessError) as error:
        result = ReleaseResult(release, None, str(error))
    seconds = f" ({result.run.seconds:.0f} s)" if result.run else ""
    print(f"version-matrix: litserve {release}{seconds}: " + ", ".join(f"{f} {result.cell(f)}" for f in features)
          + "".join(f"\n  {line}" for line in details([result])), flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.version_matrix", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("releases", nargs="*", help=f"releases to test (default: all of {OLDEST} .. {NEWEST}); "
                        "'oldest' and 'newest' are accepted")
    parser.add_argument("--features", nargs="+", help="features to run (default: every feature `behave features/` runs)")
    parser.add_argument("--tags", default=default_tags(),
                        help="behave tag expression (default: behave.ini's default_tags, %(default)r)")
    parser.add_argument("--install-jobs", type=int, default=3, help="virtual environments built in parallel (default 3)")
    parser.add_argument("--jobs", type=int, default=1,
                        help="releases tested at the same time (default 1: timing scenarios need a quiet machine)")
    args = parser.parse_args(argv)
    args.features = args.features or selected_features(args.tags)
    aliases = {"oldest": OLDEST, "newest": NEWEST}
    releases = [aliases.get(r, r) for r in args.releases] or list(ALL_RELEASES)
    for release in releases:
        try:
            parse(release)
        except ValueError:
            parser.error(f"not a release number: {release!r} (e.g. 0.2.5)")
    try:
        check_features(args.features, args.tags)
    except ValueError as error:
        parser.error(str(error))
    args.features = [Path(f).name.removesuffix(".feature") for f in args.features]

    log_dir = REPORTS_DIR / "version-matrix"
    log_dir.mkdir(parents=True, exist_ok=True)
    MATRIX_DIR.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, args.install_jobs)) as installer, \
            ThreadPoolExecutor(max_workers=max(1, args.jobs)) as runner:
        installs: dict[str, Future] = {r: installer.submit(ensure_venv, r, log_dir) for r in releases}
        runs = [runner.submit(test_release, r, installs[r], args.features, args.tags) for r in releases]
        results = [run.result() for run in runs]

    text = table(results, args.features)
    notes = details(results)
    report = ["# LitServe version matrix", "", text, ""]
    if notes:
        report += ["Failures:", "", *notes, ""]
    (REPORTS_DIR / "version-matrix.md").write_text("\n".join(report))
    (REPORTS_DIR / "version-matrix.json").write_text(json.dumps(
        [{"release": r.release, "error": r.error, "seconds": round(r.run.seconds, 1) if r.run else None,
          "scenarios": [vars(s) for s in r.run.scenarios] if r.run else []} for r in results], indent=1))
    print()
    print(text)
    if notes:
        print("\nFailures:\n" + "\n".join(notes))
    print(f"\nversion-matrix: {len(releases)} release(s) in {time.monotonic() - began:.0f} s; "
          f"report in {os.path.relpath(REPORTS_DIR / 'version-matrix.md', REPO_ROOT)}")
    return 1 if any(r.unexpected(args.features) for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
