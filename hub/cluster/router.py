"""One hub instance among several sharing a switchboard through PostgreSQL (the desk's router).

Each instance has a random id, registers in `hub_instances` and is seen there every
`SEEN_SECONDS`. The instance holding a session-level advisory lock (`pg_try_advisory_lock`) on
a connection of its own hosts the switchboard (hub.cluster.host); the others try again every
`LOCK_SECONDS`, and PostgreSQL releases the lock when the host's connection dies (a SIGKILL
included), so another instance takes over within about a second.

An instance that does not host sends each operation of its sockets as a row of
`switchboard_ops` with a NOTIFY, so the host runs it at once; it LISTENs on its own channel for
the messages to its sockets, on everyone's for the published line statuses and the host's call
to announce its sockets again, and answers `/api/lines` from the latest statuses. The host
counts an instance not seen for `LOST_SECONDS` as lost: its parties are away.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from aiohttp import web

from hub.calls.desk import CallDesk
from hub.calls.model import Message, Party
from hub.calls.operations import Operation
from hub.cluster.host import PAYLOAD_BYTES, Host
from hub.cluster.link import Link, Names, connect, listen, notify, schema_of
from hub.hours import utc_iso

log = logging.getLogger(__name__)

SEEN_SECONDS = 2.0
LOCK_SECONDS = 1.0
LOST_SECONDS = 6.0


def _now() -> datetime:
    """The real clock: instances' liveness never follows a test's fixed clock."""
    return datetime.now(UTC)


class ClusterRouter:
    """The desk's router when the store is PostgreSQL."""

    def __init__(self, desk: CallDesk, url: str, address: str) -> None:
        self.desk = desk
        self._url = url
        self._address = address
        self._hosting = False
        self.host = Host(self)
        self.writer = Link(url, "switchboard")
        self.names = Names("public")
        self._statuses: dict[str, dict[str, Any]] = {}
        self._lock_conn: psycopg.AsyncConnection[Any] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._ready = asyncio.Event()
        self._started_at = utc_iso(_now())

    # --- the desk's router -----------------------------------------------------------------

    @property
    def hosting(self) -> bool:
        return self._hosting

    def submit(self, operation: Operation) -> None:
        if self._hosting:
            self.host.run_local(operation)
            return
        text, at, instance = json.dumps(operation), utc_iso(_now()), self.desk.instance
        channel = self.names.ops

        async def send(conn: psycopg.AsyncConnection[Any]) -> None:
            await conn.execute(
                "INSERT INTO switchboard_ops (instance, op, at) VALUES (%s, %s, %s)",
                (instance, text, at),
            )
            await notify(conn, channel, "")

        self.writer.post(send)

    def deliver(self, party: Party, message: Message) -> None:
        if self._hosting:
            self.host.deliver(party, message)

    def changed(self) -> None:
        """Saved and published by the host's saver, at most every few hundred ms."""

    def line_status(self, line: str) -> dict[str, Any] | None:
        return self._statuses.get(line)

    # --- what the host sends ---------------------------------------------------------------

    def drop(self, instance: str, party: Party, socket_id: str) -> None:
        channel = self.names.instance(instance)
        payload = json.dumps({"drop": list(party), "socket": socket_id})
        self.writer.post(lambda conn: notify(conn, channel, payload))

    async def announce(self) -> None:
        payload = json.dumps({"announce": self.desk.instance})
        await self.writer.post(lambda conn: notify(conn, self.names.everyone, payload))

    async def publish_lines(self, statuses: dict[str, Any]) -> None:
        self._statuses = statuses
        value, at = json.dumps(statuses), utc_iso(_now())
        payload = json.dumps({"lines": statuses})
        if len(payload.encode()) > PAYLOAD_BYTES:
            payload = json.dumps({"lines": None})

        async def write(conn: psycopg.AsyncConnection[Any]) -> None:
            await conn.execute(
                "INSERT INTO switchboard_state (name, value, seq, at) VALUES ('lines', %s, 0, %s)"
                " ON CONFLICT (name) DO UPDATE SET value = excluded.value, at = excluded.at",
                (value, at),
            )
            await notify(conn, self.names.everyone, payload)

        await self.writer.post(write)

    # --- what this instance hears ----------------------------------------------------------

    async def _heard(self, channel: str, payload: str) -> None:
        if channel == self.names.ops:
            if self._hosting:
                self.host.wake()
            return
        note = json.loads(payload)
        if channel == self.names.everyone:
            if "lines" in note:
                lines = note["lines"]
                self._statuses = lines if lines is not None else await self._published()
            elif note.get("announce") not in (None, self.desk.instance):
                for connection in self.desk.connections():
                    self.submit(self.desk.rejoined(connection))
            return
        if "mail" in note:
            note = await self.writer.post(self._mail(int(note["mail"])))
            if note is None:
                return
        if "drop" in note:
            self.desk.drop(Party(*note["drop"]), str(note["socket"]))
        elif "to" in note:
            self.desk.deliver_here(Party(*note["to"]), note["m"])

    @staticmethod
    def _mail(mail_id: int) -> Any:
        async def fetch(conn: psycopg.AsyncConnection[Any]) -> dict[str, Any] | None:
            cursor = await conn.execute(
                "DELETE FROM switchboard_mail WHERE id = %s RETURNING body", (mail_id,)
            )
            row = await cursor.fetchone()
            return json.loads(row[0]) if row else None

        return fetch

    async def _published(self) -> dict[str, Any]:
        async def read(conn: psycopg.AsyncConnection[Any]) -> dict[str, Any]:
            cursor = await conn.execute("SELECT value FROM switchboard_state WHERE name = 'lines'")
            row = await cursor.fetchone()
            return dict(json.loads(row[0])) if row else {}

        return await self.writer.post(read)

    def _listening(self) -> None:
        self._ready.set()
        if self._hosting:
            self.host.wake()

    # --- hosting ---------------------------------------------------------------------------

    async def _try_to_host(self) -> None:
        try:
            if self._lock_conn is None or self._lock_conn.closed:
                # Named, so that pg_stat_activity says which instance hosts.
                name = f"kiosk-hub switchboard {self.desk.instance}"
                self._lock_conn = await connect(self._url, name)
            cursor = await self._lock_conn.execute(
                "SELECT pg_try_advisory_lock(%s, %s)", self.names.lock_key
            )
            row = await cursor.fetchone()
        except psycopg.Error as exc:
            log.warning("could not ask for the switchboard's lock: %s", exc)
            return
        if row and row[0]:
            await self.host.take_over()
            self._hosting = True

    async def _still_hosting(self) -> None:
        try:
            assert self._lock_conn is not None
            await self._lock_conn.execute("SELECT 1")
        except (psycopg.Error, AssertionError) as exc:
            # The lock went with the connection: another instance may host now.
            log.error("lost the switchboard's lock: %s", exc)
            self._hosting = False
            await self.host.stop()
            self.desk.reset_switchboard()
            self._lock_conn = None

    async def _hosting_loop(self) -> None:
        while True:
            await asyncio.sleep(LOCK_SECONDS)
            try:
                if self._hosting:
                    await self._still_hosting()
                else:
                    await self._try_to_host()
            except Exception:
                log.exception("the switchboard's hosting failed")

    async def _seen_loop(self) -> None:
        while True:
            try:
                await self.writer.post(self._seen)
                if self._hosting:
                    lost = await self.writer.post(self._lost)
                    if lost:
                        self.host.instances_lost(lost)
            except Exception:
                log.exception("could not register this hub instance")
            await asyncio.sleep(SEEN_SECONDS)

    async def _seen(self, conn: psycopg.AsyncConnection[Any]) -> None:
        await conn.execute(
            "INSERT INTO hub_instances (id, address, started_at, seen_at) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at",
            (self.desk.instance, self._address, self._started_at, utc_iso(_now())),
        )

    async def _lost(self, conn: psycopg.AsyncConnection[Any]) -> set[str]:
        before = utc_iso(_now() - timedelta(seconds=LOST_SECONDS))
        cursor = await conn.execute(
            "DELETE FROM hub_instances WHERE seen_at < %s RETURNING id", (before,)
        )
        lost = {str(row[0]) for row in await cursor.fetchall()}
        known = {seat.instance for seat in self.host.seats.values()}
        cursor = await conn.execute("SELECT id FROM hub_instances")
        alive = {str(row[0]) for row in await cursor.fetchall()}
        # Seats of an instance that left cleanly (its row deleted) are lost as well.
        return lost | (known - alive - {self.desk.instance})

    # --- the app's life --------------------------------------------------------------------

    async def start(self, app: web.Application) -> None:
        self.names = Names(await schema_of(self._url))
        await self.writer.open()
        await self.writer.post(self._seen)
        channels = [self.names.ops, self.names.everyone, self.names.instance(self.desk.instance)]
        listening = listen(self._url, channels, self._heard, self._listening)
        self._tasks.append(asyncio.create_task(listening, name="switchboard-listen"))
        await self._ready.wait()
        self._statuses = await self._published()
        await self._try_to_host()
        self._tasks.append(asyncio.create_task(self._hosting_loop(), name="switchboard-host"))
        self._tasks.append(asyncio.create_task(self._seen_loop(), name="hub-instance-seen"))

    async def stop(self, app: web.Application) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(BaseException):
                await task
        self._tasks = []
        if self._hosting:
            with contextlib.suppress(Exception):
                await self.host.save()
            await self.host.stop()
        instance = self.desk.instance
        with contextlib.suppress(Exception):
            await self.writer.post(
                lambda conn: conn.execute("DELETE FROM hub_instances WHERE id = %s", (instance,))
            )
        await self.writer.close()
        if self._lock_conn is not None:
            with contextlib.suppress(Exception):
                await self._lock_conn.close()
        self._hosting = False
