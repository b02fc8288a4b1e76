"""An asyncio loop on a device's own thread: the one place that device's network I/O runs.

Coroutines from any other loop (the engine's) reach it through `DeviceLoop.call`, which waits
for the result without blocking the caller's loop; cancelling the caller cancels the work.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

from kiosk.engine import run_until_stopped

T = TypeVar("T")


class LoopStopped(Exception):
    """The device loop is not running (the device was never started, or was stopped)."""


class DeviceLoop:
    def __init__(self, name: str) -> None:
        self._name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._loop is not None and not self._loop.is_closed()

    def start(self) -> None:
        if self._loop is not None:
            return
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=_run, args=(loop,), name=self._name, daemon=True)
        thread.start()
        self._loop, self._thread = loop, thread

    def submit(self, work: Coroutine[Any, Any, T]) -> Future[T]:
        """Run `work` on the loop; for callers on threads without a loop."""
        loop = self._loop
        if loop is None or loop.is_closed():
            work.close()
            raise LoopStopped(self._name)
        return asyncio.run_coroutine_threadsafe(work, loop)

    async def call(self, work: Coroutine[Any, Any, T]) -> T:
        """Await `work` on the device loop from any loop."""
        loop = self._loop
        if loop is None or loop.is_closed():
            work.close()
            raise LoopStopped(self._name)
        if asyncio.get_running_loop() is loop:
            return await work
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, loop))

    def stop(self, timeout: float = 3.0) -> None:
        """Stop the loop (what still runs is cancelled) and join its thread."""
        loop, thread = self._loop, self._thread
        self._loop = self._thread = None
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)


def _run(loop: asyncio.AbstractEventLoop) -> None:
    asyncio.set_event_loop(loop)
    run_until_stopped(loop)
