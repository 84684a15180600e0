"""Ctrl-C always stops the run, also while a step is inside ``asyncio.run``.

When SIGINT has Python's default handler, ``asyncio.run`` (Python 3.11 on) turns the first
Ctrl-C into a cancellation of its main task, and raises ``KeyboardInterrupt`` afterwards only if
that task ends cancelled. A coroutine that ends normally all the same loses the Ctrl-C: on 3.11
``asyncio.wait_for`` returns its result when the request it waits for finished at the same
moment, and the step, and behave with it, then go on with the whole run (seen once in the suite's
own test, a behave run still going four minutes after its SIGINT). A handler of our own that
raises ``KeyboardInterrupt`` is not Python's default one, so ``asyncio.run`` leaves SIGINT alone
and the interrupt is raised where the main thread is, as outside asyncio.
"""

from __future__ import annotations

import signal
import threading


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def make_ctrl_c_interrupt_everywhere() -> None:
    """Install the SIGINT handler that raises ``KeyboardInterrupt`` (main thread only; elsewhere nothing)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _interrupt)
