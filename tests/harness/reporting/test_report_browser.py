"""The generated HTML report, opened in headless Chromium as a reader would open it.

Needs a report made from a full run (``bash scripts/acceptance.sh`` makes one; ``.ci/run`` runs it
first) and Debian's Chromium (``bash scripts/install-browser.sh``). It fails, with what to do, when
either is missing. It serves ``reports/allure-report`` on 127.0.0.1, blocks and records every request
to any other host, and saves screenshots under ``reports/``.
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest
from behave.parser import parse_file

from harness.paths import REPO_ROOT, REPORTS_DIR
from harness.reporting.allure_meta import KNOWN_DEFECTS_CATEGORY
from harness.reporting.verdict import Verdict
from harness.reporting.verdict import NO_LONGER_REPRODUCES
from harness.tags import defect_registry
from harness.tags.known_defects import PREFIX as KNOWN_DEFECT_PREFIX
from harness.tags.releases import installed_litserve

REPORT_DIR = REPORTS_DIR / "allure-report"
SCREENSHOT = REPORTS_DIR / "report-screenshot.png"
OVERVIEW_SCREENSHOT = REPORTS_DIR / "report-overview.png"
CATEGORIES_SCREENSHOT = REPORTS_DIR / "report-categories.png"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
CORE_FEATURES = ["single_prediction", "single_streaming", "dynamic_batching", "streaming_batching"]
TIMELINE = "Timeline of requests and batches"
LOCAL_HOST = "127.0.0.1"
UI_TIMEOUT_MS = 20_000


@dataclass(frozen=True)
class Result:
    feature: str
    name: str
    status: str
    steps: tuple[str, ...]
    attachments: tuple[str, ...]
    sizes: dict = field(default_factory=dict, compare=False, hash=False)
    message: str = ""
    tags: tuple[str, ...] = ()
    links: tuple[str, ...] = ()

    @property
    def known_defect(self) -> bool:
        """Failed only as documented: how harness.tags.known_defects reports it (broken, marked)."""
        return self.status == "broken" and self.message.startswith(KNOWN_DEFECT_PREFIX)

    @property
    def no_longer_reproduces(self) -> bool:
        return self.status == "failed" and self.message.startswith(NO_LONGER_REPRODUCES)

    @property
    def new_failure(self) -> bool:
        return self.status in ("failed", "broken", "unknown") and not self.known_defect and not self.no_longer_reproduces

    def registered(self) -> bool:
        """A scenario with a known defect of the installed release in ``known_defects.toml``."""
        ids = {tag[3:] for tag in self.tags if tag.startswith("id.")}
        return bool(defect_registry.for_scenario(ids, installed_litserve()))


def _results() -> list[Result]:
    """The scenarios as the report's own data has them (its per-test files), which its pages must show.

    Read from the report, not from ``reports/allure-results``: a later behave run may have replaced those.
    """
    found = []
    for path in (REPORT_DIR / "data" / "test-cases").glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("hidden"):  # an earlier try of a retried test
            continue
        feature = next((label["value"] for label in data.get("labels", []) if label["name"] == "feature"), "")
        steps = data.get("testStage", {}).get("steps", [])
        sizes = {a["name"]: a.get("size", 0) for step in steps for a in step.get("attachments", [])}
        tags = tuple(label["value"] for label in data.get("labels", []) if label["name"] == "tag")
        found.append(Result(feature, data["name"], data["status"], tuple(step["name"] for step in steps),
                            tuple(sizes), sizes, data.get("statusMessage") or "", tags,
                            tuple(link.get("name", "") for link in data.get("links", []))))
    return found


def _expected_scenarios() -> dict[str, list[str]]:
    """The four core features and their scenario names (one per Examples row), from the feature files;
    scenarios tagged for other LitServe releases than the installed one are skipped and not expected."""
    from harness.tags.releases import installed_litserve, not_applicable_reason

    version = installed_litserve()
    expected = {}
    for stem in CORE_FEATURES:
        feature = parse_file(str(REPO_ROOT / "features" / f"{stem}.feature"))
        names = []
        for scenario in feature.scenarios:
            for one in getattr(scenario, "scenarios", [scenario]):  # an outline: one scenario per Examples row
                if not not_applicable_reason(one.effective_tags, version):
                    names.append(one.name)
        expected[feature.name] = names
    return expected


@contextmanager
def _served(folder: Path) -> Iterator[str]:
    """``folder`` served over HTTP on 127.0.0.1 while the block runs; yields its address."""

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer((LOCAL_HOST, 0), functools.partial(QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOCAL_HOST}:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def report_url() -> Iterator[str]:
    """The report served on 127.0.0.1; fails with what to do if there is no report."""
    if not (REPORT_DIR / "index.html").is_file() or not (REPORT_DIR / "data").is_dir():
        pytest.fail(f"no HTML report in {REPORT_DIR}: run `bash scripts/acceptance.sh` first "
                    f"(or `.venv/bin/behave features/` then `bash scripts/report.sh`)", pytrace=False)
    with _served(REPORT_DIR) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, driven by Playwright; fails with what to do if it is missing."""
    if not CHROMIUM.exists() or shutil.which("chromedriver") is None:
        pytest.fail(f"Chromium is missing ({CHROMIUM}): run `bash scripts/install-browser.sh` "
                    "(apt-get install -y chromium chromium-driver, as root)", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the playwright package is missing: run `bash scripts/setup.sh`", pytrace=False)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@contextmanager
def _guarded_page(browser):
    """A page that may talk to 127.0.0.1 only: other requests are blocked and listed in ``page.outside``."""
    outside: list[str] = []
    context = browser.new_context(viewport={"width": 1500, "height": 1000})

    def guard(route, request) -> None:
        if urlsplit(request.url).hostname == LOCAL_HOST or request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            _note_outside(request.url, outside)
            route.abort()

    context.route("**/*", guard)
    context.on("request", lambda request: _note_outside(request.url, outside))
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT_MS)
    page.outside = outside
    try:
        yield page
    finally:
        context.close()


@pytest.fixture(scope="module")
def browser_page(browser, report_url):
    with _guarded_page(browser) as page:
        yield page


def _note_outside(url: str, outside: list[str]) -> None:
    scheme = urlsplit(url).scheme
    if scheme in ("http", "https", "ws", "wss") and urlsplit(url).hostname != LOCAL_HOST and url not in outside:
        outside.append(url)


#: Enough rounds for every epic and feature group (the core and the failure-mode features).
MAX_GROUPS = 50


def _expand_all(page) -> None:
    """Open every collapsed group of the tree (features inside their epic)."""
    for _ in range(MAX_GROUPS):
        closed = page.locator(".node[data-node-kind=group]:not(.node__expanded) > .node__title")
        if closed.count() == 0:
            return
        closed.first.click()
    pytest.fail(f"the report's tree kept collapsed groups after {MAX_GROUPS} rounds of opening them")


def _tree(page) -> dict[str, dict[str, str]]:
    """Each group (feature) of the Suites tree and its scenarios with the status shown by their icon."""
    tree: dict[str, dict[str, str]] = {}
    for group in page.locator(".node[data-node-kind=group]").all():
        name = group.locator(":scope > .node__title .node__name").inner_text().strip()
        leaves = group.locator(":scope > .node__children > a.node__leaf")
        for leaf in leaves.all():
            icon = leaf.locator(".status-icon").first.get_attribute("class") or ""
            status = next((part.rsplit("_", 1)[-1] for part in icon.split() if part.startswith("status-icon_status_")),
                          "unknown")
            tree.setdefault(name, {})[leaf.locator(".node__name").inner_text().strip()] = status
    return tree


def test_overview_shows_the_run(browser_page, report_url):
    page = browser_page
    page.goto(report_url)
    page.get_by_text("LitServe acceptance report").first.wait_for()
    page.get_by_text("Environment").first.wait_for()
    page.get_by_text("LitServe", exact=True).first.wait_for()
    page.wait_for_timeout(500)  # let the charts finish their animation before the picture
    page.screenshot(path=str(OVERVIEW_SCREENSHOT), full_page=True)
    assert page.outside == [], f"the report asked hosts other than {LOCAL_HOST}: {page.outside}"


def test_core_features_and_scenarios_are_listed_with_their_status(browser_page, report_url):
    page = browser_page
    results = {(r.feature, r.name.strip()): r.status for r in _results()}
    expected = _expected_scenarios()
    missing = [(f, s) for f, names in expected.items() for s in names if (f, s.strip()) not in results]
    assert not missing, (f"the report in {REPORT_DIR} lacks {len(missing)} core scenario(s), e.g. {missing[:3]}: "
                         "it must come from a full run (bash scripts/acceptance.sh)")
    page.goto(report_url + "#suites")
    page.locator(".node__title").first.wait_for()
    _expand_all(page)
    tree = _tree(page)
    for feature, names in expected.items():
        assert feature in tree, f"the report does not list the feature {feature!r}; it lists {sorted(tree)}"
        shown = tree[feature]
        for name in names:
            assert name.strip() in shown, f"{feature}: the report does not list {name!r}; it lists {sorted(shown)}"
            assert shown[name.strip()] == results[(feature, name.strip())], (
                f"{feature}: {name!r} is shown as {shown[name.strip()]} but its result is "
                f"{results[(feature, name.strip())]}")
    assert page.outside == [], f"the report asked hosts other than {LOCAL_HOST}: {page.outside}"


def test_a_scenario_opens_with_its_steps_and_attachments(browser_page, report_url):
    page = browser_page
    with_timeline = [r for r in _results() if r.feature == "Dynamic batching" and TIMELINE in r.attachments]
    assert with_timeline, f"no Dynamic batching scenario of the report has a {TIMELINE!r} attachment"
    # the busiest timeline makes the most telling picture
    chosen = max(with_timeline, key=lambda r: (r.sizes[TIMELINE], r.name))
    page.goto(report_url + "#suites")
    page.locator(".node__title").first.wait_for()
    _expand_all(page)
    page.locator("a.node__leaf", has=page.locator(".node__name", has_text=chosen.name.strip())).first.click()
    pane = page.locator(".test-result")
    pane.get_by_text(chosen.name.strip()).first.wait_for()
    steps = pane.locator(".step__title:has(.step__name)")
    steps.first.wait_for()
    shown = [name.strip() for name in steps.locator(".step__name").all_inner_texts()]
    assert shown == list(chosen.steps), f"the scenario {chosen.name!r} shows the steps {shown}, not {chosen.steps}"

    when = steps.filter(has_text="When").first
    when.click()
    answers = pane.locator(".attachment-row", has_text="Requests and answers").first
    answers.click()
    pane.get_by_text('"status"').first.wait_for()
    answers.click()  # closed again, so that the picture shows the steps and the chart

    pane.locator(".attachment-row", has_text=TIMELINE).first.click()
    frame = pane.locator("iframe").first
    frame.wait_for()
    chart = frame.content_frame
    chart.locator("svg").first.wait_for()
    bars = chart.locator("svg rect").count()
    assert bars >= 2, f"the timeline chart has {bars} bar(s); it should draw every request and batch"
    assert chart.get_by_text("batch 1 (model)").count() == 1, "the timeline does not draw the batches"
    frame.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENSHOT))
    assert page.outside == [], f"the report asked hosts other than {LOCAL_HOST}: {page.outside}"


def _leaves_under(page, group: str) -> dict[str, str]:
    """Every scenario under the top group ``group`` of a tree (the Categories tree nests them by message)."""
    found: dict[str, str] = {}
    for node in page.locator(".node[data-node-kind=group]").all():
        if node.locator(":scope > .node__title .node__name").inner_text().strip() != group:
            continue
        for leaf in node.locator("a.node__leaf").all():
            icon = leaf.locator(".status-icon").first.get_attribute("class") or ""
            found[leaf.locator(".node__name").inner_text().strip()] = next(
                (part.rsplit("_", 1)[-1] for part in icon.split() if part.startswith("status-icon_status_")), "unknown")
    return found


def _bar_counts(row) -> dict[str, int]:
    """The coloured parts of a widget's bar: status -> the count written in it."""
    counts = {}
    for fill in row.locator(".bar__fill").all():
        status = next((part.rsplit("_", 1)[-1] for part in (fill.get_attribute("class") or "").split()
                       if part.startswith("bar__fill_status_")), "unknown")
        counts[status] = counts.get(status, 0) + int(fill.inner_text().strip() or 0)
    return counts


def test_overview_tells_new_failures_from_known_defects(browser_page, report_url):
    """The title says the verdict, the Categories widget shows the known defects as their own (broken,
    yellow) group with the right count, and no known defect is shown as passed or as a red failure."""
    page = browser_page
    results = _results()
    known = [r for r in results if r.known_defect]
    tagged = [r for r in results if r.registered()]
    fixed = sum(r.no_longer_reproduces for r in results)
    expected = Verdict(new_failures=sum(r.new_failure for r in results), known_defects=len(known),
                       passed=sum(r.status == "passed" for r in results) + fixed, no_longer_reproduces=fixed,
                       no_longer_failing=fixed, skipped=sum(r.status == "skipped" for r in results))
    assert all(r.status in ("broken", "failed") for r in tagged), (
        "a scenario with a known defect is shown " + ", ".join(f"{r.name!r} as {r.status}" for r in tagged
                                                               if r.status not in ("broken", "failed")))
    assert all(r in known or r.no_longer_reproduces for r in tagged), "a registered scenario is shown without its mark"

    page.goto(report_url)
    title = page.locator("[data-id=summary] .widget__title").first
    title.wait_for()
    assert title.inner_text().startswith(expected.title()), (
        f"the overview's title reads {title.inner_text()!r}, not the verdict {expected.title()!r}")
    rows = page.locator("[data-id=categories] a.table__row")
    rows.first.wait_for()
    by_name = {row.locator(".table__col").first.inner_text().strip(): _bar_counts(row) for row in rows.all()
               if row.locator(".bar").count()}
    if known:
        assert by_name.get(KNOWN_DEFECTS_CATEGORY) == {"broken": len(known)}, (
            f"the Categories widget should show {KNOWN_DEFECTS_CATEGORY!r} with {len(known)} broken; it shows {by_name}")
    new_in_widget = sum(n for name, bar in by_name.items() if name != KNOWN_DEFECTS_CATEGORY for n in bar.values())
    assert new_in_widget == expected.new_failures, (
        f"the Categories widget counts {new_in_widget} failure(s) besides the known defects, the report's data "
        f"{expected.new_failures}: {by_name}")

    page.goto(report_url + "#categories")
    page.locator(".node__title").first.wait_for()
    _expand_all(page)
    shown = _leaves_under(page, KNOWN_DEFECTS_CATEGORY)
    assert shown == {r.name.strip(): "broken" for r in known}, (
        f"the Categories page should list the {len(known)} known defects as broken under "
        f"{KNOWN_DEFECTS_CATEGORY!r}; it lists {shown}")
    page.locator(".node__title", has_text=KNOWN_DEFECTS_CATEGORY).first.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=str(CATEGORIES_SCREENSHOT))  # the tree scrolls inside the page: its top is what counts
    assert page.outside == [], f"the report asked hosts other than {LOCAL_HOST}: {page.outside}"


def test_a_known_defect_opens_with_its_litserve_issue(browser_page, report_url):
    linked = [r for r in _results() if r.known_defect and any(n.startswith("LitServe issue #") for n in r.links)]
    if not linked:
        pytest.skip("no known LitServe defect with an issue link in this report")
    chosen = sorted(linked, key=lambda r: r.name)[0]
    page = browser_page
    page.goto(report_url + "#categories")
    page.locator(".node__title").first.wait_for()
    _expand_all(page)
    page.locator("a.node__leaf", has=page.locator(".node__name", has_text=chosen.name.strip())).first.click()
    pane = page.locator(".test-result")
    pane.get_by_text(KNOWN_DEFECT_PREFIX.strip()).first.wait_for()
    issue = next(n for n in chosen.links if n.startswith("LitServe issue #"))
    assert pane.get_by_text(issue).count() >= 1, f"{chosen.name!r} does not show its link {issue!r}"


def test_the_guard_sees_a_request_to_an_outside_host(browser, report_url, tmp_path):
    """The check above could fail: a copy of the report with an analytics script is caught."""
    copy = tmp_path / "report"
    shutil.copytree(REPORT_DIR, copy)
    index = copy / "index.html"
    tracker = "https://www.googletagmanager.com/gtag/js?id=G-TEST"
    index.write_text(index.read_text(encoding="utf-8").replace(
        "</head>", f'<script async src="{tracker}"></script></head>'), encoding="utf-8")
    with _served(copy) as url, _guarded_page(browser) as page:
        page.goto(url)
        page.get_by_text("Environment").first.wait_for()
        assert tracker in page.outside, f"the guard missed the analytics request; it saw {page.outside}"
