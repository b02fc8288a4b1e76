"""The switchboard's mutable state: the calls in progress, the kiosks and advisors it knows."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from hub.appointments.model import Booked
from hub.calls.model import (
    HOME_KIOSK_ID,
    CallRecord,
    EndReason,
    Outcome,
    Party,
    Role,
    advisor,
)

_OUTCOMES = {
    EndReason.CANCELLED: Outcome.CANCELLED,
    EndReason.NO_ADVISOR: Outcome.NO_ADVISOR,
    EndReason.LINE_CLOSED: Outcome.LINE_CLOSED,
    EndReason.KIOSK_GONE: Outcome.KIOSK_GONE,
    EndReason.ADVISOR_GONE: Outcome.ADVISOR_GONE,
    EndReason.ADVISOR_HUNG_UP: Outcome.ANSWERED,
    EndReason.KIOSK_HUNG_UP: Outcome.ANSWERED,
    EndReason.QUEUE_FULL: Outcome.QUEUE_FULL,
}


class CallState(StrEnum):
    WAITING = "waiting"  # in its line's queue, no advisor being rung
    RINGING = "ringing"  # still in the queue, one advisor being rung
    CONNECTED = "connected"  # an advisor accepted


@dataclass
class Invitation:
    """A host's invitation of another line into a connected call, while its advisors are rung."""

    line: str
    reason: str  # "interpreter" or "authority"
    since: float
    ringing: str | None = None
    ring_deadline: float = math.inf
    tried: set[str] = field(default_factory=set)  # rung for this invitation, in any way
    refused: bool = False  # someone declined or let it ring out (else they went away)


@dataclass
class Call:
    id: str
    kiosk_id: str
    line: str
    first_line: str
    language: str
    queued_mono: float  # when the citizen first asked: the queue order, kept across transfers
    queued_wall: datetime
    seq: int  # breaks ties between calls queued in the same clock tick
    leg_since: float  # when the current wait or talk began
    joined_at_position: int
    state: CallState = CallState.WAITING
    ringing: str | None = None
    ring_deadline: float = math.inf
    tried: set[str] = field(default_factory=set)  # advisors rung in this round
    advisor: str | None = None
    answered_wall: datetime | None = None
    waited_s: float = 0.0
    talked_s: float = 0.0
    transfers: int = 0
    told: tuple[int, int, bool] | None = None  # (position, estimate, booked) last told
    invite: Invitation | None = None  # under way: no guest yet
    guest: str | None = None  # the invited advisor in the call now
    guest_line: str | None = None
    guest_reason: str | None = None
    # For the record: the first guest's line, and the first interpreter line's language.
    first_guest_line: str | None = None
    interpreted: bool = False
    interpreter_language: str | None = None
    channel: str = "kiosk"  # where the citizen calls from: "kiosk" or "home"
    booking: Booked | None = None  # the booking whose code the citizen used
    #: While set (wall clock), the call is booked: first in its line, for the slot's advisor
    #: only; after it, or once that advisor declines, an ordinary call at the queue's front.
    booked_until: datetime | None = None

    @property
    def booked(self) -> bool:
        return self.booked_until is not None

    @property
    def citizen(self) -> Party:
        """The citizen's end: a kiosk, or a home caller's socket."""
        return Party("home" if self.channel == "home" else "kiosk", self.kiosk_id)

    @property
    def queue_key(self) -> tuple[int, float, int]:
        """Booked calls first (by slot time), then calls whose booking lapsed, then the rest
        in the order they were asked."""
        if self.booking is None:
            return (2, self.queued_mono, self.seq)
        return (0 if self.booked else 1, self.booking.starts_at.timestamp(), self.seq)

    @property
    def in_queue(self) -> bool:
        return self.state is not CallState.CONNECTED

    def role_of(self, party: Party | tuple[str, str]) -> Role | None:
        """The party's role in this call, None when they are not in it."""
        for role in Role:
            if self.party(role) == party:
                return role
        return None

    def party(self, role: Role) -> Party | None:
        """Who has `role` in the call now (None: no host yet, or no guest)."""
        if role is Role.KIOSK:
            return self.citizen
        username = self.advisor if role is Role.HOST else self.guest
        return advisor(username) if username is not None else None

    def record(self, reason: EndReason, ended_at: datetime) -> CallRecord:
        """The anonymous record of this call, ended for `reason` (waits and talks summed)."""
        return CallRecord(
            call_id=self.id,
            line=self.first_line,
            final_line=self.line,
            kiosk_id=HOME_KIOSK_ID if self.channel == "home" else self.kiosk_id,
            language=self.language,
            queued_at=self.queued_wall,
            answered_at=self.answered_wall,
            ended_at=ended_at,
            wait_ms=round(self.waited_s * 1000),
            talk_ms=round(self.talked_s * 1000),
            outcome=_OUTCOMES[reason],
            reason=reason,
            transfers=self.transfers,
            interpreted=self.interpreted,
            interpreter_language=self.interpreter_language,
            guest_line=self.first_guest_line,
            channel=self.channel,
            booking_id=self.booking.booking_id if self.booking else None,
        )


@dataclass
class Kiosk:
    """A citizen's end: a kiosk, or (channel "home") a home caller, who has no name or place."""

    id: str
    name: str
    location: str
    call: str | None = None
    channel: str = "kiosk"
    #: False while its socket is lost and its call is kept for it (hub.calls.away).
    connected: bool = True
    #: Since when (monotonic) its call has been without it: lost, or back but not resumed.
    away_since: float | None = None

    @property
    def party(self) -> Party:
        return Party("home" if self.channel == "home" else "kiosk", self.id)


@dataclass
class Advisor:
    username: str
    lines: frozenset[str]
    connected: bool = False
    available: bool = False
    idle_since: float = 0.0  # since the last call ended or they became available
    ringing: str | None = None
    call: str | None = None
    #: Since when (monotonic) their call has been without them: their socket was lost, or
    #: they are back but have not resumed it (hub.calls.away).
    away_since: float | None = None

    @property
    def on_duty(self) -> bool:
        return self.connected and self.available

    @property
    def free(self) -> bool:
        return self.on_duty and self.ringing is None and self.call is None

    @property
    def status(self) -> str:
        if not self.connected:
            return "offline"
        if self.call is not None:
            return "in_call"
        if self.ringing is not None:
            return "ringing"
        return "available" if self.available else "away"
