"""The settings a scenario can give an app, with their defaults and types.

Unknown keys are refused with a message that lists the known ones, so a typo in a
step or a table fails loudly instead of silently starting the wrong server.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class AppSettings:
    """Knobs of the instrumented apps. Times are in seconds."""

    max_batch_size: int = 1
    batch_timeout: float = 0.0
    predict_seconds: float = 0.0
    chunks: int = 5
    chunk_pause: float = 0.0
    #: LitServer(timeout=...); 0 = LitServer(timeout=False), no timeout at all.
    timeout: float = 30.0
    #: LitServer(workers_per_device=...): inference worker processes per device (one device: the CPU).
    workers: int = 1
    #: run(num_api_servers=...): API server processes (0 = LitServe's default, one per inference worker).
    api_servers: int = 0
    #: LitAPI(enable_async=True) with async decode_request, predict and encode_response (traced apps only).
    enable_async: bool = False
    #: The app logs one "served_requests" record per request (self.log) to a Logger that LitServe
    #: mounts at /metrics for Prometheus (traced apps only).
    metrics: bool = False
    #: Several endpoints on one server: the streaming endpoint's own authorize() requires this key
    #: in the X-API-Key header ("" = open).
    endpoint_key: str = ""
    #: The toy LLM (``cb_llm``) thinks before answering a prompt: "<prompt>:<steps>", the first <steps> steps of a
    #: sequence with that prompt make no token for it (a step where only such sequences are active returns no
    #: outputs at all); "" = never.
    thinking_steps: str = ""
    #: The custom loop of the ``custom_loop`` app: "sync" or "async" (its ``run``); "" elsewhere.
    loop: str = ""
    #: The continuous-batching toy LLM (``cb_llm``) behind ``OpenAISpec`` (``/v1/chat/completions``).
    openai_spec: bool = False
    # -- Failure switches (features/failure_modes/*): all off by default.
    #: Where the model fails on purpose: comma-separated rules "<step>:<value>" (raise an ordinary
    #: error) or "<step>:<value>:<status>" (refuse with that HTTP status and the detail "rejected: <value>").
    #: <step> is decode, predict or encode; <value> is a client name, an input or a prompt, or "*" for every
    #: request. Example: "decode:13,predict:14,decode:21:422".
    failure_rules: str = ""
    #: Streams: a failing predict or encode produces this many chunks before it fails (0 = before the first).
    fail_after_chunks: int = 0
    #: Batches: predict returns one output fewer than the batch has requests (only for batches with this
    #: client in them; "*" for every batch; "" = never).
    wrong_batch_length: str = ""
    #: The model's setup takes this long (model loading).
    setup_seconds: float = 0.0
    #: What the model's health() answers.
    healthy: bool = True
    #: The model's decode_request has no type annotation (LitServe then parses the body itself).
    untyped_request: bool = False
    # -- LitServer options.
    #: Require this key in the X-API-Key header (LitServe reads it from LIT_SERVER_API_KEY; "" = no key).
    api_key: str = ""
    #: LitServer(max_payload_size=...) in bytes (0 = LitServe's default: no limit).
    max_payload_size: int = 0
    #: LitServer(restart_workers=...).
    restart_workers: bool = False
    # -- LitServer options of servers/options_apps.py (the options app, and the chat app for callbacks).
    #: LitServer(fast_queue=True): the ZeroMQ transport between API servers and inference workers.
    fast_queue: bool = False
    #: LitServer(callbacks=[...]): a callback that logs every hook call.
    callbacks: bool = False
    #: LitServer(middlewares=[...]): this many user middlewares, named m1, m2, ... in the list's order.
    middlewares: int = 0
    #: LitServer(track_requests=True).
    track_requests: bool = False
    #: LitServer(healthcheck_path=...) ("" = LitServe's /health).
    healthcheck_path: str = ""
    #: LitServer(info_path=...) ("" = LitServe's /info).
    info_path: str = ""
    #: LitServer(model_metadata=...): "key=value,key=value".
    model_metadata: str = ""
    #: LitServer(disable_openapi_url=True).
    disable_openapi: bool = False
    #: LitServer(enable_shutdown_api=True) with this key in LIT_SHUTDOWN_API_KEY ("" = no shutdown API).
    shutdown_key: str = ""
    #: LitServer(workers_per_device=...) per API: "list:2,1" or "dict:2,1" ("" = ``workers`` for every API).
    workers_per_api: str = ""
    #: What the model's health() does besides answering ``healthy``: "raises", "slow:<ms>" or "".
    health_mode: str = ""

    @classmethod
    def from_dict(cls, values: dict) -> "AppSettings":
        known = {f.name: f.type for f in fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ValueError(f"unknown app setting(s) {unknown}; known settings are {sorted(known)}")
        converted = {}
        for name, value in values.items():
            default = getattr(cls, name)
            converted[name] = type(default)(value) if not isinstance(default, bool) else _as_bool(value)
        settings = cls(**converted)
        settings.parsed_failure_rules()  # refuse a malformed rule now, with a clear message
        return settings

    def parsed_failure_rules(self) -> list["FailureRule"]:
        """The parsed ``failure_rules``."""
        rules = []
        for text in filter(None, (part.strip() for part in self.failure_rules.split(","))):
            parts = text.split(":")
            if len(parts) not in (2, 3) or parts[0] not in FAIL_STAGES or (len(parts) == 3 and not parts[2].isdigit()):
                raise ValueError(f"bad failure rule {text!r}: write <step>:<value> or <step>:<value>:<status>, "
                                 f"with <step> one of {sorted(FAIL_STAGES)}")
            rules.append(FailureRule(parts[0], parts[1], int(parts[2]) if len(parts) == 3 else 0))
        return rules

    @property
    def reports_ready(self) -> bool:
        """The model's health check can answer "ready" (so the server becomes healthy)."""
        return self.healthy and self.health_mode != "raises"

    @property
    def health_path(self) -> str:
        """Where the server answers its health check: ``healthcheck_path`` where the installed LitServe has that
        option (the app leaves it out elsewhere, and says so in its log), else ``/health``."""
        from servers.compat import server_option_exists  # imports litserve: only when a server is asked

        if self.healthcheck_path and server_option_exists("healthcheck_path"):
            return self.healthcheck_path
        return "/health"

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def changed(self) -> dict:
        """Only the settings that differ from the defaults (used to name servers and logs)."""
        default = AppSettings()
        return {k: v for k, v in self.as_dict().items() if getattr(default, k) != v}


#: Where a model can be told to fail.
FAIL_STAGES = {"decode", "predict", "encode"}


@dataclass(frozen=True)
class FailureRule:
    """Fail at ``stage`` for requests carrying ``value`` ("*": all); refuse with ``status`` if it is not 0."""

    stage: str
    value: str
    status: int = 0


def _as_bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)
