"""The fault registry: :class:`Fault`, the :func:`fault` decorator, checking and applying a fault (with its
worker half, at the entry point of each inference worker)."""

from __future__ import annotations

import importlib
import inspect
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Union

FAULT_VARIABLE = "LITSERVE_SUITE_FAULT"
#: Set by ``servers/__main__.py`` to its own pid: processes spawned from a suite server re-apply the fault.
SERVER_PID_VARIABLE = "LITSERVE_SUITE_SERVER_PID"

Requirement = Union[str, tuple[str, str]]
#: ``True``: re-applied in each spawned worker on import; ``False``: main process only; a function: the worker half.
Worker = Union[bool, Callable[[], None]]


class NotApplicable(Exception):
    """The installed LitServe lacks the internals this fault patches."""


@dataclass(frozen=True)
class Fault:
    name: str
    apply: Callable[[], None]
    features: tuple[str, ...]
    requires: tuple[Requirement, ...] = field(default_factory=tuple)
    scenarios: str = ""   # optional: only the scenarios whose name matches (behave -n), for the self-check
    worker: Worker = True  # see the package docstring

    @property
    def summary(self) -> str:
        return (inspect.getdoc(self.apply) or self.name).splitlines()[0]

    @property
    def worker_half(self) -> Callable[[], None] | None:
        """The function run at the worker's entry point, if the fault has one."""
        return self.worker if callable(self.worker) else None

    def check(self) -> None:
        """Raise :class:`NotApplicable` if the installed LitServe lacks what this fault patches."""
        for requirement in self.requires:
            name, text = (requirement, "") if isinstance(requirement, str) else requirement
            target = resolve(name)
            if text:
                try:
                    source = inspect.getsource(target)
                except (OSError, TypeError) as error:
                    raise NotApplicable(f"cannot read the source of {name}: {error}") from None
                if text not in source:
                    raise NotApplicable(f"{name} does not contain {text!r}")


#: Fault name -> Fault. Filled by the @fault decorator, in the order of core.py then failure_modes.py.
FAULTS: dict[str, Fault] = {}


def fault(name: str, *, features: Iterable[str], scenarios: str = "", requires: Iterable[Requirement] = (),
          worker: Worker = True) -> Callable:
    """Register the decorated function as the fault ``name`` (see the package docstring)."""

    def register(func: Callable[[], None]) -> Callable[[], None]:
        if name in FAULTS:
            raise ValueError(f"fault {name!r} is registered twice")
        FAULTS[name] = Fault(name, func, tuple(features), tuple(requires), scenarios, worker)
        return func

    return register


def resolve(dotted: str) -> Any:
    """Import the longest module prefix of ``dotted`` and walk the rest as attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            try:
                target = getattr(target, attr)
            except AttributeError:
                raise NotApplicable(f"{dotted}: {'.'.join(parts[:cut])} has no {attr!r}") from None
        return target
    raise NotApplicable(f"{dotted}: no such module")


_applied: set[str] = set()


def apply(name: str) -> Fault:
    """Check and apply the fault ``name`` in this process (once); with a worker half, route workers through it."""
    if name not in FAULTS:
        raise SystemExit(f"unknown fault {name!r}; known faults are {sorted(FAULTS)}")
    selected = FAULTS[name]
    if name not in _applied:
        try:
            selected.check()
        except NotApplicable as error:
            raise SystemExit(f"fault {name!r} does not apply to the installed LitServe: {error}") from None
        selected.apply()
        if selected.worker_half is not None:
            route_workers_through_fault_entry()
        _applied.add(name)
    return selected


def apply_from_environment() -> None:
    """Apply the fault named in the environment, if any (the server's main process)."""
    name = os.environ.get(FAULT_VARIABLE, "").strip()
    if not name:
        return
    apply(name)
    print(f"suite: fault {name!r} injected", flush=True)


def apply_in_spawned_worker() -> None:
    """In a process spawned by a suite server (LitServe's inference workers), apply the same fault."""
    server_pid = os.environ.get(SERVER_PID_VARIABLE, "")
    name = os.environ.get(FAULT_VARIABLE, "").strip()
    if name and server_pid and server_pid != str(os.getpid()) and name in FAULTS and FAULTS[name].worker is True:
        apply(name)


def apply_worker_half() -> None:
    """At a spawned worker's entry point: run the worker half of the fault named in the environment."""
    half = FAULTS[os.environ[FAULT_VARIABLE].strip()].worker_half
    if half is not None:
        half()


def worker_entry(*args, **kwargs):
    """Entry point of a spawned inference worker under a fault with a worker half (picklable by reference):
    runs the worker half in the child, then LitServe's own worker."""
    from litserve.loops import loops

    apply_worker_half()
    return loops.inference_worker(*args, **kwargs)


def route_workers_through_fault_entry() -> None:
    """Make the server start its inference workers through :func:`worker_entry` (a fault's worker half)."""
    import litserve.server

    litserve.server.inference_worker = worker_entry
