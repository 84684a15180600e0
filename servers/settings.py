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
    timeout: float = 30.0
    workers: int = 1

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
        return cls(**converted)

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def changed(self) -> dict:
        """Only the settings that differ from the defaults (used to name servers and logs)."""
        default = AppSettings()
        return {k: v for k, v in self.as_dict().items() if getattr(default, k) != v}


def _as_bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)
