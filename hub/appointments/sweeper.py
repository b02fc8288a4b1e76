"""The appointments' background round: no-shows, and personal data past its time, every
`ROUND_SECONDS` and once at start.

With several hub instances on one database (PostgreSQL) a round runs on one instance at a
time: the one that holds the session-level advisory lock `SWEEP_LOCK` on the store's connection
for the round; another instance that finds it held skips its round (the next comes anyway).
PostgreSQL lets go of the lock when the holder's connection ends, a crash included.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator

from aiohttp import web

from hub.appointments import bookings, callbacks
from hub.context import HUB
from hub.store import HubStore

log = logging.getLogger(__name__)

ROUND_SECONDS = 30.0
#: pg_try_advisory_lock's key for the round ("sweep").
SWEEP_LOCK = 0x7377656570


class Sweeper:
    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None

    def run_once(self, app: web.Application) -> bool:
        """One round, unless another instance is running one; whether it ran."""
        hub = app[HUB]
        with _only_instance(hub.store) as mine:
            if not mine:
                return False
            now = hub.clock()
            for sweep in (bookings.sweep, callbacks.sweep):
                try:
                    sweep(hub, now)
                except Exception:
                    log.exception("appointments sweep %s failed", sweep.__module__)
        return True

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


@contextlib.contextmanager
def _only_instance(store: HubStore) -> Iterator[bool]:
    """Holds SWEEP_LOCK while the block runs (PostgreSQL); True when this instance has it.
    SQLite has one hub process: always True."""
    if store.dialect != "postgresql":
        yield True
        return
    row = store.db.execute("SELECT pg_try_advisory_lock(?)", [SWEEP_LOCK]).fetchone()
    if not row or not row[0]:
        yield False
        return
    try:
        yield True
    finally:
        store.db.execute("SELECT pg_advisory_unlock(?)", [SWEEP_LOCK])


SWEEPER = web.AppKey("appointments_sweeper", Sweeper)
