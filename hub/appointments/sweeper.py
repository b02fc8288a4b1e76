"""The appointments' background round: no-shows, and personal data past its time, every
`ROUND_SECONDS` and once at start."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import web

from hub.appointments import bookings, callbacks
from hub.context import HUB

log = logging.getLogger(__name__)

ROUND_SECONDS = 30.0


class Sweeper:
    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None

    def run_once(self, app: web.Application) -> None:
        hub = app[HUB]
        now = hub.clock()
        for sweep in (bookings.sweep, callbacks.sweep):
            try:
                sweep(hub, now)
            except Exception:
                log.exception("appointments sweep %s failed", sweep.__module__)

    async def start(self, app: web.Application) -> None:
        self._task = asyncio.create_task(self._loop(app), name="appointments-sweeper")

    async def _loop(self, app: web.Application) -> None:
        while True:
            await asyncio.to_thread(self.run_once, app)
            await asyncio.sleep(ROUND_SECONDS)

    async def stop(self, app: web.Application) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


SWEEPER = web.AppKey("appointments_sweeper", Sweeper)
