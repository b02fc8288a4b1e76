"""The kiosk's asyncio loop on its own thread: hub connection, signalling, payment protocol.

The Qt thread never awaits anything. It hands a coroutine to `Engine.submit()`, or work that
blocks (`kiosk.threads.blocking`: key derivation, a store read) to `Engine.run_blocking()`, and
gets a concurrent Future back; results reach widgets as Qt signals (kiosk.ui.bridge).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from typing import Any, ParamSpec, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
P = ParamSpec("P")


class Engine:
    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            raise RuntimeError("engine is not running")
        return self._loop

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="engine", daemon=True)
        self._thread.start()
        self._ready.wait()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        loop.set_exception_handler(self._on_loop_error)
        self._loop = loop
        self._ready.set()
        run_until_stopped(loop)

    @staticmethod
    def _on_loop_error(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        log.error(
            "engine task failed",
            exc_info=(type(exc), exc, exc.__traceback__) if exc else None,
        )

    def submit(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        """Run `coro` on the engine loop; callable from any thread."""
        if self._loop is None or not self.running:
            coro.close()
            fut: Future[T] = Future()
            fut.set_exception(RuntimeError("engine is not running"))
            return fut
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def run_blocking(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Run `fn(*args, **kwargs)` on the loop's worker threads; callable from any thread.

        The loop's default executor runs it, so stopping the engine also waits for it."""
        return self.submit(asyncio.to_thread(fn, *args, **kwargs))

    def stop(self, timeout: float = 5.0) -> None:
        """Cancel what is still running, close the loop and join the thread."""
        if self._thread is None or self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.error("engine thread did not stop in time")
        self._thread = None
        self._loop = None
        self._ready.clear()


def run_until_stopped(loop: asyncio.AbstractEventLoop) -> None:
    """Run `loop` on this thread until it is stopped, then cancel what still runs and close it."""
    try:
        loop.run_forever()
    finally:
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()
