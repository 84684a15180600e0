"""The catalog of apps: every server the suite can start, named in one table (:data:`CATALOG`).

An app is a LitServe model (or, for ``reference``, a bare FastAPI app) that ``python -m servers
<app>`` serves (``servers/__main__.py``). Its entry says where its factory is (imported only when the
app is started: a LitServe spec may be missing from old releases), the phrases a Given names it by,
the settings it reads and its own defaults. :func:`app_named` and :func:`settings_for` refuse an
unknown app, and a setting the app does not use (``endpoint_key`` on ``square``), with a message
that lists what there is.

How to add an app
-----------------
Write its model, a subclass of :class:`servers.base.InstrumentedAPI`, and a factory
``build(settings) -> LitAPI | list[LitAPI]`` in the module it belongs to, then add ONE entry here::

    "square": App(
        factory="servers.apps:build_square",                # module:function, imported when started
        phrases={"a model server that squares numbers": {}},  # how a Given names it -> settings it implies
        uses=SERVER | MODEL | BATCHING | FAILURES | {"predict_seconds"},  # any other setting is refused
        defaults={"chunk_pause": 0.01},                     # optional: its own defaults (unless a scenario sets them)
        extras={"metrics"},                                 # optional: settings that only add to a server
    ),

That is all: the Givens (``steps/starting_servers.py``) find it by its phrase, with the traits of
``harness/serving/traits.py`` ("in batches of up to 8 within 100 ms", "with 2 inference workers", ...),
and the launcher, the pool and the server process by its name. Only a setting that does not exist
yet needs more: a field in :class:`servers.settings.AppSettings` and a trait that sets it.

``extras`` are settings that add to a server without changing anything else it does (``metrics``
mounts ``/metrics``): the pool lets a server with them serve a scenario that does not ask for them.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field, fields, replace
from typing import Any, Callable, Mapping

from servers.settings import AppSettings

#: LitServer and ``run`` options: every LitServe app takes them (``servers/__main__.py`` passes them).
SERVER = frozenset({"timeout", "workers", "api_servers", "api_key", "max_payload_size", "restart_workers"})
#: What :class:`servers.base.InstrumentedAPI` reads for every model: a slow load and the health switch.
MODEL = frozenset({"setup_seconds", "healthy"})
BATCHING = frozenset({"max_batch_size", "batch_timeout"})
FAILURES = frozenset({"failure_rules"})
STREAM = frozenset({"chunks", "chunk_pause", "fail_after_chunks"})
#: The LitServer options of ``servers/options_apps.py:server_options``.
OPTIONS = frozenset({"fast_queue", "callbacks", "middlewares", "track_requests", "healthcheck_path", "info_path",
                     "model_metadata", "disable_openapi", "shutdown_key", "workers_per_api", "health_mode"})


@dataclass(frozen=True)
class App:
    """One app of the catalog (see the module docstring)."""

    factory: str
    phrases: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    uses: frozenset[str] = frozenset()
    defaults: Mapping[str, Any] = field(default_factory=dict)
    extras: frozenset[str] = frozenset()
    #: False: a bare FastAPI app, served without LitServe and without faults (the ``reference``).
    litserve: bool = True
    name: str = ""

    def build(self, settings: AppSettings) -> Any:
        """What the factory makes of ``settings``: the LitAPI(s), or the FastAPI app of a non-LitServe app."""
        module, function = self.factory.split(":")
        factory: Callable[[AppSettings], Any] = getattr(importlib.import_module(module), function)
        return factory(settings)

    def settings(self, values: Mapping[str, Any]) -> AppSettings:
        """The app's settings from a scenario's ``values``, over its own defaults; refuses a setting it does not use."""
        unused = sorted(k for k, v in values.items() if k not in self.uses and v != _DEFAULTS.get(k, object()))
        if unused:
            raise ValueError(self._unused_message(unused))
        return self.check(AppSettings.from_dict({**self.defaults, **values}))

    def check(self, settings: AppSettings) -> AppSettings:
        """``settings``, if every setting that differs from the defaults is one this app uses."""
        unused = sorted(set(settings.changed()) - self.uses)
        if unused:
            raise ValueError(self._unused_message(unused))
        return settings

    def without_extras(self, settings: AppSettings) -> AppSettings:
        """``settings`` with the :attr:`extras` at their defaults (what a server without them would have)."""
        return replace(settings, **{name: _DEFAULTS[name] for name in self.extras})

    def _unused_message(self, unused: list[str]) -> str:
        uses = sorted(self.uses) or "none"
        return f"the app {self.name!r} does not use the setting(s) {unused}; the settings it uses are {uses}"


_DEFAULTS = {f.name: f.default for f in fields(AppSettings)}

_TRACED_SQUARE = SERVER | MODEL | BATCHING | FAILURES | {"predict_seconds", "enable_async", "metrics"}
_TRACED_TOKENS = SERVER | MODEL | BATCHING | FAILURES | STREAM | {"enable_async", "endpoint_key"}

#: App name -> App: every app the suite starts.
CATALOG: dict[str, App] = {
    # servers/apps.py: the square and streaming models, and an echo for large payloads
    "square": App(
        factory="servers.apps:build_square",
        phrases={"a model server that squares numbers": {}},
        uses=SERVER | MODEL | BATCHING | FAILURES | {"predict_seconds", "wrong_batch_length", "untyped_request"},
    ),
    "tokens": App(
        factory="servers.apps:build_tokens",
        phrases={"a streaming model server": {}},
        uses=SERVER | MODEL | BATCHING | FAILURES | STREAM | {"untyped_request"},
        defaults={"chunk_pause": 0.01},
    ),
    "echo": App(
        factory="servers.apps:build_echo",
        phrases={"a model server that echoes what it is sent": {}},
        uses=SERVER | MODEL | {"predict_seconds"},
    ),
    # servers/deployment_apps.py: which worker served a request, async models, several endpoints, metrics
    "traced_square": App(
        factory="servers.deployment_apps:traced_square",
        phrases={"a model server that squares numbers and says which worker served each request": {},
                 "an async model server that squares numbers": {"enable_async": True}},
        uses=_TRACED_SQUARE,
        extras=frozenset({"metrics"}),
    ),
    "traced_tokens": App(
        factory="servers.deployment_apps:traced_tokens",
        phrases={"an async streaming model server": {"enable_async": True}},
        uses=_TRACED_TOKENS,
    ),
    "two_endpoints": App(
        factory="servers.deployment_apps:two_endpoints",
        phrases={'a server with a square endpoint at "/square" and a streaming endpoint at "/tokens"': {}},
        uses=_TRACED_SQUARE | _TRACED_TOKENS,
        defaults={"chunk_pause": 0.02},
        extras=frozenset({"metrics"}),
    ),
    "clashing_endpoints": App(factory="servers.deployment_apps:clashing_endpoints", uses=_TRACED_SQUARE),
    # servers/openai_apps.py: behind LitServe's OpenAI-compatible specs
    "chat": App(
        factory="servers.openai_apps:build_chat",
        phrases={"a chat model server": {}},
        uses=SERVER | MODEL | FAILURES | STREAM,
    ),
    # servers/openai_letter_apps.py: the chat model that records what it is asked, plain, async or batched
    "recording_chat": App(
        factory="servers.openai_letter_apps:build_recording_chat",
        phrases={"a chat model server that records what it is asked": {},
                 "an async chat model server that records what it is asked": {"enable_async": True}},
        uses=SERVER | MODEL | BATCHING | FAILURES | STREAM | {"enable_async", "callbacks"},
        # the hook-recording callback only watches: the server of server_options.feature's scenario about hooks on
        # the OpenAI endpoint serves openai_spec.feature too
        extras=frozenset({"callbacks"}),
    ),
    "embeddings": App(
        factory="servers.openai_apps:build_embeddings",
        phrases={"an embedding model server": {}},
        uses=SERVER | MODEL | BATCHING | FAILURES | {"predict_seconds"},
    ),
    # servers/llm_apps.py: LitServe's continuous batching loop, and a loop of the user's own
    "cb_llm": App(
        factory="servers.llm_apps:build_toy_llm",
        phrases={"a toy language model served with continuous batching": {},
                 "a toy language model served with continuous batching behind the OpenAI-compatible API":
                     {"openai_spec": True}},
        uses=SERVER | MODEL | FAILURES | {"max_batch_size", "predict_seconds", "chunks", "fail_after_chunks",
                                          "thinking_steps", "openai_spec"},
        defaults={"max_batch_size": 4, "chunks": 4},
    ),
    "custom_loop": App(
        factory="servers.llm_apps:build_custom_loop",
        phrases={"a model server that squares numbers in a loop of its own": {"loop": "sync"},
                 "a model server that squares numbers in an async loop of its own": {"loop": "async"}},
        uses=SERVER | MODEL | FAILURES | {"loop", "predict_seconds"},
    ),
    # servers/options_apps.py: the LitServer options deployments switch on, and models at the edges
    "options": App(
        factory="servers.options_apps:build",
        phrases={"a model server that reports what LitServe did with each request": {},
                 # the deployment features/server_options.feature spells out, trait by trait, in its Background
                 "a model server that reports what LitServe did with each request, deployed with the production "
                 "options": {"fast_queue": True, "callbacks": True, "middlewares": 2, "track_requests": True,
                             "healthcheck_path": "/healthz", "info_path": "/about",
                             "model_metadata": "name=squarer,version=2.1", "disable_openapi": True, "timeout": 0.0,
                             "shutdown_key": "bye-now",
                             "workers_per_api": "dict:1,2", "api_servers": 1}},
        uses=SERVER | MODEL | OPTIONS,
    ),
    # servers/reference.py: the bare FastAPI app the performance gate measures LitServe against
    "reference": App(
        factory="servers.reference:build_app",
        phrases={"a bare FastAPI app that squares numbers, without LitServe": {}},
        litserve=False,
    ),
}
for _name, _app in CATALOG.items():
    object.__setattr__(_app, "name", _name)


def app_named(name: str) -> App:
    """The app called ``name``; an unknown name raises with the list of known apps."""
    try:
        return CATALOG[name]
    except KeyError:
        raise ValueError(f"unknown app {name!r}; known apps are {sorted(CATALOG)}") from None


def settings_for(name: str, values: Mapping[str, Any]) -> AppSettings:
    """The settings of the app ``name`` from a scenario's ``values`` (see :meth:`App.settings`)."""
    return app_named(name).settings(values)


def phrases() -> dict[str, tuple[str, Mapping[str, Any]]]:
    """Every phrase a Given names an app by -> (the app's name, the settings the phrase implies)."""
    return {phrase: (name, implied) for name, app in CATALOG.items() for phrase, implied in app.phrases.items()}
