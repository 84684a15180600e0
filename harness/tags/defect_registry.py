"""The one registry of known LitServe defects: ``known_defects.toml`` at the repository root.

Each ``[[defect]]`` entry says which scenario (by its ``@id.`` tag, without ``id.``) fails on which
releases, and how: the failing step's text (``step``, a regex searched in the step's text without
its keyword) and the failure message (``message``, a regex searched in the assertion's message, which
often spans lines: ``.`` matches a line break too).
The format, with every field::

    [[defect]]
    id = "cb-late-request-waits"                  # unique, lowercase-dashes
    scenario = "continuous-batching.late-request-joins-next-step"
    releases = "0.2.5..0.2.19"                    # first..last inclusive; "0.2.5.." = not fixed yet
    step = "the late request's first token comes in a step"
    message = "first token .* after the running sequences finished"
    links = ["https://github.com/Lightning-AI/LitServe/issues/395"]   # [] if none exists yet
    summary = "One sentence for readers: what users need and what LitServe does instead."
    hangs = true          # optional: the defect IS a hang (a timeout is otherwise a new failure)
    intermittent = true   # optional: the defect does not show on every run; a pass in range is
                          # reported as "no longer reproduces" but does not fail the run

:func:`load` reads and checks it; a malformed entry is a :class:`RegistryError` that names the
entry and the field. How a failure is judged against the entries: :mod:`harness.tags.verdicts`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from harness.paths import REPO_ROOT
from harness.tags.releases import parse

REGISTRY = REPO_ROOT / "known_defects.toml"
REQUIRED = ("id", "scenario", "releases", "step", "message", "links", "summary")
OPTIONAL = ("hangs", "intermittent")
_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_SCENARIO = re.compile(r"[a-z0-9-]+\.[a-z0-9-]+(\.[a-z0-9-]+)*")
_RELEASES = re.compile(r"(\d+\.\d+\.\d+)\.\.(\d+\.\d+\.\d+)?")


class RegistryError(ValueError):
    """``known_defects.toml`` is malformed; the message names the entry and the field."""


@dataclass(frozen=True)
class KnownDefect:
    """One known LitServe defect: a scenario that fails, as described, on releases ``first``..``last``."""

    id: str
    scenario: str                 # the scenario's @id. tag without "id."
    first: str                    # first release with the defect
    last: str | None              # last release with it; None: not fixed yet
    step: str                     # regex searched in the failing step's text
    message: str                  # regex searched in the failure message
    links: tuple[str, ...]
    summary: str
    hangs: bool = False           # the defect is a hang: a timeout counts as this defect
    intermittent: bool = False    # may pass on a release in range without being fixed

    @property
    def releases(self) -> str:
        """``"0.2.5..0.2.19"`` or ``"0.2.5.."``, as written in the registry."""
        return f"{self.first}..{self.last or ''}"

    def affects(self, version: str) -> bool:
        """True if LitServe ``version`` is in this defect's range."""
        current = parse(version)[:3]
        return parse(self.first) <= current and (self.last is None or current <= parse(self.last))

    def matches(self, step_text: str, message: str) -> bool:
        """True if a failure in step ``step_text`` with ``message`` is the failure this defect produces."""
        return bool(re.search(self.step, step_text)) and bool(re.search(self.message, message, re.DOTALL))

    @property
    def label(self) -> str:
        """``cb-late-request-waits (0.2.5..0.2.19)``."""
        return f"{self.id} ({self.releases})"


def _field(entry: dict, number: int, name: str, kind: type) -> object:
    where = f"{REGISTRY.name}: defect #{number} ({entry.get('id', 'no id')!r}), field {name!r}"
    if name not in entry:
        raise RegistryError(f"{where} is missing (every entry needs {', '.join(REQUIRED)})")
    value = entry[name]
    if not isinstance(value, kind) or (kind is str and not value.strip()):
        raise RegistryError(f"{where}: expected a non-empty {kind.__name__}, got {value!r}")
    return value


def parse_entry(entry: dict, number: int) -> KnownDefect:
    """One ``[[defect]]`` table -> :class:`KnownDefect` (``number`` counts from 1, for messages)."""
    def where(name: str) -> str:
        return f"{REGISTRY.name}: defect #{number} ({entry.get('id', 'no id')!r}), field {name!r}"

    unknown = sorted(set(entry) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise RegistryError(f"{where(unknown[0])} is not a known field (fields: {', '.join(REQUIRED + OPTIONAL)})")
    values = {name: _field(entry, number, name, list if name == "links" else str) for name in REQUIRED}
    if not _ID.fullmatch(values["id"]):
        raise RegistryError(f"{where('id')}: {values['id']!r} is not lowercase words joined by dashes")
    if not _SCENARIO.fullmatch(values["scenario"]):
        raise RegistryError(f"{where('scenario')}: {values['scenario']!r} is not a scenario id such as "
                            "'feature-slug.scenario-slug' (the @id. tag without 'id.')")
    releases = _RELEASES.fullmatch(values["releases"])
    if not releases:
        raise RegistryError(f"{where('releases')}: {values['releases']!r} is not 'FIRST..LAST' or 'FIRST..' "
                            "(e.g. '0.2.5..0.2.18', or '0.2.5..' when it is not fixed yet)")
    first, last = releases.group(1), releases.group(2)
    if last and parse(last) < parse(first):
        raise RegistryError(f"{where('releases')}: {values['releases']!r} ends before it begins")
    for name in ("step", "message"):
        try:
            re.compile(values[name])
        except re.error as error:
            raise RegistryError(f"{where(name)}: {values[name]!r} is not a regular expression ({error})") from None
    links = values["links"]
    if not all(isinstance(link, str) and link.startswith("https://") for link in links):
        raise RegistryError(f"{where('links')}: expected a list of https:// addresses, got {links!r}")
    flags = {}
    for name in OPTIONAL:
        flags[name] = entry.get(name, False)
        if not isinstance(flags[name], bool):
            raise RegistryError(f"{where(name)}: expected true or false, got {flags[name]!r}")
    return KnownDefect(values["id"], values["scenario"], first, last, values["step"], values["message"],
                       tuple(links), values["summary"].strip(), **flags)


def parse_registry(text: str) -> tuple[KnownDefect, ...]:
    """Every entry of a registry's TOML ``text``; refuses a malformed one and a repeated id."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RegistryError(f"{REGISTRY.name} is not valid TOML: {error}") from None
    extra = sorted(set(document) - {"defect"})
    if extra:
        raise RegistryError(f"{REGISTRY.name}: unknown top-level key {extra[0]!r}; entries are [[defect]] tables")
    entries = document.get("defect", [])
    if not isinstance(entries, list):
        raise RegistryError(f"{REGISTRY.name}: 'defect' must be a list of tables, written [[defect]]")
    defects = tuple(parse_entry(entry, number) for number, entry in enumerate(entries, 1))
    seen: set[str] = set()
    for number, defect in enumerate(defects, 1):
        if defect.id in seen:
            raise RegistryError(f"{REGISTRY.name}: defect #{number}, field 'id': {defect.id!r} is used twice")
        seen.add(defect.id)
    return defects


def load(path: Path | None = None) -> tuple[KnownDefect, ...]:
    """The entries of ``known_defects.toml`` (or ``path``)."""
    path = path or REGISTRY
    if path == REGISTRY:
        return _load_default()
    return parse_registry(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _load_default() -> tuple[KnownDefect, ...]:
    if not REGISTRY.is_file():
        raise RegistryError(f"{REGISTRY} is missing: it is the registry of known LitServe defects (README, Verdicts)")
    return parse_registry(REGISTRY.read_text(encoding="utf-8"))


def for_scenario(scenario_ids: set[str] | frozenset[str], version: str | None = None,
                 defects: tuple[KnownDefect, ...] | None = None) -> list[KnownDefect]:
    """The defects of a scenario with ids ``scenario_ids`` (its @id. tags, without "id."); with ``version``,
    only those affecting that release."""
    defects = load() if defects is None else defects
    return [d for d in defects if d.scenario in scenario_ids and (version is None or d.affects(version))]
