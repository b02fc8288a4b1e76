"""What the kiosk knows of a video-advice call, whoever carries it (no Qt here).

The hub offers service lines (Virka-info, Kansalaisneuvonta...) and queues calls; an
`AdviceClient` is the kiosk's connection to it. Screens ask it for the lines, start, cancel and
end a call, rate it, and follow its `AdviceStatus` through a listener called on any thread.
The media of a connected call are kiosk.video.media's business.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from kiosk.video.help import Admission, CallHelp, HelpEvent
    from kiosk.video.peer import ReceiveStats, RemoteVideoFrame


class AdvicePhase(StrEnum):
    IDLE = "idle"
    #: Asking the hub for a place in the queue.
    REQUESTING = "requesting"
    QUEUED = "queued"
    #: An advisor's console is ringing.
    RINGING = "ringing"
    CONNECTED = "connected"
    ENDED = "ended"
    #: The hub said no: the line is closed or nobody is available.
    REFUSED = "refused"
    #: The hub cannot be reached.
    UNAVAILABLE = "unavailable"


class LineState(StrEnum):
    """What a call to a line would meet now, as the hub last said (docs/call-protocol.md)."""

    #: Open, and at least one advisor is free.
    AVAILABLE = "available"
    #: Open, every advisor on duty is in a call: the call would queue.
    BUSY = "busy"
    #: Open, but no advisor is signed in and available: the call would be refused.
    UNSTAFFED = "unstaffed"
    CLOSED = "closed"
    #: The hub did not say (only whether the line is open).
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class AdviceLine:
    id: str
    names: dict[str, str]
    descriptions: dict[str, str]
    phone: str
    languages: tuple[str, ...]
    open_now: bool
    #: When it opens next, if it is closed now (aware datetime).
    next_opening: datetime | None = None
    state: LineState = LineState.UNKNOWN
    #: Advisors free now; calls waiting in the line's queue; a new caller's estimated wait
    #: (while busy).
    advisors_free: int = 0
    waiting: int = 0
    estimated_wait_s: int | None = None

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names.get("fi") or self.id

    def description(self, language: str) -> str:
        return self.descriptions.get(language) or self.descriptions.get("fi") or ""


@dataclass(frozen=True)
class CallGuest:
    """A third person in the call (docs/call-three-party.md): an interpreter, or an advisor of
    another service line."""

    line: str
    names: dict[str, str]
    #: "interpreter" or "authority".
    reason: str
    #: The language an interpreter interprets (BCP 47, e.g. "fse"), None for an authority.
    interpreting: str | None = None

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names.get("fi") or self.line


@dataclass(frozen=True)
class AdviceStatus:
    phase: AdvicePhase
    line: str | None = None
    #: The hub's id of the call, once it has one.
    call: str | None = None
    #: Place in the queue (1 = next) and the estimated wait, while queued.
    position: int | None = None
    estimated_wait_s: int | None = None
    #: Why the call ended or was refused: "line_closed", "no_advisor", "advisor_hung_up", ...
    reason: str | None = None
    #: Whether the citizen may rate the call that ended.
    can_rate: bool = False
    #: When a closed line opens next (aware datetime), if the hub said.
    next_opening: datetime | None = None
    #: A third person in the connected call, while they are in it.
    guest: CallGuest | None = None
    #: The call came with a booking code and waits for the advisor who holds its slot.
    booked: bool = False
    #: When a booking code starts to work, if it was used too early (aware datetime).
    opens_at: datetime | None = None


StatusListener = Callable[[AdviceStatus], None]

#: A booking code's digits (docs/appointments.md): shown as two groups of four.
BOOKING_CODE_DIGITS = 8


def booking_code(text: str) -> str | None:
    """The code's digits from what was typed (spaces allowed), or None if it is not 8 digits."""
    digits = "".join(text.split())
    if len(digits) != BOOKING_CODE_DIGITS or not digits.isascii() or not digits.isdigit():
        return None
    return digits


class AdviceClient(ABC):
    """The kiosk's side of the hub's call service. Methods return at once; what follows is
    reported to the listeners as AdviceStatus, from any thread."""

    def __init__(self) -> None:
        self._listeners: list[StatusListener] = []
        self.status = AdviceStatus(AdvicePhase.IDLE)
        #: Called on any thread when a picture of the advisor is waiting in
        #: `take_remote_video()`; set by the screen that shows it.
        self.on_remote_video: Callable[[], None] | None = None
        #: Hears, on any thread, of what changes in the connected call's help
        #: (kiosk.video.help: text, papers, what the advisor sent); set by the call's screen.
        self.help_listener: Callable[[CallHelp, HelpEvent], None] | None = None
        #: Whether the kiosk takes what an advisor sends (an e-service, a form, a PDF): None
        #: takes it, a string is the refusal's reason. Called on the engine loop.
        self.help_admission: Admission | None = None
        #: Where a PDF the advisor sends is kept: the session's folder, set by the call's screen.
        self.documents_folder: Path | None = None
        self._help_watchers: list[Callable[[CallHelp, HelpEvent], None]] = []

    def watch_help(self, listener: Callable[[CallHelp, HelpEvent], None]) -> Callable[[], None]:
        """Hear of help events beside `help_listener` (screen sharing is the window's, not the
        call screen's); returns the way to stop."""
        self._help_watchers.append(listener)
        return lambda: (
            self._help_watchers.remove(listener) if listener in self._help_watchers else None
        )

    def _help_event(self, help_: CallHelp, event: HelpEvent) -> None:
        """Called by the call's help on the engine loop: tell everyone who listens."""
        for listener in [self.help_listener, *self._help_watchers]:
            if listener is not None:
                listener(help_, event)

    def subscribe(self, listener: StatusListener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _report(self, status: AdviceStatus) -> None:
        self.status = status
        for listener in list(self._listeners):
            listener(status)

    @abstractmethod
    def lines(self) -> list[AdviceLine]:
        """The service lines as last heard from the hub; empty when it was never reached."""

    @abstractmethod
    def refresh_lines(self) -> Future[list[AdviceLine]]:
        """Ask the hub for the lines now. The future fails (soon: short timeouts) when the hub
        cannot be reached; `lines()` then still gives what was heard before, if anything."""

    @abstractmethod
    def start(self, line: str, language: str) -> None:
        """Ask for an advisor of `line`, speaking `language`."""

    def start_booked(self, code: str, language: str) -> None:
        """Ask for the advisor of the booking whose code is `code` (8 digits), speaking
        `language`; the hub knows the booking's line. A client that cannot refuses."""
        self._report(AdviceStatus(AdvicePhase.REFUSED, reason="error"))

    @abstractmethod
    def cancel(self) -> None:
        """Leave the queue, or end the call under way."""

    @abstractmethod
    def set_muted(self, muted: bool) -> None:
        """Stop (or resume) sending the citizen's sound."""

    @abstractmethod
    def rate(self, stars: int) -> None:
        """The citizen's rating of the call just ended, 1 to 5."""

    def take_remote_video(self) -> RemoteVideoFrame | None:
        """Any thread: the newest picture of the advisor not taken yet, or None."""
        return None

    def receive_stats(self) -> ReceiveStats | None:
        """Any thread: what the call under way has received so far, or None with no call."""
        return None

    def take_guest_video(self) -> RemoteVideoFrame | None:
        """Any thread: the newest picture of the third person in the call, or None."""
        return None

    def guest_stats(self) -> ReceiveStats | None:
        """Any thread: what the connection to the third person has received, or None."""
        return None

    @property
    def help(self) -> CallHelp | None:
        """The connected call's text, papers and what the advisor sent; None with no call."""
        return None

    @abstractmethod
    def close(self) -> None:
        """Hang up whatever is under way and stop talking to the hub (at shutdown)."""
