"""One instance's connections to PostgreSQL for the shared switchboard (hub.cluster).

The hub's store keeps its own synchronous connection for the store's methods; the cluster
uses psycopg's `AsyncConnection`s on the event loop instead of that connection in a thread,
because everything here is many small statements that must keep their order (an operation
after the one before it, a message after the one before it to the same socket): one asyncio
queue in front of one connection keeps that order for free, where a thread pool would not, and
a notification never waits behind the store's lock or a slow store call.

- `Link`: one connection running jobs one at a time, in the order posted (inserts of
  operations, NOTIFYs, the host's reads and snapshot writes). A job that fails is logged; a
  connection that broke is opened again for the next job.
- `listen`: a second connection that only LISTENs, handing each notification to a callback in
  the order they came; opened again when it breaks.
- The switchboard's host holds a session-level advisory lock on a third connection
  (hub.cluster.router), which PostgreSQL releases when that connection dies.

Names are per schema: instances on one database but different schemas (tests do this) never
see each other's notifications or lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import zlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import psycopg

log = logging.getLogger(__name__)

T = TypeVar("T")
Job = Callable[[psycopg.AsyncConnection[Any]], Awaitable[T]]

#: The first half of the host's advisory lock key ("kh"); the second is the schema's.
LOCK_CLASS = 0x6B68
RETRY_SECONDS = 1.0


async def connect(url: str, name: str = "kiosk-hub") -> psycopg.AsyncConnection[Any]:
    """An autocommit connection; `name` is its application_name (pg_stat_activity)."""
    return await psycopg.AsyncConnection.connect(url, autocommit=True, application_name=name)


class Names:
    """The channels and the lock key of one schema's switchboard."""

    def __init__(self, schema: str) -> None:
        self.schema = schema
        tag = f"{zlib.crc32(schema.encode()):08x}"
        #: New operations for the host.
        self.ops = f"kiosk_hub_{tag}_ops"
        #: Everyone: the host's line statuses, and its call to announce sockets again.
        self.everyone = f"kiosk_hub_{tag}_all"
        signed = zlib.crc32(schema.encode())
        self.lock_key = (LOCK_CLASS, signed - (1 << 32) if signed >= 1 << 31 else signed)

    def instance(self, instance_id: str) -> str:
        """Messages for the sockets of one instance."""
        return f"kiosk_hub_{zlib.crc32(self.schema.encode()):08x}_i_{instance_id}"


async def schema_of(url: str) -> str:
    async with await connect(url) as conn:
        row = await (await conn.execute("SELECT current_schema()")).fetchone()
    return str(row[0]) if row else "public"


class Link:
    """One connection; jobs run on it one at a time, in the order they were posted."""

    def __init__(self, url: str, name: str) -> None:
        self._url = url
        self._name = name
        self._conn: psycopg.AsyncConnection[Any] | None = None
        self._jobs: asyncio.Queue[tuple[Job[Any], asyncio.Future[Any]] | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def open(self) -> None:
        self._conn = await connect(self._url)
        self._task = asyncio.create_task(self._run(), name=f"cluster-{self._name}")

    def post(self, job: Job[T]) -> asyncio.Future[T]:
        """Queue `job`; its future has the result (awaiting it is optional: a failure is
        logged either way)."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        future.add_done_callback(_retrieve)
        self._jobs.put_nowait((job, future))
        return future

    async def _run(self) -> None:
        while (item := await self._jobs.get()) is not None:
            job, future = item
            try:
                conn = await self._connection()
                result = await job(conn)
            except asyncio.CancelledError:
                future.cancel()
                raise
            except Exception as exc:
                log.warning("a %s job failed: %s", self._name, exc)
                if not future.done():
                    future.set_exception(exc)
                continue
            if not future.done():
                future.set_result(result)

    async def _connection(self) -> psycopg.AsyncConnection[Any]:
        while self._conn is None or self._conn.closed or self._conn.broken:
            try:
                self._conn = await connect(self._url)
            except psycopg.OperationalError as exc:
                log.warning("cannot reach PostgreSQL for %s: %s", self._name, exc)
                await asyncio.sleep(RETRY_SECONDS)
        return self._conn

    async def close(self) -> None:
        """Run what was posted, then close."""
        if self._task is not None:
            self._jobs.put_nowait(None)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._task, timeout=5.0)
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task
            self._task = None
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()
            self._conn = None


def _retrieve(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


async def notify(conn: psycopg.AsyncConnection[Any], channel: str, payload: str) -> None:
    await conn.execute("SELECT pg_notify(%s, %s)", (channel, payload))


async def listen(
    url: str,
    channels: list[str],
    handle: Callable[[str, str], Awaitable[None]],
    listening: Callable[[], None],
) -> None:
    """LISTEN on `channels` and hand each notification (channel, payload) to `handle`, one at
    a time, in order, forever; `listening` once the LISTENs are in place, and again after a
    broken connection was opened again (notifications sent meanwhile are lost: the caller
    catches up)."""
    while True:
        try:
            async with await connect(url) as conn:
                for channel in channels:
                    await conn.execute(f'LISTEN "{channel}"')
                listening()
                async for note in conn.notifies():
                    try:
                        await handle(note.channel, note.payload)
                    except Exception:
                        log.exception("a notification on %s could not be handled", note.channel)
        except psycopg.OperationalError as exc:
            log.warning("listening for the switchboard failed: %s", exc)
            await asyncio.sleep(RETRY_SECONDS)
