"""The instance hosting the switchboard: it runs every instance's operations, in order, and
says where each party's messages go.

- Seats: for each party, the instance and socket it is connected through (from `joined` and
  `left` operations), the call it was last told of and, for an advisor, whether they were
  available. A message for a party seated elsewhere is NOTIFYed on that instance's channel; one
  too long for a notification (over `PAYLOAD_BYTES`) is a row of `switchboard_mail` and the
  notification carries its id.
- Operations: those of this instance's own sockets run at once (and are logged as run); those
  of other instances are rows of `switchboard_ops`, run in id order when a notification (or,
  as a fallback, a one-second poll) says there are new ones, then marked with the order they
  ran in (`ran_seq`).
- The snapshot: at most every `SAVE_SECONDS`, when something ran, the switchboard's snapshot
  and the seats are saved (`switchboard_state` 'snapshot', with the last `ran_seq` it covers)
  and the operations it covers are deleted, in one transaction.
- Taking over: the snapshot is restored (every party away), the operations run after it are
  run again without a word to anyone (their messages went out before; their records are
  written again, which changes nothing), every party is counted as away, every instance is
  asked to announce its sockets again, and the operations nobody ran yet are run. An announced
  socket gets its call back (`resume`) and an advisor their availability; a party whose
  instance died reconnects elsewhere and resumes by itself within the grace.
- Line statuses: when they change (checked with each save), the host publishes every line's
  status (`switchboard_state` 'lines' and a notification to everyone), which `/api/lines`
  answers from on every other instance.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import asdict, dataclass
from typing import Any, Protocol

import psycopg

from hub.calls import operations
from hub.calls.desk import CallDesk
from hub.calls.model import Message, Party
from hub.calls.operations import SIGNALS, Operation, party_of
from hub.calls.saved import untimed
from hub.cluster.link import Link, Names, notify
from hub.hours import utc_iso

log = logging.getLogger(__name__)

#: A notification's payload must stay under PostgreSQL's 8000 bytes.
PAYLOAD_BYTES = 7000
SAVE_SECONDS = 0.25
POLL_SECONDS = 1.0
#: Messages that put a party into a call it may resume; `ended` takes it out.
IN_CALL = frozenset({"queued", "connected", "resumed"})


class Instance(Protocol):
    """What the host needs of its own instance (hub.cluster.router)."""

    desk: CallDesk
    writer: Link
    names: Names

    def drop(self, instance: str, party: Party, socket_id: str) -> None: ...

    async def announce(self) -> None: ...

    async def publish_lines(self, statuses: dict[str, Any]) -> None: ...


@dataclass
class Seat:
    instance: str
    socket: str
    #: The call the party was last told of (None: none, or it ended).
    call: str | None = None
    available: bool = False


class Host:
    def __init__(self, router: Instance) -> None:
        self._router = router
        self._desk = router.desk
        self.seats: dict[Party, Seat] = {}
        #: What was known of each party before a takeover, until it joins again.
        self._before: dict[Party, Seat] = {}
        self.seq = 0
        self._covered = 0
        self._saved: str | None = None
        self._published: dict[str, Any] | None = None
        self._quiet = False
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    # --- running operations ----------------------------------------------------------------

    def run_local(self, operation: Operation) -> None:
        """An operation of this instance's own socket: run now, logged as run."""
        self._run(operation)
        if operation["op"] == "said" and operation["message"].get("type") in SIGNALS:
            return  # a relay changes nothing a takeover would need
        self.seq += 1
        seq, text, at = self.seq, json.dumps(operation), utc_iso(self._desk.now())
        instance = self._router.desk.instance

        async def log_run(conn: psycopg.AsyncConnection[Any]) -> None:
            await conn.execute(
                "INSERT INTO switchboard_ops (instance, op, ran_seq, at) VALUES (%s, %s, %s, %s)",
                (instance, text, seq, at),
            )

        self._router.writer.post(log_run)

    def _run(self, operation: Operation) -> None:
        party = party_of(operation)
        kind = operation["op"]
        seat = self.seats.get(party)
        before: Seat | None = None
        if kind == "left":
            if seat is None or seat.socket != operation["socket"]:
                return  # a socket already replaced, or a party already counted as away
            del self.seats[party]
        elif kind == "joined":
            if seat is not None and seat.socket == operation["socket"]:
                return  # announced and joined both (around a takeover): once is enough
            if seat is not None:
                self._replaced(party, seat)
            before = self._before.pop(party, None) or seat
            self.seats[party] = Seat(operation["instance"], operation["socket"])
        elif seat is None or seat.socket != operation["socket"]:
            return  # said on a socket that is no longer the party's
        self._carry_out(self._desk.execute(operation))
        if kind == "joined" and before is not None:
            self._back(party, before, again=bool(operation.get("again")))
        if kind == "said" and party.kind == "advisor":
            message = operation["message"]
            if message.get("type") == "available" and party in self.seats:
                self.seats[party].available = bool(message.get("available"))

    def _replaced(self, party: Party, seat: Seat) -> None:
        """The party connected again through another socket: the old one counts as lost."""
        gone = operations.left(party, seat.instance, seat.socket, away=True)
        self._carry_out(self._desk.execute(gone))
        del self.seats[party]
        if not self._quiet and seat.instance != self._desk.instance:
            self._router.drop(seat.instance, party, seat.socket)

    def _back(self, party: Party, before: Seat, *, again: bool) -> None:
        """A party known before (a takeover, a replaced socket) joined: an announced socket
        gets its call back; an advisor who was available is again."""
        sb = self._desk.switchboard
        if party.kind == "advisor" and before.available:
            self._say(party, {"type": "available", "available": True})
        if again and before.call is not None and sb.call_state(before.call) is not None:
            self._say(party, {"type": "resume", "call": before.call})

    def _say(self, party: Party, message: Message) -> None:
        seat = self.seats[party]
        self._run(operations.said(party, seat.instance, seat.socket, message))

    def _carry_out(self, effects: Any) -> None:
        for notify_ in effects.messages:
            seat = self.seats.get(notify_.to)
            kind = notify_.message.get("type")
            if seat is not None and kind in IN_CALL:
                seat.call = notify_.message.get("call")
            elif seat is not None and kind == "ended" and seat.call == notify_.message.get("call"):
                seat.call = None
        self._desk.carry_out(effects, quiet=self._quiet)

    def wake(self) -> None:
        self._wake.set()

    async def _pump(self) -> None:
        """Run other instances' operations as they come."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=POLL_SECONDS)
            self._wake.clear()
            try:
                await self.run_waiting()
            except Exception:
                log.exception("could not run the instances' operations")

    async def run_waiting(self) -> None:
        rows = await self._router.writer.post(_unrun)
        marks: list[tuple[int, int]] = []
        for row_id, text in rows:
            self.seq += 1
            marks.append((self.seq, row_id))
            try:
                self._run(json.loads(text))
            except Exception:
                log.exception("operation %s could not be run", row_id)
        if marks:

            async def mark(conn: psycopg.AsyncConnection[Any]) -> None:
                async with conn.cursor() as cur:
                    await cur.executemany(
                        "UPDATE switchboard_ops SET ran_seq = %s WHERE id = %s", marks
                    )

            self._router.writer.post(mark)

    # --- delivering ------------------------------------------------------------------------

    def deliver(self, party: Party, message: Message) -> None:
        seat = self.seats.get(party)
        if seat is None or self._quiet:
            return
        channel = self._router.names.instance(seat.instance)
        payload = json.dumps({"to": list(party), "m": message})
        if len(payload.encode()) <= PAYLOAD_BYTES:
            self._router.writer.post(lambda conn: notify(conn, channel, payload))
            return
        instance, at = seat.instance, utc_iso(self._desk.now())

        async def by_mail(conn: psycopg.AsyncConnection[Any]) -> None:
            cursor = await conn.execute(
                "INSERT INTO switchboard_mail (instance, body, at) VALUES (%s, %s, %s)"
                " RETURNING id",
                (instance, payload, at),
            )
            row = await cursor.fetchone()
            assert row is not None
            await notify(conn, channel, json.dumps({"mail": row[0]}))

        self._router.writer.post(by_mail)

    # --- taking over, saving ---------------------------------------------------------------

    async def take_over(self) -> None:
        saved = await self._router.writer.post(_snapshot)
        desk = self._desk
        desk.reset_switchboard()
        if saved is not None:
            value, self._covered = saved
            state = json.loads(value)
            desk.switchboard.restore(state["switchboard"])
            self.seats = {
                Party(*json.loads(key)): Seat(**seat) for key, seat in state["seats"].items()
            }
        self.seq = self._covered
        self._quiet = True
        try:
            for seq, text in await self._router.writer.post(self._ran_after(self._covered)):
                self.seq = max(self.seq, seq)
                self._run(json.loads(text))
            # Every party is away until its instance announces it or it reconnects.
            for party, seat in list(self.seats.items()):
                self._run(operations.left(party, seat.instance, seat.socket, away=True))
                self._before[party] = seat
        finally:
            self._quiet = False
        log.info("hosting the switchboard", extra={"parties": len(self._before)})
        self._saved = None
        for connection in desk.connections():
            self.run_local(desk.rejoined(connection))
        await self._router.announce()
        await self.run_waiting()
        self._tasks = [
            asyncio.create_task(self._pump(), name="switchboard-pump"),
            asyncio.create_task(self._saver(), name="switchboard-saver"),
        ]

    @staticmethod
    def _ran_after(covered: int) -> Any:
        async def ran(conn: psycopg.AsyncConnection[Any]) -> list[tuple[int, str]]:
            cursor = await conn.execute(
                "SELECT ran_seq, op FROM switchboard_ops WHERE ran_seq > %s ORDER BY ran_seq",
                (covered,),
            )
            return [(int(seq), str(op)) for seq, op in await cursor.fetchall()]

        return ran

    def instances_lost(self, instances: set[str]) -> None:
        """Instances not seen for a while: their parties are away (they reconnect elsewhere)."""
        for party, seat in list(self.seats.items()):
            if seat.instance in instances:
                self._before[party] = seat
                self._run(operations.left(party, seat.instance, seat.socket, away=True))

    async def _saver(self) -> None:
        while True:
            await asyncio.sleep(SAVE_SECONDS)
            try:
                await self.save()
                await self.publish()
            except Exception:
                log.exception("could not save the switchboard")

    async def save(self) -> None:
        taken: dict[str, Any] = self._desk.switchboard.snapshot()
        seats = {json.dumps(list(p)): asdict(s) for p, s in self.seats.items()}
        state = {"switchboard": taken, "seats": seats}
        # Clock readings alone changing is no reason to write (hub.calls.saved).
        compared = json.dumps({"calls": untimed(taken), "seats": seats})
        if compared == self._saved and self.seq == self._covered:
            return
        seq, value, at = self.seq, json.dumps(state), utc_iso(self._desk.now())

        async def write(conn: psycopg.AsyncConnection[Any]) -> None:
            async with conn.transaction():
                await conn.execute(
                    "INSERT INTO switchboard_state (name, value, seq, at)"
                    " VALUES ('snapshot', %s, %s, %s) ON CONFLICT (name) DO UPDATE"
                    " SET value = excluded.value, seq = excluded.seq, at = excluded.at",
                    (value, seq, at),
                )
                await conn.execute(
                    "DELETE FROM switchboard_ops WHERE ran_seq IS NOT NULL AND ran_seq <= %s",
                    (seq,),
                )

        await self._router.writer.post(write)
        self._saved, self._covered = compared, seq

    async def publish(self) -> None:
        desk = self._desk
        statuses = {
            line: desk.switchboard.line_status(line).as_json() for line in desk.switchboard.lines
        }
        if statuses == self._published:
            return
        self._published = statuses
        await self._router.publish_lines(statuses)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(BaseException):
                await task
        self._tasks = []


async def _unrun(conn: psycopg.AsyncConnection[Any]) -> list[tuple[int, str]]:
    cursor = await conn.execute(
        "SELECT id, op FROM switchboard_ops WHERE ran_seq IS NULL ORDER BY id"
    )
    return [(int(row_id), str(op)) for row_id, op in await cursor.fetchall()]


async def _snapshot(conn: psycopg.AsyncConnection[Any]) -> tuple[str, int] | None:
    cursor = await conn.execute("SELECT value, seq FROM switchboard_state WHERE name = 'snapshot'")
    row = await cursor.fetchone()
    return (str(row[0]), int(row[1])) if row else None
