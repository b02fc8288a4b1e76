"""Fixtures for the call tests: the engine loop, a streaming simulated camera, and a way for the
test's own asyncio loop (where the browser is driven) to run coroutines on the engine."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import pytest
from aiohttp import web

from hub.app import make_app
from hub.config import HubConfig
from hub.store import HubStore
from kiosk.engine import Engine

T = TypeVar("T")

#: Generous on purpose: the machine is shared and slow; a passing test never waits this long.
DEADLINE = 60.0


@dataclass
class RunningHub:
    url: str
    token: str
    clock: Any


@contextlib.contextmanager
def hub_on_thread(
    config: HubConfig, store: HubStore, clock: Callable[[], datetime]
) -> Iterator[str]:
    """The REAL hub app (hub.app.make_app) served on a free port from a thread of its own, for
    as long as the block runs; gives its base URL."""
    server = Engine()
    server.start()
    runner = web.AppRunner(make_app(config, store, clock=clock))

    async def serve() -> int:
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        return int(runner.addresses[0][1])

    port = server.submit(serve()).result(timeout=DEADLINE)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.submit(runner.cleanup()).result(timeout=DEADLINE)
        server.stop()


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
