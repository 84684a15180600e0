"""The CI workflow, checked by zizmor (static analysis for GitHub Actions, pinned in requirements.txt).

``.github/workflows/acceptance.yml`` publishes the report to GitHub Pages with write permissions, so it
is held to zizmor's default ("regular") audits, offline: any finding above informational fails, with
what to change. A second test plants the mistakes zizmor found in the workflow before it was fixed, to
prove the check can fail.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.paths import REPO_ROOT

WORKFLOWS = REPO_ROOT / ".github" / "workflows"
SEVERITIES = ["Unknown", "Informational", "Low", "Medium", "High"]
#: What to change, for the audits the workflow has met; any other audit links to its documentation.
ADVICE = {
    "unpinned-uses": "pin the action to the full commit SHA its tag points to, with the tag in a comment: "
                     "`uses: owner/repo@<40 hex digits> # v4.4.0` (the SHA: `git ls-remote "
                     "https://github.com/owner/repo refs/tags/v4.4.0`, the commit itself if the tag is annotated)",
    "artipacked": "add `with: persist-credentials: false` to the actions/checkout step, so the token is "
                  "not left in .git/config for an uploaded artifact to carry",
    "template-injection": "pass the value through the step's `env:` (`NAME: ${{ ... }}`) and use \"$NAME\" "
                          "in the script instead of `${{ ... }}`",
    "excessive-permissions": "give the job only the permissions it needs, each with a comment saying why",
}
PINNED_USES = re.compile(r"uses:\s*(?P<action>[\w.-]+/[\w./-]+)@(?P<ref>[0-9a-f]{40})(?P<rest>.*)$")


@dataclass(frozen=True)
class Finding:
    audit: str
    severity: str
    what: str
    where: str
    docs: str
    code: str = ""

    def advice(self) -> str:
        todo = ADVICE.get(self.audit, f"see {self.docs}")
        return f"{self.where}: {self.audit} ({self.severity}): {self.what} at `{self.code}`. Fix: {todo}"


def zizmor() -> str:
    """The zizmor executable of this virtualenv (or on PATH); fails with what to do when it is missing."""
    beside = Path(sys.executable).parent / "zizmor"
    found = str(beside) if beside.exists() else shutil.which("zizmor")
    if not found:
        pytest.fail("zizmor is missing: run `.venv/bin/pip install -r requirements.txt` (it pins zizmor)",
                    pytrace=False)
    return found


def audit(folder: Path) -> list[Finding]:
    """zizmor's findings (offline, default persona) on the workflows in ``folder``."""
    done = subprocess.run([zizmor(), "--offline", "--format", "json", "--no-exit-codes", str(folder)],
                          capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        pytest.fail(f"zizmor could not audit {folder} (exit {done.returncode}):\n{done.stderr[-2000:]}",
                    pytrace=False)
    findings = []
    for raw in json.loads(done.stdout):
        if raw.get("ignored"):
            continue
        location = next((loc for loc in raw["locations"] if loc["symbolic"].get("kind") == "Primary"),
                        raw["locations"][0])
        path = Path(location["symbolic"]["key"]["Local"]["verbatim_path"])
        row = location["concrete"]["location"]["start_point"]["row"] + 1
        findings.append(Finding(raw["ident"], raw["determinations"]["severity"], raw["desc"],
                                f"{path.name}:{row}", raw.get("url", ""),
                                location["concrete"].get("feature", "").strip()))
    return findings


def above_informational(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if SEVERITIES.index(f.severity) > SEVERITIES.index("Informational")]


def test_the_workflow_has_no_finding_above_informational():
    problems = above_informational(audit(WORKFLOWS))
    assert not problems, (f"zizmor found {len(problems)} problem(s) in {WORKFLOWS.relative_to(REPO_ROOT)} "
                          "(reproduce: .venv/bin/zizmor --offline .github/workflows/):\n"
                          + "\n".join(f"  {p.advice()}" for p in problems))


def test_every_pinned_action_names_its_tag():
    """A SHA alone does not say which release it is: each pin carries its tag in a comment."""
    bare = []
    for path in sorted(WORKFLOWS.glob("*.y*ml")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            pinned = PINNED_USES.search(line)
            if pinned and not re.match(r"\s*#\s*v\d", pinned["rest"]):
                bare.append(f"{path.name}:{number}: {line.strip()}")
    assert not bare, ("these actions are pinned to a SHA without the tag it stands for; add it as a comment, "
                      "e.g. `# v4.4.0`:\n" + "\n".join(f"  {b}" for b in bare))


PLANTED = """\
name: planted
on: push
permissions:
  contents: read
jobs:
  one:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/upload-artifact@v4
        with:
          name: everything
          path: .
"""


def test_the_check_catches_what_the_workflow_used_to_have(tmp_path):
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / "planted.yml").write_text(PLANTED, encoding="utf-8")
    problems = above_informational(audit(folder))
    audits = sorted(p.audit for p in problems)
    assert audits == ["artipacked", "unpinned-uses", "unpinned-uses"], audits
    pin = next(p for p in problems if p.audit == "unpinned-uses")
    assert pin.where == "planted.yml:9" and "full commit SHA" in pin.advice(), pin.advice()
