"""Run the core features on several LitServe releases, one virtual environment per release.

    .venv/bin/python -m tools.version_matrix                 # every release 0.2.0 .. 0.2.19
    .venv/bin/python -m tools.version_matrix 0.2.0 0.2.19    # some releases
    .venv/bin/python -m tools.version_matrix --features single_streaming 0.2.5

Each release gets ``.matrix/venvs/<release>`` (git-ignored, reused by later runs) with
``litserve==<release>`` and the suite's own pinned dependencies from ``requirements.txt``;
LitServe's own dependencies (FastAPI, uvicorn, ...) are left to pip, as a user installing
that release would get them. The suite's apps adapt to each release through
``servers/compat.py``; scenarios tagged ``@litserve.since:`` / ``@litserve.until:`` are skipped
where they do not apply.

Prints, and writes to ``reports/version-matrix.md`` (details in ``version-matrix.json``), a
table release x feature: passed / failed / known issue / n/a. A failure listed in
:data:`KNOWN_ISSUES` is a real bug of that release which the suite rightly catches; any other
failure makes the command exit 1.
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

from tools.behave_runs import CORE_FEATURES, BehaveRun, BehaveRunError, feature_path, run_behave
from harness.paths import REPO_ROOT, REPORTS_DIR
from harness.tags.releases import parse

MATRIX_DIR = REPO_ROOT / ".matrix" / "venvs"
ALL_RELEASES = tuple(f"0.2.{n}" for n in range(0, 20))
OLDEST, NEWEST = ALL_RELEASES[0], ALL_RELEASES[-1]


@dataclass(frozen=True)
class KnownIssue:
    """A real bug of releases ``first``..``last`` in a covered behaviour: a scenario of ``feature`` whose failure
    message contains ``message`` fails there, rightly. Shown as "known issue" instead of "failed"."""

    first: str
    last: str
    feature: str
    message: str
    why: str

    def covers(self, release: str, feature: str, error: str) -> bool:
        return (parse(self.first) <= parse(release) <= parse(self.last) and feature == self.feature
                and self.message in error)


_SHARED_CONTEXT = ("every request of a batch gets the same context dict (`contexts = [{}] * n`), so values set in "
                   "decode_request leak between requests; fixed in 0.2.8 "
                   "(https://github.com/Lightning-AI/LitServe/issues/450, "
                   "https://github.com/Lightning-AI/LitServe/pull/451)")
_WINDOW_ZERO = ("with batch_timeout=0 the batch collector returns before it takes any request, so requests are "
                "never served; fixed in 0.2.2 (https://github.com/Lightning-AI/LitServe/pull/238)")

_MULTI_API_HEALTH = ("with several LitAPIs on one server, /health calls health() on the list of APIs and answers 500 "
                     "(AttributeError), so the server never reports ready; fixed in 0.2.12 "
                     "(https://github.com/Lightning-AI/LitServe/pull/529)")

#: Real bugs of old releases that the suite catches (found by running the matrix; see README).
KNOWN_ISSUES: list[KnownIssue] = [
    KnownIssue("0.2.0", "0.2.7", "dynamic_batching", "request context moved between requests", _SHARED_CONTEXT),
    KnownIssue("0.2.0", "0.2.7", "streaming_batching", "request context moved between requests", _SHARED_CONTEXT),
    KnownIssue("0.2.0", "0.2.1", "dynamic_batching", "got no answer within", _WINDOW_ZERO),
    KnownIssue("0.2.11", "0.2.11", "several_endpoints", "the health check answered 500", _MULTI_API_HEALTH),
]


def suite_requirements() -> list[str]:
    """The pinned requirements of the suite itself, without LitServe and without what only the suite's own
    tests need (pytest, playwright)."""
    lines = (REPO_ROOT / "requirements.txt").read_text().splitlines()
    keep = []
    for line in lines:
        spec = line.split("#")[0].strip()
        name = spec.split("==")[0].strip().lower()
        if spec and name not in ("litserve", "pytest", "playwright"):
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
        if self.run is None:
            return "error"
        status = self.run.feature_status(feature)
        if status != "failed":
            return status
        failures = [r for r in self.run.failed if r.feature == feature]
        if all(any(k.covers(self.release, feature, r.error) for k in KNOWN_ISSUES) for r in failures):
            return "known issue"
        return "failed"

    def unexpected(self, features: list[str]) -> bool:
        return self.run is None or any(self.cell(f) in ("failed", "missing", "error") for f in features)


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
            known = [k.why for k in KNOWN_ISSUES if k.covers(result.release, failure.feature, failure.error)]
            note = f" — known issue: {known[0]}" if known else ""
            lines.append(f"- {result.release} {failure.feature}: {failure.name} ({failure.location}): "
                         f"{failure.error}{note}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.version_matrix", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("releases", nargs="*", help=f"releases to test (default: all of {OLDEST} .. {NEWEST}); "
                        "'oldest' and 'newest' are accepted")
    parser.add_argument("--features", nargs="+", default=list(CORE_FEATURES), help="features to run (default: the core ones)")
    parser.add_argument("--install-jobs", type=int, default=3, help="virtual environments built in parallel (default 3)")
    args = parser.parse_args(argv)
    aliases = {"oldest": OLDEST, "newest": NEWEST}
    releases = [aliases.get(r, r) for r in args.releases] or list(ALL_RELEASES)
    for release in releases:
        try:
            parse(release)
        except ValueError:
            parser.error(f"not a release number: {release!r} (e.g. 0.2.5)")
    try:
        for feature in args.features:
            feature_path(feature)
    except ValueError as error:
        parser.error(str(error))

    log_dir = REPORTS_DIR / "version-matrix"
    log_dir.mkdir(parents=True, exist_ok=True)
    MATRIX_DIR.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    results: list[ReleaseResult] = []
    with ThreadPoolExecutor(max_workers=max(1, args.install_jobs)) as pool:
        installs: dict[str, Future] = {r: pool.submit(ensure_venv, r, log_dir) for r in releases}
        for release in releases:  # the runs themselves one at a time: timing scenarios need a quiet machine
            try:
                behave = installs[release].result()
                run = run_behave(args.features, behave=str(behave))
                result = ReleaseResult(release, run)
            except (RuntimeError, BehaveRunError, subprocess.CalledProcessError) as error:
                result = ReleaseResult(release, None, str(error))
            results.append(result)
            print(f"version-matrix: litserve {release}: "
                  + ", ".join(f"{f} {result.cell(f)}" for f in args.features), flush=True)

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
