"""The engine loop: coroutines submitted from another thread, errors handed back, clean stop."""

from __future__ import annotations

import asyncio
import threading

import pytest

from kiosk.engine import Engine


def test_submit_runs_on_the_engine_thread_and_returns_the_result() -> None:
    engine = Engine()
    engine.start()
    try:

        async def where() -> str:
            await asyncio.sleep(0)
            return threading.current_thread().name

        assert engine.submit(where()).result(timeout=5) == "engine"
    finally:
        engine.stop()
    assert not engine.running


def test_an_exception_reaches_the_caller() -> None:
    engine = Engine()
    engine.start()
    try:

        async def fail() -> None:
            raise ValueError("terminal said no")

        with pytest.raises(ValueError, match="terminal said no"):
            engine.submit(fail()).result(timeout=5)
        # The loop survives a failed task.
        assert engine.submit(asyncio.sleep(0, result=7)).result(timeout=5) == 7
    finally:
        engine.stop()


def test_stop_cancels_what_is_still_running_and_joins_the_thread() -> None:
    engine = Engine()
    engine.start()
    started = threading.Event()
    cancelled = threading.Event()

    async def forever() -> None:
        started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    future = engine.submit(forever())
    assert started.wait(5)
    engine.stop()
    assert cancelled.is_set()
    assert future.cancelled()
    assert not any(t.name == "engine" for t in threading.enumerate())


def test_submit_when_not_running_fails_cleanly() -> None:
    engine = Engine()

    async def never() -> None:
        raise AssertionError("must not run")

    with pytest.raises(RuntimeError, match="not running"):
        engine.submit(never()).result(timeout=1)
