"""The call queue's vocabulary: lines, parties, the messages it emits and the records it keeps.

Everything here is plain data. The switchboard (`queue.py`) never sends anything itself: each
operation returns `Effects`, the messages to deliver and the records to store, and the WebSocket
layer carries them out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal, NamedTuple

Message = dict[str, Any]
"""One JSON object as sent over a WebSocket."""


class Party(NamedTuple):
    """One end of a WebSocket: a kiosk by id, an advisor by username, or a citizen calling
    from home (`/ws/home`) by the random `home-<hex>` id of their socket."""

    kind: Literal["kiosk", "advisor", "home"]
    id: str


#: The `kiosk_id` of a home caller's call record: no socket's id is kept.
HOME_KIOSK_ID = "home"


def kiosk(kiosk_id: str) -> Party:
    return Party("kiosk", kiosk_id)


def home(party_id: str) -> Party:
    return Party("home", party_id)


def advisor(username: str) -> Party:
    return Party("advisor", username)


@dataclass(frozen=True)
class Notify:
    """A message for one party; the WebSocket layer sends it if that party is connected."""

    to: Party
    message: Message


class CallError(Exception):
    """A request the switchboard refuses; the message is meant for the party that asked."""


class Role(StrEnum):
    """A party's place in a call (docs/call-three-party.md): who signalling is addressed to."""

    KIOSK = "kiosk"
    HOST = "host"  # the advisor who answered, took over, or was promoted
    GUEST = "guest"  # the advisor invited into the call, while they are in it


class EndReason(StrEnum):
    """Why a call ended, as told to the parties (`ended.reason`) and kept in the record."""

    ADVISOR_HUNG_UP = "advisor_hung_up"
    KIOSK_HUNG_UP = "kiosk_hung_up"
    ADVISOR_GONE = "advisor_gone"
    KIOSK_GONE = "kiosk_gone"
    CANCELLED = "cancelled"
    NO_ADVISOR = "no_advisor"
    LINE_CLOSED = "line_closed"
    #: A home caller refused because the line has `[home] max_waiting` home callers waiting.
    QUEUE_FULL = "queue_full"


class Outcome(StrEnum):
    """The anonymous result of a call, for statistics."""

    ANSWERED = "answered"  # connected, then hung up by either side
    CANCELLED = "cancelled"  # the citizen gave up while waiting
    NO_ADVISOR = "no_advisor"  # refused, or every advisor left while the citizen waited
    LINE_CLOSED = "line_closed"  # refused outside opening hours
    KIOSK_GONE = "kiosk_gone"  # the kiosk dropped, waiting or in the call
    ADVISOR_GONE = "advisor_gone"  # the advisor's console dropped mid-call
    QUEUE_FULL = "queue_full"  # a home caller refused: too many home callers waiting


@dataclass(frozen=True)
class CallRecord:
    """One citizen's call, without names: what the store keeps for statistics.

    `call_id` is random and says nothing about the citizen; a rating arrives after the call
    ended as a second record with the same `call_id`, so the store upserts by it. Times are
    wall-clock UTC; `wait_ms` and `talk_ms` are measured on the monotonic clock and summed over
    every leg of a transferred call.
    """

    call_id: str
    line: str  # the line the citizen chose
    final_line: str  # the line the call ended on (differs after a transfer)
    kiosk_id: str
    language: str
    queued_at: datetime
    answered_at: datetime | None
    ended_at: datetime
    wait_ms: int
    talk_ms: int
    outcome: Outcome
    reason: EndReason
    transfers: int
    rating: int | None = None
    #: An interpreter line joined the call at some point; the first such line's language.
    interpreted: bool = False
    interpreter_language: str | None = None
    #: The line of the first advisor invited into the call who joined it.
    guest_line: str | None = None
    #: Where the citizen called from: "kiosk", or "home" (then `kiosk_id` is "home").
    channel: str = "kiosk"
    #: The booking whose code the citizen used (docs/appointments.md), if any.
    booking_id: str | None = None


@dataclass
class Effects:
    """What one switchboard operation asks the caller to do: deliver messages, store records."""

    messages: list[Notify] = field(default_factory=list)
    records: list[CallRecord] = field(default_factory=list)
    #: Bookings whose booked call was answered, and when: the store marks them `served`.
    served: list[tuple[str, datetime]] = field(default_factory=list)

    def tell(self, to: Party, message: Message) -> None:
        self.messages.append(Notify(to, message))

    def to(self, party: Party | tuple[str, str]) -> list[Message]:
        """The messages for one party, in order."""
        return [n.message for n in self.messages if n.to == party]

    def extend(self, other: Effects) -> None:
        self.messages.extend(other.messages)
        self.records.extend(other.records)
        self.served.extend(other.served)


@dataclass(frozen=True)
class LineConfig:
    """A service line (`virka-info`, `kansalaisneuvonta`) and the advisors who answer it."""

    line_id: str
    advisors: frozenset[str]
    ring_seconds: float = 20.0
    languages: frozenset[str] = frozenset()  # empty: any language
    #: The language an interpreter line's advisors interpret (BCP 47); None: a service line.
    interpreting: str | None = None
    #: The line's name by language ("fi", "sv", "en"), told to a kiosk when its advisor joins.
    names: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(
        cls,
        line_id: str,
        advisors: Iterable[str],
        ring_seconds: float = 20.0,
        languages: Iterable[str] = (),
        *,
        interpreting: str | None = None,
        names: Mapping[str, str] | None = None,
    ) -> LineConfig:
        return cls(
            line_id,
            frozenset(advisors),
            ring_seconds,
            frozenset(languages),
            interpreting or None,
            tuple((names or {}).items()),
        )

    @property
    def kind(self) -> Literal["service", "interpreter"]:
        return "interpreter" if self.interpreting else "service"

    def name(self, language: str) -> str:
        """The line's name in `language`, else its Finnish one, else its id."""
        names = dict(self.names)
        return names.get(language) or names.get("fi") or self.line_id

    def __post_init__(self) -> None:
        if not self.line_id:
            raise ValueError("a line needs an id")
        if self.ring_seconds <= 0:
            raise ValueError(f"line {self.line_id}: ring_seconds must be positive")


@dataclass(frozen=True)
class Opening:
    """Whether a line takes calls now, and when it opens next if not (shown to the citizen)."""

    is_open: bool
    next_opening: datetime | None = None


OpeningHours = Callable[[str, datetime], Opening]
"""(line id, wall-clock now) → `Opening`. The caller owns the timetable."""


def always_open(line: str, now: datetime) -> Opening:
    return Opening(is_open=True)
