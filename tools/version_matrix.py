"""Run every default feature on LitServe releases, one virtual environment per release; store each
(release, feature) cell and generate ``docs/version-matrix.md`` from the stored cells.

    .venv/bin/python -m tools.version_matrix all               # every release 0.2.0 .. 0.2.19
    .venv/bin/python -m tools.version_matrix 0.2.0 0.2.19      # some releases ("oldest", "newest" accepted)
    .venv/bin/python -m tools.version_matrix --features single_streaming -- 0.2.5
    .venv/bin/python -m tools.version_matrix all --missing     # only the releases with a cell not stored yet
    .venv/bin/python -m tools.version_matrix --write-docs      # regenerate docs/version-matrix.md, run nothing

The features are those ``behave features/`` runs: every feature file with a scenario that
behave.ini's ``default_tags`` selects (read from the files, so a new feature joins by itself),
run with those tags (``--tags`` replaces them, as on behave's command line).

Each release gets ``.matrix/venvs/<release>`` (git-ignored, reused by later runs) with
``litserve==<release>`` and the suite's own pinned dependencies from ``requirements.txt``;
LitServe's own dependencies (FastAPI, uvicorn, ...) are left to pip, as a user installing
that release would get them. The suite's apps adapt to each release through
``servers/compat.py``; scenarios tagged ``@litserve.since:`` / ``@litserve.until:`` are skipped
where they cannot be set up, with the reason.

Each scenario is judged by the suite's own hooks against ``known_defects.toml``, as in ``behave
features/``. A cell (:mod:`tools.matrix_results`) is passed / known (registry ids) / NEW failure /
no longer reproduces / n/a (the feature does not exist on that release), with its skipped scenarios
counted by reason. Cells are stored in ``docs/version-matrix.json`` as each release finishes (a run
over some releases and features replaces only those cells; an interrupted run keeps what it did),
and the page is regenerated from them (:mod:`tools.matrix_docs`). Exits 1 when a cell of this run
is a new failure, a defect that no longer reproduces, or a release that could not run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from harness.paths import REPO_ROOT, REPORTS_DIR
from harness.reporting.allure_meta import commit
from harness.tags.releases import parse
from tools import matrix_docs
from tools.behave_runs import check_features, default_tags, run_behave, selected_features
from tools.matrix_results import Cell, cells_from_run, load, store

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


#: The longest one release's behave run may take before it is given up (its cells then say "error").
RELEASE_TIMEOUT_SECONDS = 900.0


def test_release(release: str, install: Future, features: list[str], tags: str) -> list[Cell]:
    """Run ``features`` on ``release`` once its virtual environment is ready; store and print its cells."""
    try:
        behave = install.result()
        run = run_behave(features, behave=str(behave), tags=tags, timeout=RELEASE_TIMEOUT_SECONDS)
        cells = cells_from_run(release, features, run, suite=commit())
    except Exception as error:  # noqa: BLE001 - one release that cannot run must not stop the others: its cells say why
        run, cells = None, cells_from_run(release, features, None, str(error) or type(error).__name__, commit())
    store(cells)
    seconds = f" ({run.seconds:.0f} s)" if run else ""
    print(f"version-matrix: litserve {release}{seconds}: " + ", ".join(f"{c.feature} {c.text()}" for c in cells),
          flush=True)
    for line in matrix_docs.problems({(c.release, c.feature): c for c in cells}):
        print(f"  {line}", flush=True)
    return cells


def _releases(names: list[str], features: list[str], missing: bool, parser: argparse.ArgumentParser) -> list[str]:
    aliases = {"oldest": [OLDEST], "newest": [NEWEST], "all": list(ALL_RELEASES)}
    releases: list[str] = []
    for name in names:
        for release in aliases.get(name, [name]):
            try:
                parse(release)
            except ValueError:
                parser.error(f"not a release number: {release!r} (e.g. 0.2.5, or all / oldest / newest)")
            if release not in releases:
                releases.append(release)
    if missing:
        stored = load()
        releases = [r for r in releases if any((r, f) not in stored or stored[(r, f)].error for f in features)]
    return releases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.version_matrix", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("releases", nargs="*", help=f"releases to test (default: all, {OLDEST} .. {NEWEST}); "
                        "'all', 'oldest' and 'newest' are accepted")
    parser.add_argument("--features", nargs="+", help="features to run (default: every feature `behave features/` runs)")
    parser.add_argument("--tags", default=default_tags(),
                        help="behave tag expression (default: behave.ini's default_tags, %(default)r)")
    parser.add_argument("--install-jobs", type=int, default=3, help="virtual environments built in parallel (default 3)")
    parser.add_argument("--jobs", type=int, default=1,
                        help="releases tested at the same time (default 1: timing scenarios need a quiet machine)")
    parser.add_argument("--missing", action="store_true",
                        help="only releases with a feature whose cell is not stored yet, or could not run")
    parser.add_argument("--write-docs", action="store_true",
                        help="regenerate docs/version-matrix.md from the stored cells; with releases, after running them")
    args = parser.parse_args(argv)
    features = args.features or selected_features(args.tags)
    try:
        check_features(features, args.tags)
    except ValueError as error:
        parser.error(str(error))
    features = [Path(f).name.removesuffix(".feature") for f in features]
    if args.write_docs and not args.releases:
        print(f"version-matrix: wrote {os.path.relpath(matrix_docs.write(features), REPO_ROOT)}")
        return 0
    releases = _releases(args.releases or ["all"], features, args.missing, parser)

    log_dir = REPORTS_DIR / "version-matrix"
    log_dir.mkdir(parents=True, exist_ok=True)
    MATRIX_DIR.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, args.install_jobs)) as installer, \
            ThreadPoolExecutor(max_workers=max(1, args.jobs)) as runner:
        installs: dict[str, Future] = {r: installer.submit(ensure_venv, r, log_dir) for r in releases}
        runs = [runner.submit(test_release, r, installs[r], features, args.tags) for r in releases]
        cells = [cell for run in runs for cell in run.result()]

    this_run = {(c.release, c.feature): c for c in cells}
    report = ["# LitServe version matrix (this run)", "", *matrix_docs.matrix_table(this_run, features), "",
              *(matrix_docs.problems(this_run) or ["No new failure."]), ""]
    (REPORTS_DIR / "version-matrix.md").write_text("\n".join(report))
    print("\n" + "\n".join(report))
    if args.write_docs:
        print(f"version-matrix: wrote {os.path.relpath(matrix_docs.write(features), REPO_ROOT)}")
    print(f"version-matrix: {len(releases)} release(s) in {time.monotonic() - began:.0f} s; cells stored in "
          f"docs/version-matrix.json (`python -m tools.version_matrix --write-docs` makes docs/version-matrix.md)")
    return 1 if any(c.fails for c in cells) else 0


if __name__ == "__main__":
    sys.exit(main())
