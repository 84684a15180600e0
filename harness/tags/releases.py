"""Which LitServe release is under test, and which scenarios can be set up on it.

A scenario (or feature) tagged ``@litserve.since:0.2.17.restart_workers`` needs something that exists
from that release on: here the ``restart_workers`` option. ``@litserve.until:0.2.11.info_whole_server``
one that ends with that release. The name after the version is a *capability*, declared once in
:data:`CAPABILITIES` with the release range and a short reason, so a skipped scenario says why:

    needs LitServe >= 0.2.17: restart_workers (LitServer(restart_workers=True), PR #624)

Release tags are only for scenarios that **cannot be set up** on other releases (the option, endpoint,
spec or hook does not exist, or its shape changed). A behaviour that is *wrong* on some releases runs
there and is a registered known defect (``known_defects.toml``). A tag without a capability name
(``@litserve.since:0.2.17``) still works, with a reason that only gives the release.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import metadata
from typing import Iterable

SINCE = "litserve.since:"
UNTIL = "litserve.until:"
_VALUE = re.compile(r"(\d+(?:\.\d+)*?)(?:\.([a-z][a-z0-9_]*))?")


@dataclass(frozen=True)
class Capability:
    """Something a scenario needs that exists only on some releases: ``since``..``until`` (inclusive)."""

    name: str
    what: str                 # a few words: the option, endpoint, spec or hook, and its LitServe PR
    since: str = "0.2.0"
    until: str | None = None


CAPABILITIES: dict[str, Capability] = {c.name: c for c in [
    Capability("litserve_logger", "litserve.Logger and LitAPI.log (metrics)", since="0.2.3"),
    Capability("openai_embedding_spec", "OpenAIEmbeddingSpec, /v1/embeddings", since="0.2.5"),
    Capability("info_endpoint", "the /info endpoint", since="0.2.6"),
    Capability("info_whole_server", "/info in its first form, one description for the whole server",
               since="0.2.6", until="0.2.11"),
    Capability("callbacks", "LitServer(callbacks=[...]) with every hook around a request, on_request and "
               "on_response included (0.2.3 had callbacks without those two)", since="0.2.4"),
    Capability("middlewares", "LitServer(middlewares=[...]): the user's ASGI middlewares", since="0.2.3"),
    Capability("track_requests", "LitServer(track_requests=True): the count of requests in flight", since="0.2.4"),
    Capability("callbacks_on_specs", "Callback hooks around requests to the OpenAI-compatible endpoint", since="0.2.5"),
    Capability("max_completion_tokens", "max_completion_tokens in OpenAISpec's request model", since="0.2.6"),
    Capability("embedding_token_ids", "token ids as OpenAIEmbeddingSpec's input", since="0.2.6"),
    Capability("chat_metadata", "metadata in OpenAISpec's request model", since="0.2.9"),
    Capability("embedding_request_user", "user in OpenAIEmbeddingSpec's request model (the model tells requests "
               "apart by it; 0.2.5 drops it)", since="0.2.6"),
    Capability("fast_queue", "LitServer(fast_queue=True): the ZeroMQ transport", since="0.2.6"),
    Capability("custom_paths", "LitServer(healthcheck_path=..., info_path=...)", since="0.2.6"),
    Capability("model_metadata", "LitServer(model_metadata=...) shown in /info", since="0.2.6"),
    Capability("continuous_batching", "LitAPI(loop=ContinuousBatchingLoop()): continuous batching", since="0.2.6"),
    Capability("health_hook", "LitAPI.health(), asked by /health (PR #430)", since="0.2.7"),
    Capability("enable_async", "LitAPI(enable_async=True): async models", since="0.2.9"),
    Capability("several_litapis", "several LitAPIs on one server, each at its api_path", since="0.2.11"),
    Capability("json_error_body", "a model error answered with JSON {\"detail\": ...} (PR #517; before, plain text)",
               since="0.2.11"),
    Capability("embeddings_single_input_when_batching", "OpenAIEmbeddingSpec refuses a list of inputs when the "
               "API batches (PR #500; before, the list was served as one request)", since="0.2.11"),
    Capability("lit_loop_v2", "a LitLoop subclass with run(lit_api, ...) and put_response as LitServe documents them "
               "(their shape changed in 0.2.11)", since="0.2.11"),
    Capability("shutdown_api", "LitServer(enable_shutdown_api=True): POST /shutdown with the key", since="0.2.12"),
    Capability("info_per_endpoint", "/info describes each endpoint (the form of several LitAPIs)", since="0.2.12"),
    Capability("reasoning_effort", "reasoning_effort in OpenAISpec's request model", since="0.2.13"),
    Capability("async_stream_encode", "an async streaming model's encode_response gets predict's async "
               "generator (up to 0.2.12, one call per chunk with a plain list)", since="0.2.13"),
    Capability("disable_openapi_url", "LitServer(disable_openapi_url=True)", since="0.2.14"),
    Capability("restart_workers", "LitServer(restart_workers=True) (PR #624)", since="0.2.17"),
    Capability("workers_per_device_per_api", "workers_per_device given per LitAPI as a list or a dict", since="0.2.18"),
]}


def parse(version: str) -> tuple[int, ...]:
    """``"0.2.19"`` -> ``(0, 2, 19)``; pre-release or local suffixes are ignored (``0.2.20.dev1`` -> ``(0, 2, 20)``)."""
    parts = []
    for piece in version.split("+")[0].split("."):
        digits = re.match(r"\d*", piece).group()
        if not digits:
            break
        parts.append(int(digits))
        if digits != piece:
            break
    if not parts:
        raise ValueError(f"not a release number: {version!r}")
    return tuple(parts)


def installed_litserve() -> str:
    """The version of the installed ``litserve`` distribution."""
    try:
        return metadata.version("litserve")
    except metadata.PackageNotFoundError:
        raise RuntimeError("litserve is not installed in this environment: run `bash scripts/setup.sh`") from None


def release_tag(tag: str) -> tuple[str, str, Capability | None] | None:
    """``litserve.since:0.2.17.restart_workers`` -> ``("since", "0.2.17", <restart_workers>)``; None for
    another tag. An unknown capability name is a :class:`LookupError` saying where to declare it."""
    for kind, prefix in (("since", SINCE), ("until", UNTIL)):
        if tag.startswith(prefix):
            value = tag[len(prefix):]
            match = _VALUE.fullmatch(value)
            if not match:
                raise ValueError(f"@{tag}: expected @{prefix}0.2.N.<capability> (e.g. @{SINCE}0.2.17.restart_workers)")
            version, name = match.groups()
            if name and name not in CAPABILITIES:
                raise LookupError(f"@{tag}: unknown capability {name!r}; declare it in harness/tags/releases.py "
                                  f"CAPABILITIES (known: {', '.join(sorted(CAPABILITIES))})")
            return kind, version, CAPABILITIES.get(name) if name else None
    return None


def not_applicable_reason(tags: Iterable[str], version: str) -> str:
    """Why a scenario with ``tags`` cannot be set up on LitServe ``version``; empty if it can.

    ``needs LitServe >= 0.2.17: restart_workers (LitServer(restart_workers=True), PR #624)``."""
    current = parse(version)[:3]
    for tag in tags:
        found = release_tag(tag)
        if found is None:
            continue
        kind, bound, capability = found
        what = f": {capability.name} ({capability.what})" if capability else ""
        if kind == "since" and current < parse(bound):
            return f"needs LitServe >= {bound}{what}"
        if kind == "until" and current > parse(bound):
            return f"applies up to LitServe {bound}{what}"
    return ""
