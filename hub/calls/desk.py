"""The call desk of one hub: its switchboard, the sockets connected to it, and what it records.

The switchboard (`hub.calls`) is pure; the desk turns what happens on its sockets into
operations (hub.calls.operations: a party joined, said something, left) and hands each to its
`Router`. With one hub (SQLite) the router runs it at once on this desk's switchboard; with
several instances on PostgreSQL (hub.cluster) it runs on the instance hosting the switchboard,
wherever the socket is. The desk that runs an operation carries out the `Effects` it returns:
each message goes into its party's outbox (sent in order by that socket's writer) or, for a
party connected elsewhere, to the router; a `connected` with ICE servers minted for its party
(hub.calls.ice), each `CallRecord` into the store. A background task ticks the switchboard
about once a second for ring timeouts and unstaffed lines, where it is hosted.

A socket lives no longer than the credential it was opened with: each connection carries a check
of it (the staff session, the kiosk's token), looked at on each message, whenever the store says a
credential may have ended (a logout, `kiosk-hub user disable` in another process, a kiosk's token
replaced or revoked) and every `REVALIDATE_SECONDS` (sessions expire). A socket whose credential
ended leaves at once (never rung again) and is closed with `CREDENTIAL_ENDED`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from aiohttp import WSCloseCode, web

from hub.appointments.model import BookingRefused
from hub.calls import (
    CallError,
    CallRecord,
    Effects,
    LineConfig,
    Message,
    Opening,
    Party,
    Switchboard,
    operations,
)
from hub.calls.connection import Connection, always_valid
from hub.calls.limits import HomeLimits
from hub.calls.operations import BadRequest, Operation, party_of, request
from hub.calls.saved import SavedSwitchboard
from hub.config import HubConfig
from hub.hours import LANGUAGES, utc_iso
from hub.store import HubStore

log = logging.getLogger(__name__)

#: The `ended` reasons of a booking code that reaches nobody now (docs/appointments.md), by
#: `BookingRefused.reason`.
BOOKING_REFUSALS = {
    "unknown": "booking_unknown",
    "early": "booking_early",
    "late": "booking_over",
    "used": "booking_over",
}

TICK_SECONDS = 1.0
REVALIDATE_SECONDS = 30.0
#: The close code (private range) and reason of a socket whose credential ended: the other end
#: should not reconnect with the same credential.
CREDENTIAL_ENDED = 4401
CREDENTIAL_ENDED_REASON = b"credential no longer valid: log in or enroll again"


def opening_hours(config: HubConfig) -> Callable[[str, datetime], Opening]:
    """The switchboard's timetable from the configured lines' opening hours."""
    lines = {line.id: line for line in config.lines}

    def opening(line_id: str, now: datetime) -> Opening:
        line = lines[line_id]
        if line.open_at(now):
            return Opening(is_open=True)
        return Opening(is_open=False, next_opening=line.next_opening(now))

    return opening


def record_row(record: CallRecord) -> dict[str, object]:
    """A call record as a row of the store's `call_records` table."""
    return {
        "id": record.call_id,
        "line": record.line,
        "final_line": record.final_line,
        "kiosk_id": record.kiosk_id,
        "language": record.language,
        "queued_at": utc_iso(record.queued_at),
        "answered_at": utc_iso(record.answered_at) if record.answered_at else None,
        "ended_at": utc_iso(record.ended_at),
        "wait_ms": record.wait_ms,
        "talk_ms": record.talk_ms,
        "outcome": str(record.outcome),
        "reason": str(record.reason),
        "transfers": record.transfers,
        "rating": record.rating,
        "interpreted": int(record.interpreted),
        "interpreter_language": record.interpreter_language,
        "guest_line": record.guest_line,
        "channel": record.channel,
        "booking_id": record.booking_id,
    }


class Router(Protocol):
    """Where the desk's operations run and where messages for parties not on its sockets go."""

    @property
    def hosting(self) -> bool:
        """Whether this desk's switchboard is the one in charge (ticks, records)."""
        ...

    def submit(self, operation: Operation) -> None: ...

    def deliver(self, party: Party, message: Message) -> None:
        """A message for a party whose socket is not on this instance."""
        ...

    def changed(self) -> None:
        """The hosted switchboard ran an operation or a tick (its state may have changed)."""
        ...

    def line_status(self, line: str) -> dict[str, Any] | None:
        """The line's status as the hosting instance last published it (None: ask the desk's
        own switchboard)."""
        ...


class LocalRouter:
    """One hub: every operation runs at once on the desk's own switchboard."""

    def __init__(self, desk: CallDesk) -> None:
        self._desk = desk

    @property
    def hosting(self) -> bool:
        return True

    def submit(self, operation: Operation) -> None:
        self._desk.carry_out(self._desk.execute(operation))

    def deliver(self, party: Party, message: Message) -> None:
        """Not connected: the message is dropped, as for a socket that just closed."""

    def changed(self) -> None:
        # One hub keeps its calls across a restart: the snapshot, when the calls changed.
        self._desk.save_switchboard()

    def line_status(self, line: str) -> dict[str, Any] | None:
        return None


class CallDesk:
    def __init__(self, config: HubConfig, store: HubStore, clock: Callable[[], datetime]) -> None:
        self._config = config
        self._clock = clock
        self._store = store
        self.switchboard = self._new_switchboard()
        #: What one client address may ask of /ws/home (hub.calls.home).
        self.home_limits = HomeLimits(config.home, store.rate_hits)
        self._connections: dict[Party, Connection] = {}
        self._ticker: asyncio.Task[None] | None = None
        self._closing: set[asyncio.Task[None]] = set()
        self._stamp: tuple[int, int] | None = None
        self._checked_at = 0.0
        #: The hub pings every socket this often ([hub] heartbeat_seconds); one that has not
        #: answered within half of it more is gone (its party leaves the queue or its call
        #: ends), however quiet the network went. The advisor's console, which cannot see those
        #: pings, sends a `ping` of its own at the same pace (told in its `hello`) and counts
        #: the hub as gone when nothing has come for 2.5 of them.
        self.heartbeat_s = float(config.heartbeat_seconds)
        #: This hub process among the instances sharing a switchboard (hub.cluster).
        self.instance = uuid.uuid4().hex[:12]
        self.router: Router = LocalRouter(self)
        #: One hub's switchboard in its store (hub.calls.saved): restored at start, saved when
        #: its calls change. Hubs that share a switchboard keep theirs in hub.cluster.
        self.saved = SavedSwitchboard(store)

    def _new_switchboard(self) -> Switchboard:
        config = self._config
        return Switchboard(
            [
                LineConfig.of(
                    line.id,
                    line.advisors,
                    line.ring_seconds,
                    line.languages,
                    interpreting=line.interpreting or None,
                    names={lang: line.name(lang) for lang in LANGUAGES},
                )
                for line in config.lines
            ],
            wall=self._clock,
            opening_hours=opening_hours(config),
            home_max_waiting=config.home.max_waiting,
            booking_late_minutes=config.appointments.late_minutes,
            resume_seconds=config.resume_seconds,
        )

    def reset_switchboard(self) -> None:
        """A switchboard with no calls, for an instance that takes the switchboard over (it
        restores the last snapshot into it)."""
        self.switchboard = self._new_switchboard()

    def save_switchboard(self) -> None:
        """Save one hub's switchboard if its calls changed (hub.calls.saved)."""
        try:
            self.saved.save(self.switchboard)
        except Exception:
            log.exception("could not save the switchboard")

    def now(self) -> datetime:
        """The hub's wall clock."""
        return self._clock()

    # --- connections -----------------------------------------------------------------------

    async def attach(
        self,
        party: Party,
        ws: web.WebSocketResponse,
        still_valid: Callable[[], bool] = always_valid,
    ) -> Connection:
        """Register `ws` as the party's socket; an older one here counts as lost (the party is
        away: its new socket may resume its call), then is closed. A client opens a second
        socket when it takes the first for dead, which the hub may not have noticed yet (a
        network that went quiet): the call must not end for that."""
        older = self._connections.pop(party, None)
        connection = Connection(party, ws, still_valid)
        self._connections[party] = connection
        if older is not None:
            log.info("%s %s connected again: the older socket counts as lost", *party)
            self._left(older)
            await older.close(WSCloseCode.POLICY_VIOLATION, b"replaced by a newer connection")
        return connection

    def joined(self, connection: Connection, **details: str) -> None:
        """The party of a socket just attached (and greeted) joins the switchboard."""
        connection.details = details
        self.submit(
            operations.joined(connection.party, self.instance, connection.socket_id, **details)
        )

    def rejoined(self, connection: Connection) -> Operation:
        """`joined` again for a socket already open, when another instance took the
        switchboard over: its party gets its call back."""
        party, socket_id = connection.party, connection.socket_id
        return {**operations.joined(party, self.instance, socket_id, **connection.details),
                "again": True}  # fmt: skip

    def said(self, connection: Connection, message: Message) -> None:
        """A message the socket layer checked, for the switchboard."""
        self.submit(operations.said(connection.party, self.instance, connection.socket_id, message))

    def connection(self, party: Party) -> Connection | None:
        """The party's socket on this instance, if it has one."""
        return self._connections.get(party)

    def connections(self) -> list[Connection]:
        return list(self._connections.values())

    def valid(self, connection: Connection) -> bool:
        """Whether the connection's credential still holds; when not, the party leaves now and
        its socket is closed with `CREDENTIAL_ENDED`."""
        try:
            if connection.still_valid():
                return True
        except Exception:
            # The store could not be read: keep the socket rather than drop every call.
            log.exception("could not check the credential of %s %s", *connection.party)
            return True
        log.info("%s %s: its credential ended, closing its socket", *connection.party)
        connection.goodbye = True
        self.detach(connection)
        self.close_later(connection, CREDENTIAL_ENDED, CREDENTIAL_ENDED_REASON)
        return False

    def close_later(self, connection: Connection, code: int, reason: bytes) -> None:
        task = asyncio.create_task(
            connection.close(code, reason), name=f"ws-close-{connection.party.id}"
        )
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    def revalidate(self) -> None:
        """Check every open socket's credential now (after a logout, say)."""
        self._checked_at = asyncio.get_running_loop().time()
        for connection in list(self._connections.values()):
            self.valid(connection)

    def _revalidate_if_due(self) -> None:
        try:
            stamp = self._store.credentials_stamp()
        except Exception:
            log.exception("could not read the store's credentials stamp")
            return
        overdue = asyncio.get_running_loop().time() - self._checked_at >= REVALIDATE_SECONDS
        if stamp != self._stamp or overdue:
            self._stamp = stamp
            self.revalidate()

    def detach(self, connection: Connection) -> None:
        """The socket closed: if it is still the party's current one, the party left (gone
        after a goodbye, else away)."""
        if self._connections.get(connection.party) is connection:
            del self._connections[connection.party]
            self._left(connection)

    def drop(self, party: Party, socket_id: str) -> None:
        """The party connected again on another instance: its socket here is closed without
        a word to the switchboard (the host has already counted it as lost)."""
        connection = self._connections.get(party)
        if connection is not None and connection.socket_id == socket_id:
            del self._connections[party]
            self.close_later(
                connection, WSCloseCode.POLICY_VIOLATION, b"replaced by a newer connection"
            )

    def _left(self, connection: Connection) -> None:
        self.submit(
            operations.left(
                connection.party,
                self.instance,
                connection.socket_id,
                away=not connection.goodbye,
            )
        )

    # --- operations ------------------------------------------------------------------------

    def submit(self, operation: Operation) -> None:
        self.router.submit(operation)

    def execute(self, operation: Operation) -> Effects:
        """Run one operation on this desk's switchboard (it is the one in charge): what to
        carry out. A request the switchboard refuses is an `error` to its party."""
        party = party_of(operation)
        kind = operation["op"]
        request_id: object = None
        try:
            if kind == "joined":
                return self._joined(party, operation)
            if kind == "left":
                return self._gone_or_away(party, away=bool(operation.get("away")))
            message: Message = operation["message"]
            request_id = message.get("id")
            return request(self.switchboard, self.booked_call, party, message)()
        except (CallError, BadRequest) as refused:
            fx = Effects()
            fx.tell(party, error(str(refused), request_id))
            return fx
        except Exception:
            # A bug met by an odd message: that message fails, the sockets and calls stay.
            log.exception("a %s operation %s could not be run", party.kind, kind)
            fx = Effects()
            if kind == "said":
                fx.tell(party, error("the hub could not handle this message", request_id))
            return fx

    def _joined(self, party: Party, operation: Operation) -> Effects:
        sb = self.switchboard
        if party.kind == "advisor":
            return sb.advisor_connected(party.id)
        return sb.kiosk_connected(
            party.id,
            name=str(operation.get("name", "")),
            location=str(operation.get("location", "")),
            channel=str(operation.get("channel", "kiosk")),
        )

    def _gone_or_away(self, party: Party, *, away: bool) -> Effects:
        """The party's socket closed: away (its call kept for `resume_seconds`) when it was
        lost, gone after a goodbye."""
        sb = self.switchboard
        if party.kind in ("kiosk", "home"):
            return sb.kiosk_away(party.id) if away else sb.kiosk_gone(party.id)
        return sb.advisor_away(party.id) if away else sb.advisor_gone(party.id)

    def line_status(self, line: str) -> dict[str, Any]:
        """What a citizen sees of `line` before calling (`/api/lines`), from whichever
        instance hosts the switchboard."""
        published = None if self.router.hosting else self.router.line_status(line)
        if published is not None:
            return published
        return self.switchboard.line_status(line).as_json()

    # --- effects ---------------------------------------------------------------------------

    def carry_out(self, effects: Effects, *, quiet: bool = False) -> None:
        """Send the messages, store the records. `quiet`: the operations are being run again
        to rebuild the switchboard (their messages went out before): records only."""
        if not quiet:
            for notify in effects.messages:
                self._send(notify.to, notify.message)
        for record in effects.records:
            try:
                self._store.save_call_record(record_row(record))
            except Exception:
                log.exception("could not store the record of call %s", record.call_id)
        for booking_id, at in effects.served:
            try:
                self._store.appointments.served(booking_id, at)
            except Exception:
                log.exception("could not mark booking %s served", booking_id)
        self.router.changed()

    def _send(self, to: Party, message: Message) -> None:
        if message.get("type") == "connected":
            # A socket may have been open for days: its hello's TURN credentials could be
            # near their expiry, so each call starts with fresh ones for its party.
            now = self._clock()
            message = {**message, "ice_servers": self._config.ice_servers(to.id, now)}
            if to.kind == "kiosk":
                # Whether what the advisor sends as a PDF prints free (docs/call-help.md).
                line = self._config.line(str(message.get("line")))
                free = line.advisor_documents_print_free if line is not None else True
                message["documents_print_free"] = free
        connection = self._connections.get(to)
        if connection is not None:
            connection.send(message)
        else:
            self.router.deliver(to, message)

    def deliver_here(self, to: Party, message: Message) -> None:
        """A message the hosting instance sent for a party whose socket is here."""
        connection = self._connections.get(to)
        if connection is not None:
            connection.send(message)

    # --- booked calls ----------------------------------------------------------------------

    def booked_call(self, party: Party, code: str, language: str) -> Effects:
        """A citizen's call with a booking code: the switchboard's booked call, or `ended`
        saying why the code reaches nobody now (docs/appointments.md)."""
        # Refused before the code is spent, as a call without one would be.
        self.switchboard.ready_to_call(party.id)
        settings = self._config.appointments
        try:
            booked = self._store.appointments.arrive(
                code,
                self._clock(),
                "home" if party.kind == "home" else "kiosk",
                early_minutes=settings.early_minutes,
                late_minutes=settings.late_minutes,
            )
        except BookingRefused as refused:
            reason = BOOKING_REFUSALS.get(refused.reason, "booking_over")
            extra: Message = {}
            if reason == "booking_early":
                extra["opens_at"] = utc_iso(refused.opens_at) if refused.opens_at else None
            return refusal(party, reason, **extra)
        log.info("a booked call", extra={"booking": booked.booking_id, "line": booked.line})
        return self.switchboard.request_call(party.id, booked.line, language, booked=booked)[1]

    # --- the clock -------------------------------------------------------------------------

    async def start(self, app: web.Application) -> None:
        if isinstance(self.router, LocalRouter):
            self.saved.restore_into(self.switchboard)  # every party away until it resumes
        self._ticker = asyncio.create_task(self._tick(), name="switchboard-tick")

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(TICK_SECONDS)
            self._revalidate_if_due()
            if not self.router.hosting:
                continue
            try:
                self.carry_out(self.switchboard.tick())
            except Exception:
                log.exception("switchboard tick failed")

    async def close_all(self, app: web.Application) -> None:
        """On shutdown: close every socket (their handlers then return). The parties are away,
        not gone: they reconnect (to another instance, or to this one restarted) and resume."""
        for connection in list(self._connections.values()):
            await connection.close(WSCloseCode.GOING_AWAY, b"hub shutting down")

    async def stop(self, app: web.Application) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None


def refusal(party: Party, reason: str, **extra: object) -> Effects:
    """`ended` for a call refused before the switchboard queued it (a booking code that reaches
    nobody, a limit of the home socket): a call id of its own, nothing recorded."""
    effects = Effects()
    message: Message = {"type": "ended", "call": uuid.uuid4().hex, "reason": reason}
    effects.tell(party, {**message, "can_rate": False, **extra})
    return effects


def error(message: str, request_id: object = None) -> Message:
    reply: Message = {"type": "error", "message": message}
    if request_id is not None:
        reply["id"] = request_id
    return reply


DESK = web.AppKey("call_desk", CallDesk)
