"""Files around the Allure results that allure-behave does not write, and the history carried between runs.

* :func:`start_run` (``before_all``) empties the results folder of the Allure formatter that is
  active in this behave run (allure-behave never empties it), then writes
  ``environment.properties`` and ``categories.json`` into it. Allure 2 reads both; it also reads
  ``executor.json`` and ``history/``, which :func:`prepare_report` writes just before generating.
* :func:`finish_run` (``after_all``) makes the labels taken from tags readable: behave tags cannot
  hold spaces, so ``@allure.label.story:Batch_window`` becomes the story "Batch window".
* ``python -m harness.reporting.allure_meta prepare RESULTS REPORT`` (called by ``scripts/report.sh``) carries
  the previous report's ``history/`` into the results and writes ``executor.json``.

Categories (Allure matches the failure message with Java regexes, DOTALL; a result can match several,
so the patterns exclude each other):

* "Known LitServe defects": *broken* with ``KNOWN LITSERVE DEFECT`` in the message: how
  ``harness.tags.known_defects`` reports a scenario that failed exactly as its ``known_defects.toml``
  entry says, on a release in the entry's range.
* "Known defects that no longer reproduce": *failed* with ``NO LONGER REPRODUCES``: a registered defect
  of this release whose scenario passed (fixed? its range in the registry needs ending).
* "Environment problems": a server never became ready (``harness.serving.launcher.ServerStartError``).
* "Product defects": any other *failed* result (a failed assertion): a new failure, LitServe did not
  behave as the feature says.
* "Test defects": any other *broken* result (an error): the suite itself broke (a bug in a step, an
  undefined step).
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from harness.paths import REPO_ROOT
from harness.versions import package_version

#: Where ``behave.ini`` sends the Allure results (used when the formatter cannot be asked).
DEFAULT_RESULTS_DIR = REPO_ROOT / "reports" / "allure-results"

KNOWN_DEFECT_MARK = "KNOWN LITSERVE DEFECT"
KNOWN_DEFECTS_CATEGORY = "Known LitServe defects"
NO_LONGER_MARK = "NO LONGER REPRODUCES"
SERVER_START_ERROR = "ServerStartError"

_NOT_KNOWN = f"(?!.*{KNOWN_DEFECT_MARK})"
_NOT_ENVIRONMENT = f"(?!.*{SERVER_START_ERROR})"
_NOT_NO_LONGER = f"(?!{NO_LONGER_MARK})"

CATEGORIES: list[dict] = [
    {
        "name": KNOWN_DEFECTS_CATEGORY,
        "description": "Scenarios that failed exactly as registered in known_defects.toml for this release: "
                       "LitServe is known to behave this way (each links to its LitServe issue or pull "
                       "request). They do not fail the run.",
        "matchedStatuses": ["broken"],
        "messageRegex": f"(?s).*{KNOWN_DEFECT_MARK}.*",
    },
    {
        "name": "Known defects that no longer reproduce (fixed?)",
        "description": "A registered defect of this release whose scenario passed: fixed? End the entry's "
                       "range in known_defects.toml. They fail the run, so the registry stays true.",
        "matchedStatuses": ["failed"],
        "messageRegex": f"(?s){NO_LONGER_MARK}.*",
    },
    {
        "name": "Environment problems (a server never became ready)",
        "matchedStatuses": ["failed", "broken"],
        "messageRegex": f"(?s){_NOT_KNOWN}.*{SERVER_START_ERROR}.*",
    },
    {
        "name": "Product defects (LitServe did not behave as specified)",
        "description": "New failures: LitServe did not behave as the feature says.",
        "matchedStatuses": ["failed"],
        "messageRegex": f"(?s){_NOT_NO_LONGER}{_NOT_ENVIRONMENT}.*",
    },
    {
        "name": "Test defects (the suite itself broke)",
        "matchedStatuses": ["broken"],
        "messageRegex": f"(?s){_NOT_KNOWN}{_NOT_ENVIRONMENT}.*",
    },
]

#: Labels whose values come from tags and are shown as names in the report.
READABLE_LABELS = {"epic", "story", "parentSuite", "suite", "subSuite"}

HISTORY_DIR = "history"
DOCS_LINK_NAME = "LitServe documentation"
_GITHUB_NUMBER = re.compile(r"https://github\.com/[^/]+/[^/]+/(issues|pull)/(\d+)")


def link_name(link: dict) -> str:
    """How a link reads in the report: ``docs`` is "LitServe documentation"; an issue or pull request
    named by its bare address or kind (``@allure.issue:URL``, ``@allure.link.pull:URL``) is
    "LitServe issue #46" / "LitServe pull request #562"."""
    name, url = link.get("name") or "", link.get("url") or ""
    if name == "docs":
        return DOCS_LINK_NAME
    numbered = _GITHUB_NUMBER.fullmatch(url)
    if numbered and name in (url, "pull", "issue"):
        kind = "issue" if numbered[1] == "issues" else "pull request"
        return f"LitServe {kind} #{numbered[2]}"
    return name


def results_dir(context) -> Path | None:
    """The folder the active Allure formatter writes to, or None when no Allure formatter runs."""
    # behave offers hooks no public list of the run's formatters: ``context._runner`` is the only way to them.
    for formatter in getattr(context._runner, "formatters", []):
        if type(formatter).__name__ == "AllureFormatter":
            # the folder the formatter was given (behave's public ``stream_opener.name``; its file logger
            # keeps the same path in a private attribute)
            return Path(formatter.stream_opener.name).absolute()
    return None


def start_run(context) -> None:
    """Empty the Allure results folder of this run and write the run's environment and categories."""
    folder = results_dir(context)
    if folder is None:
        return
    empty_folder(folder)
    write_environment(folder)
    write_categories(folder)


def finish_run(context) -> None:
    """Make this run's results readable: tag-made labels as words, the feature's description on each scenario."""
    folder = results_dir(context)
    if folder is not None:
        # behave hands hooks one feature at a time; the parsed list of all is only on its runner
        descriptions = {f.name: "\n".join(f.description) for f in getattr(context._runner, "features", [])}
        tidy_labels(folder, descriptions)


def empty_folder(folder: Path) -> None:
    """Remove what is inside ``folder`` but keep the folder: the Allure formatter has already created it."""
    folder.mkdir(parents=True, exist_ok=True)
    for entry in folder.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def environment() -> dict[str, str]:
    """What the report's Environment widget shows: versions, machine and commit."""
    values = {  # the report shows the first five at once
        "LitServe": package_version("litserve"),
        "Commit": commit(),
        "Python": platform.python_version(),
        "OS": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "CPU count": str(os.cpu_count()),
        "behave": package_version("behave"),
        "allure-behave": package_version("allure-behave"),
    }
    fault = os.environ.get("LITSERVE_SUITE_FAULT", "").strip()
    if fault:
        values["Injected fault"] = fault
    return values


def commit() -> str:
    """The suite's commit (short hash, ``+changes`` when the work tree differs), or ``unknown``."""
    sha = os.environ.get("GITHUB_SHA", "")[:12]
    if sha:
        return sha
    try:
        sha = _git("rev-parse", "--short=12", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{sha}+changes" if dirty else sha


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=10, check=True)
    return done.stdout.strip()


def write_environment(folder: Path) -> None:
    lines = [f"{_escape_property(key, is_key=True)}={_escape_property(value)}" for key, value in environment().items()]
    (folder / "environment.properties").write_text("\n".join(lines) + "\n", encoding="latin-1", errors="replace")


def _escape_property(text: str, is_key: bool = False) -> str:
    """Java properties syntax: backslashes escaped, one line; spaces in a key escaped."""
    text = text.replace("\\", "\\\\").replace("\n", " ")
    return text.replace(" ", "\\ ") if is_key else text


def write_categories(folder: Path) -> None:
    (folder / "categories.json").write_text(json.dumps(CATEGORIES, indent=2), encoding="utf-8")


def readable(value: str) -> str:
    return value.replace("_", " ")


def tidy_labels(folder: Path, descriptions: dict[str, str] | None = None) -> int:
    """Rewrite ``*-result.json`` for readers: tag values read as words, each feature is a suite (under
    its ``parentSuite``), links read as names (:func:`link_name`), and a
    scenario without a description of its own gets its feature's (from ``descriptions``, by feature name).
    Returns the number of files changed."""
    changed = 0
    for path in folder.glob("*-result.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        before = json.dumps(data, sort_keys=True)
        labels = [
            {**label, "value": readable(label["value"])} if label.get("name") in READABLE_LABELS else label
            for label in data.get("labels", [])
        ]
        names = {label.get("name") for label in labels}
        feature = next((label["value"] for label in labels if label.get("name") == "feature"), None)
        if feature and "suite" not in names:
            labels.append({"name": "suite", "value": feature})
        links = [{**link, "name": link_name(link)} for link in data.get("links", [])]
        data["labels"] = labels
        if links:
            data["links"] = links
        if not data.get("description") and feature and (descriptions or {}).get(feature):
            data["description"] = descriptions[feature]
        if json.dumps(data, sort_keys=True) != before:
            path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            changed += 1
    return changed


def prepare_report(results: Path, report: Path) -> str:
    """Carry ``report/history`` into ``results/history`` and write ``results/executor.json``.

    This is done once per run: ``executor.json`` marks results that are prepared already, whose
    ``history/`` holds the history from before this run (generating twice from one run must not
    count the run twice). Returns a sentence saying what was done.
    """
    if not results.is_dir() or not any(results.glob("*-result.json")):
        raise SystemExit(f"no Allure results in {results}: run `.venv/bin/behave features/` first")
    target = results / HISTORY_DIR
    source = report / HISTORY_DIR
    marker = results / "executor.json"
    if marker.exists():
        return "results already prepared (history and executor) for this run"
    if target.is_dir():
        said = f"history already in {target}"
    elif source.is_dir():
        shutil.copytree(source, target)
        said = f"history carried from {source}"
    else:
        said = "no earlier history: this report starts the trend"
    marker.write_text(json.dumps(executor(target), indent=2), encoding="utf-8")
    return said


def executor(history: Path) -> dict:
    """Who ran the suite: GitHub Actions (from its variables) or a local run numbered after the history."""
    if os.environ.get("GITHUB_ACTIONS") == "true":
        run_url = (f"{os.environ.get('GITHUB_SERVER_URL', 'https://github.com')}/"
                   f"{os.environ.get('GITHUB_REPOSITORY', '')}/actions/runs/{os.environ.get('GITHUB_RUN_ID', '')}")
        number = os.environ.get("GITHUB_RUN_NUMBER", "0")
        found = {
            "name": "GitHub Actions", "type": "github", "buildOrder": int(number) if number.isdigit() else 0,
            "buildName": f"{os.environ.get('GITHUB_WORKFLOW', 'CI')} #{number}", "buildUrl": run_url,
        }
        if os.environ.get("ALLURE_REPORT_URL"):
            found["reportUrl"] = os.environ["ALLURE_REPORT_URL"]
        return found
    order = _runs_in_history(history) + 1
    return {"name": "local run", "type": "local", "buildOrder": order,
            "buildName": f"local run #{order}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"}


def _runs_in_history(history: Path) -> int:
    try:
        return len(json.loads((history / "history-trend.json").read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return 0


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] != "prepare":
        print("usage: python -m harness.reporting.allure_meta prepare RESULTS_DIR REPORT_DIR", file=sys.stderr)
        return 2
    print(f"report: {prepare_report(Path(argv[1]), Path(argv[2]))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
