"""Servers described by traits: "a model server that squares numbers in batches of up to 8 within 100 ms,
taking 20 ms per batch" -> the app ``square`` with ``max_batch_size=8, batch_timeout=0.1, predict_seconds=0.02``.

A Given names the app by one of its phrases (``servers/catalog.py``) and adds traits, each one
:class:`Trait` of :data:`TRAITS`, separated by a comma and/or "and", "but", "that". Two sentences that
mean the same settings give the same settings, so the pool shares one server between them. The
parse types of ``steps/parameter_types.py`` (``{server:Server}``, ``{traits:Traits}``) call
:func:`parse_server` and :func:`parse_traits`; an unknown trait is not an error while behave matches
the sentence, but when the step runs: :meth:`ServerWanted.settings_or_raise` says which words it could
not read and lists the known traits.

How to add a trait: one :class:`Trait` in :data:`TRAITS`: its wording as a regular expression (named
groups for the values, no other groups), an example for the error message, and the settings it means.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from servers import catalog

#: Between the phrase and a trait, and between traits: ", ", " ", ", and ", " but ", " that " ...
SEPARATOR = r",? (?:(?:and|but|that) )?"
#: The phrase of a twin: the app of the scenario's last server, with its settings and the traits added.
SAME_MODEL = "the same model"

_VALUE = r'[^\s,"]+'
_STAGE = r"(?:decode|predict|encode)"
_FAILING = rf"in {_STAGE} for (?:any batch with )?{_VALUE}"


def _seconds(ms: str) -> float:
    return int(ms) / 1000


def _value(text: str) -> str:
    """A failure rule's value: ``13``, ``client-2``, ``the prompt "story"``, ``"broken"``,
    ``any batch with client-2``."""
    text = text.removeprefix("any batch with ").removeprefix("the prompt ")
    return text[1:-1] if text.startswith('"') else text


def _failures(match: re.Match) -> dict:
    rules = [f"{stage}:{_value(value)}" for stage, value in
             re.findall(rf"in ({_STAGE}) for ((?:any batch with )?{_VALUE})", match.group(0))]
    return {"failure_rules": ",".join(rules)}


def _refusals(match: re.Match) -> dict:
    pairs = re.findall(rf'((?:the prompt "[^"]*"|{_VALUE})) with status (\d{{3}})', match.group(0))
    return {"failure_rules": ",".join(f"decode:{_value(value)}:{status}" for value, status in pairs)}


def _chunks(match: re.Match) -> dict:
    settings: dict[str, Any] = {}
    if match.group("chunks"):
        settings["chunks"] = int(match.group("chunks"))
    if match.group("pause"):
        settings["chunk_pause"] = _seconds(match.group("pause"))
    return settings


def _payload(match: re.Match) -> dict:
    size = int(match.group("size"))
    return {"max_payload_size": size * 2 ** 20 if match.group("unit") == "MB" else size}


def _workers(match: re.Match) -> dict:
    settings = {"workers": int(match.group("workers"))}
    if match.group("api_servers"):
        settings["api_servers"] = int(match.group("api_servers"))
    return settings


@dataclass(frozen=True)
class Trait:
    """One trait a Given may give a server: its wording, an example, and the settings it means."""

    example: str
    pattern: str
    settings: Callable[[re.Match], dict]
    #: Not a setting: the scenario watches the server come up (a server of its own, launched unready).
    watched: bool = False


#: Every trait, as the error for an unknown one lists them.
TRAITS: tuple[Trait, ...] = (
    Trait("in batches of up to 8 within 100 ms",
          r"(?:in batches of|embeds batches of|batches|batching) up to (?P<size>\d+)(?: requests| streams| texts)? "
          r"within (?P<window>\d+) ms",
          lambda m: {"max_batch_size": int(m["size"]), "batch_timeout": _seconds(m["window"])}),
    Trait("taking 50 ms per call (per request, per batch, per step; awaiting 50 ms per request)",
          r"(?:taking|awaiting) (?P<ms>\d+) ms per (?:call|request|batch|step)",
          lambda m: {"predict_seconds": _seconds(m["ms"])}),
    Trait("produces 6 chunks, 50 ms apart (produces chunks 50 ms apart, produces 6 chunks)",
          r"(?:produces|producing) (?:(?P<chunks>\d+) chunks|chunks)(?:,? (?P<pause>\d+) ms apart)?", _chunks),
    Trait("answers in 6 pieces 50 ms apart",
          r"answers in (?P<chunks>\d+) pieces(?: (?P<pause>\d+) ms apart)?", _chunks),
    Trait("generating for up to 4 sequences at a time",
          r"generating for up to (?P<size>\d+) sequences at a time", lambda m: {"max_batch_size": int(m["size"])}),
    Trait("with 2 inference workers (and 3 API servers)",
          r"with (?P<workers>\d+) inference workers?\b(?! for)(?: and (?P<api_servers>\d+) API servers?)?", _workers),
    Trait("with a request timeout of 500 ms",
          r"with a request timeout of (?P<ms>\d+) ms", lambda m: {"timeout": _seconds(m["ms"])}),
    Trait("fails in decode for 13, in predict for 14 and in encode for 15 (for any batch with client-2)",
          rf"fails {_FAILING}(?:(?:, | and ){_FAILING})*",
          _failures),
    Trait('refuses 21 with status 400 and 22 with status 422 (client-2, the prompt "forbidden")',
          rf'refuses (?:the prompt "[^"]*"|{_VALUE}) with status \d{{3}}'
          rf'(?:(?:, | and )(?:the prompt "[^"]*"|{_VALUE}) with status \d{{3}})*', _refusals),
    Trait('fails after 3 chunks for the prompt "story" (for any batch with client-2; 3 pieces on "broken")',
          rf'fails after (?P<after>\d+) (?:chunks|pieces) (?:for|on) (?P<value>the prompt "[^"]*"|"[^"]*"|'
          rf'any batch with {_VALUE})',
          lambda m: {"failure_rules": f"predict:{_value(m['value'])}", "fail_after_chunks": int(m["after"])}),
    Trait('thinks for 10 steps before answering the prompt "ponder" (the toy LLM: those steps make no token)',
          r'thinks for (?P<steps>\d+) steps before answering the prompt "(?P<prompt>[^"]+)"',
          lambda m: {"thinking_steps": f"{m['prompt']}:{m['steps']}"}),
    Trait("returns one answer too few for any batch with client-2",
          rf"returns one answer too few for any batch with (?P<client>{_VALUE})",
          lambda m: {"wrong_batch_length": m["client"]}),
    Trait("declares no request type", r"declares no request type", lambda m: {"untyped_request": True}),
    Trait("accepts bodies of at most 100000 bytes (or 1 MB)",
          r"accepts bodies of at most (?P<size>\d+) (?P<unit>bytes|MB)", _payload),
    Trait('requires the API key "k"', r'requires the API key "(?P<key>[^"]*)"', lambda m: {"api_key": m["key"]}),
    Trait('requires its own API key "k" (one endpoint of several)', r'requires its own API key "(?P<key>[^"]*)"',
          lambda m: {"endpoint_key": m["key"]}),
    Trait("restarts workers that die", r"restarts workers that die", lambda m: {"restart_workers": True}),
    Trait("takes 2 seconds to load (whose model takes ...)",
          r"(?:whose model )?takes (?P<s>\d+(?:\.\d+)?) seconds? to load",
          lambda m: {"setup_seconds": float(m["s"])}),
    Trait("reports itself unhealthy", r"reports itself unhealthy", lambda m: {"healthy": False}),
    Trait("counts the requests it serves in Prometheus metrics", r"counts the requests it serves in Prometheus metrics",
          lambda m: {"metrics": True}),
    # LitServer options (servers/options_apps.py)
    Trait("with the fast queue", r"with the fast queue", lambda m: {"fast_queue": True}),
    Trait("with callbacks recording each hook", r"with callbacks recording each hook", lambda m: {"callbacks": True}),
    Trait("with 2 middlewares of its own", r"with (?P<n>\d+) middlewares? of its own",
          lambda m: {"middlewares": int(m["n"])}),
    Trait("tracking the requests in flight", r"tracking the requests in flight", lambda m: {"track_requests": True}),
    Trait('with its health check at "/healthz"', r'with its health check at "(?P<path>/[^"]*)"',
          lambda m: {"healthcheck_path": m["path"]}),
    Trait('with its info at "/about"', r'with its info at "(?P<path>/[^"]*)"', lambda m: {"info_path": m["path"]}),
    Trait('describing its model as name "squarer" and version "2.1"',
          r'describing its model as name "(?P<name>[^"]*)" and version "(?P<version>[^"]*)"',
          lambda m: {"model_metadata": f"name={m['name']},version={m['version']}"}),
    Trait("without an OpenAPI schema", r"without an OpenAPI schema", lambda m: {"disable_openapi": True}),
    Trait("with no request timeout", r"with no request timeout", lambda m: {"timeout": 0.0}),
    Trait('with a shutdown API behind the key "k"', r'with a shutdown API behind the key "(?P<key>[^"]+)"',
          lambda m: {"shutdown_key": m["key"]}),
    Trait('with 2 inference workers for "/predict" and 1 for "/second", given as a list (or a dict)',
          r'with (?P<first>\d+) inference workers? for "/predict" and (?P<second>\d+) for "/second", '
          r"given as a (?P<form>list|dict)",
          lambda m: {"workers_per_api": f"{m['form']}:{m['first']},{m['second']}"}),
    Trait("with 1 API server", r"with (?P<n>\d+) API servers?", lambda m: {"api_servers": int(m["n"])}),
    Trait("whose health check raises an error", r"whose health check raises an error",
          lambda m: {"health_mode": "raises"}),
    Trait("whose health check takes 1500 ms", r"whose health check takes (?P<ms>\d+) ms",
          lambda m: {"health_mode": f"slow:{m['ms']}"}),
    Trait("watched from its start (the scenario watches it come up)", r"watched from its start", lambda m: {},
          watched=True),
)

_COMPILED = [(trait, re.compile(f"{SEPARATOR}(?:{trait.pattern})")) for trait in TRAITS]


@dataclass(frozen=True)
class ServerWanted:
    """What a Given asks for: an app (``None``: :data:`SAME_MODEL`), settings, and whether it is watched from
    its start; ``problem`` says what could not be read."""

    app: str | None
    settings: dict = field(default_factory=dict)
    watched: bool = False
    text: str = ""
    problem: str = ""

    def settings_or_raise(self) -> dict:
        """The settings the sentence means; a sentence that could not be read raises, saying why."""
        if self.problem:
            raise ValueError(self.problem)
        return dict(self.settings)


def known_traits() -> str:
    return "\n".join(f"  {trait.example}" for trait in TRAITS)


def parse_traits(text: str, app: str | None = None, sentence: str = "") -> ServerWanted:
    """The traits in ``text`` (each after a :data:`SEPARATOR`) for ``app``; ``sentence``: the whole Given."""
    sentence = sentence or text
    settings: dict[str, Any] = {}
    watched = False
    position = 0
    while position < len(text):
        for trait, pattern in _COMPILED:
            match = pattern.match(text, position)
            if match:
                break
        else:
            problem = (f"cannot read {text[position:]!r} as traits of a server (in {sentence!r}); "
                       f"the known traits are:\n{known_traits()}")
            return ServerWanted(app, settings, watched, text, problem)
        for name, value in trait.settings(match).items():
            if name == "failure_rules" and settings.get(name):
                value = f"{settings[name]},{value}"
            elif name in settings:
                return ServerWanted(app, settings, watched, text, f"two traits set {name} in {sentence!r}")
            settings[name] = value
        watched = watched or trait.watched
        position = match.end()
    return ServerWanted(app, settings, watched, text)


def _phrases() -> dict[str, tuple[str | None, dict]]:
    """Phrase -> (app, settings the phrase implies), longest first (a phrase may begin another one)."""
    known = {phrase: (name, dict(implied)) for phrase, (name, implied) in catalog.phrases().items()}
    known[SAME_MODEL] = (None, {})
    return dict(sorted(known.items(), key=lambda item: -len(item[0])))


#: Matches a sentence that begins with a phrase (what ``{server:Server}`` matches; the traits are read after).
SERVER_PATTERN = "(?:" + "|".join(re.escape(p) for p in _phrases()) + ")(?:,? .*)?"


def parse_server(text: str) -> ServerWanted:
    """``<phrase><traits>`` -> the app, the settings of its phrase and traits."""
    for phrase, (app, implied) in _phrases().items():
        if text == phrase or text.startswith(phrase) and re.match(SEPARATOR, text[len(phrase):]):
            wanted = parse_traits(text[len(phrase):], app, sentence=text)
            clash = sorted(set(implied) & set(wanted.settings))
            problem = wanted.problem or (f"{text!r} sets {clash} twice" if clash else "")
            return ServerWanted(app, {**implied, **wanted.settings}, wanted.watched, text, problem)
    return ServerWanted(None, {}, False, text, f"{text!r} names no app; the apps are named by:\n"
                                             + "\n".join(f"  {p}" for p in _phrases()))
