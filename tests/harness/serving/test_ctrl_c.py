"""Ctrl-C interrupts a step that is inside asyncio.run, even when its coroutine swallows the cancellation."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from harness.paths import REPO_ROOT

# What asyncio.wait_for does on Python 3.11 when the request it waits for finished at the moment of the
# Ctrl-C: the cancellation that asyncio.run made of the SIGINT is swallowed and the coroutine ends normally.
_STEP = textwrap.dedent("""
    import asyncio, os, signal, sys, threading
    if sys.argv[1] == "installed":
        from harness.serving.ctrl_c import make_ctrl_c_interrupt_everywhere
        make_ctrl_c_interrupt_everywhere()

    async def step():
        threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT)).start()
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            return "went on"
        return "went on"

    try:
        print(asyncio.run(step()))
    except KeyboardInterrupt:
        print("interrupted")
""")


def _run_step(handler: str) -> str:
    done = subprocess.run([sys.executable, "-c", _STEP, handler], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=30, env={"PYTHONPATH": str(REPO_ROOT)})
    return done.stdout.strip()


def test_ctrl_c_interrupts_a_coroutine_that_swallows_its_cancellation():
    assert _run_step("installed") == "interrupted"


@pytest.mark.skipif(sys.version_info < (3, 11), reason="asyncio.run turns SIGINT into a cancellation from 3.11 on")
def test_without_the_handler_asyncio_run_loses_that_ctrl_c():
    assert _run_step("default") == "went on"
