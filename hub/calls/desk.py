"""The call desk of one hub: its switchboard, the sockets connected to it, and what it records.

The switchboard (`hub.calls`) is pure; the desk feeds it what happens on the sockets and carries
out the `Effects` it returns: each message goes into its party's outbox (sent in order by that
socket's writer), a `connected` with ICE servers minted for its party (hub.calls.ice), each
`CallRecord` into the store. A background task ticks the switchboard about once a second for ring
timeouts and unstaffed lines.

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
)
from hub.calls.limits import HomeLimits
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


def always_valid() -> bool:
    return True


class Connection:
    """One party's WebSocket and its outbox: messages are queued at once and sent in order."""

    def __init__(
        self,
        party: Party,
        ws: web.WebSocketResponse,
        still_valid: Callable[[], bool] = always_valid,
    ) -> None:
        self.party = party
        self.ws = ws
        #: Whether the credential the socket was opened with still holds (reads the store).
        self.still_valid = still_valid
        self._outbox: asyncio.Queue[Message | None] = asyncio.Queue()
        self._writer = asyncio.create_task(self._write(), name=f"ws-writer-{party.id}")
        self._closing: asyncio.Future[None] | None = None

    def send(self, message: Message) -> None:
        self._outbox.put_nowait(message)

    async def _write(self) -> None:
        while (message := await self._outbox.get()) is not None:
            if self.ws.closed:
                continue
            try:
                await self.ws.send_json(message)
            except (ConnectionError, RuntimeError):
                log.info("could not send to %s %s: socket closing", *self.party)

    async def close(self, code: int = WSCloseCode.OK, message: bytes = b"") -> None:
        """Send what is queued, stop the writer, close the socket. The first call's code and
        reason are the ones sent; a later call (the handler's own, as its loop ends) waits for
        that close rather than racing it with another."""
        if self._closing is None:
            self._closing = asyncio.ensure_future(self._close(code, message))
        await asyncio.shield(self._closing)

    async def _close(self, code: int, message: bytes) -> None:
        self._outbox.put_nowait(None)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._writer, timeout=5.0)
        self._writer.cancel()
        with contextlib.suppress(Exception):
            await self.ws.close(code=code, message=message)


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


class CallDesk:
    def __init__(self, config: HubConfig, store: HubStore, clock: Callable[[], datetime]) -> None:
        self.switchboard = Switchboard(
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
            wall=clock,
            opening_hours=opening_hours(config),
            home_max_waiting=config.home.max_waiting,
            booking_late_minutes=config.appointments.late_minutes,
        )
        self._config = config
        self._clock = clock
        self._store = store
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
        """Register `ws` as the party's socket; an older one counts as gone, then is closed."""
        older = self._connections.pop(party, None)
        if older is not None:
            log.info("%s %s connected again: the older socket counts as gone", *party)
            self.gone(party)
            await older.close(WSCloseCode.POLICY_VIOLATION, b"replaced by a newer connection")
        connection = Connection(party, ws, still_valid)
        self._connections[party] = connection
        return connection

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
        self.detach(connection)
        task = asyncio.create_task(
            connection.close(CREDENTIAL_ENDED, CREDENTIAL_ENDED_REASON),
            name=f"ws-close-{connection.party.id}",
        )
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)
        return False

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
        """The socket closed: if it is still the party's current one, the party is gone."""
        if self._connections.get(connection.party) is connection:
            del self._connections[connection.party]
            self.gone(connection.party)

    def gone(self, party: Party) -> None:
        if party.kind in ("kiosk", "home"):
            self.carry_out(self.switchboard.kiosk_gone(party.id))
        else:
            self.carry_out(self.switchboard.advisor_gone(party.id))

    # --- effects ---------------------------------------------------------------------------

    def run(
        self, operation: Callable[[], Effects], reply_to: Connection, request_id: object
    ) -> None:
        """Run one switchboard operation for a request; a `CallError` becomes an `error`."""
        try:
            effects = operation()
        except CallError as refused:
            reply_to.send(error(str(refused), request_id))
            return
        self.carry_out(effects)

    def carry_out(self, effects: Effects) -> None:
        for notify in effects.messages:
            connection = self._connections.get(notify.to)
            if connection is None:
                continue
            message = notify.message
            if message.get("type") == "connected":
                # A socket may have been open for days: its hello's TURN credentials could be
                # near their expiry, so each call starts with fresh ones for its party.
                now = self._clock()
                message = {**message, "ice_servers": self._config.ice_servers(notify.to.id, now)}
                if notify.to.kind == "kiosk":
                    # Whether what the advisor sends as a PDF prints free (docs/call-help.md).
                    line = self._config.line(str(message.get("line")))
                    free = line.advisor_documents_print_free if line is not None else True
                    message["documents_print_free"] = free
            connection.send(message)
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
        self._ticker = asyncio.create_task(self._tick(), name="switchboard-tick")

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(TICK_SECONDS)
            self._revalidate_if_due()
            try:
                self.carry_out(self.switchboard.tick())
            except Exception:
                log.exception("switchboard tick failed")

    async def close_all(self, app: web.Application) -> None:
        """On shutdown: close every socket (their handlers then return)."""
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
