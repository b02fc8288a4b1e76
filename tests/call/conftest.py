"""Fixtures for the call tests: the engine loop, a streaming simulated camera, and a way for the
test's own asyncio loop (where the browser is driven) to run coroutines on the engine."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from typing import Any, TypeVar

import pytest

from kiosk.devices.camera.simulated import SimulatedCamera
from kiosk.engine import Engine

T = TypeVar("T")

#: Generous on purpose: the machine is shared and slow; a passing test never waits this long.
DEADLINE = 60.0


@pytest.fixture
def engine() -> Iterator[Engine]:
    engine = Engine()
    engine.start()
    yield engine
    engine.stop(timeout=DEADLINE)


@pytest.fixture
def camera() -> Iterator[SimulatedCamera]:
    cam = SimulatedCamera("camera", width=1280, height=720, fps=30)
    cam.start()
    cam.worker.submit(lambda: None).result(DEADLINE)
    cam.start_stream()
    yield cam
    cam.stop_stream()
    cam.stop()


def on_engine(engine: Engine) -> Callable[[Coroutine[Any, Any, T]], Awaitable[T]]:
    """`await run(coro)` from the test's loop runs `coro` on the engine loop."""

    async def run(coro: Coroutine[Any, Any, T]) -> T:
        return await asyncio.wait_for(asyncio.wrap_future(engine.submit(coro)), DEADLINE)

    return run


async def eventually(
    check: Callable[[], Awaitable[bool]], what: str, timeout: float = DEADLINE
) -> None:
    end = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > end:
            pytest.fail(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)
