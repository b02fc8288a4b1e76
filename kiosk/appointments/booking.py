"""Booking a video appointment on the hub (docs/appointments.md, "Bookings (kiosk)"): the free
slots of a line, and a booking of one of them that gives the citizen a code.

The requests run on an event loop (the app's engine) through kiosk.hubclient. What can go wrong
is said by type: `SlotTaken` (another kiosk was quicker: choose another), `NoSlot` (it is gone),
`BookingRefused` (the hub would not take it), `BookingUnavailable` (the hub cannot be reached
now: nothing was booked, nothing is lost; try again)."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from kiosk.hubclient import HubRefused, refused

if TYPE_CHECKING:
    from kiosk.hubclient import HubClient

log = logging.getLogger(__name__)

HELSINKI = ZoneInfo("Europe/Helsinki")
SLOTS_PATH = "/api/kiosk/slots"
BOOKINGS_PATH = "/api/kiosk/bookings"
#: A booking request may take this long in all, opening the connection this long.
REQUEST_SECONDS = 10.0
CONNECT_SECONDS = 4.0


class BookingError(Exception):
    """A booking or the slots' list did not work out; the subclass says why."""


class BookingUnavailable(BookingError):
    """The hub could not be reached or did not answer as it should: nothing was booked."""


class SlotTaken(BookingError):
    """Another citizen booked the slot first (409 slot_taken)."""


class NoSlot(BookingError):
    """The slot is gone: removed by its advisor, or no longer bookable (404 no_slot)."""


class BookingRefused(BookingError):
    """The hub refused the booking for good (422): a bad language or topic."""


@dataclass(frozen=True)
class Slot:
    id: str
    starts_at: datetime
    ends_at: datetime

    @property
    def day(self) -> date:
        """The day it is on, in Helsinki."""
        return self.starts_at.astimezone(HELSINKI).date()


@dataclass(frozen=True)
class Booking:
    """A booked appointment: what the citizen is shown, printed and e-mailed."""

    booking: str
    #: Eight digits; `shown_code` groups them as "4821 0937".
    code: str
    line: str
    starts_at: datetime
    ends_at: datetime
    valid_from: datetime | None = None
    valid_until: datetime | None = None

    @property
    def shown_code(self) -> str:
        return format_code(self.code)


def format_code(code: str) -> str:
    """A booking code as it is shown and printed: two groups of four digits."""
    digits = "".join(c for c in code if c.isdigit())
    return f"{digits[:4]} {digits[4:]}" if len(digits) == 8 else code


def by_day(slots: Iterable[Slot]) -> list[tuple[date, list[Slot]]]:
    """The slots grouped by their day in Helsinki, days and slots earliest first."""
    days: dict[date, list[Slot]] = {}
    for slot in sorted(slots, key=lambda s: s.starts_at):
        days.setdefault(slot.day, []).append(slot)
    return list(days.items())


def _time(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def parse_slots(payload: Any) -> list[Slot]:
    """The free slots of a `/api/kiosk/slots` answer; any slot of the wrong shape is left out."""
    found: list[Slot] = []
    raw = payload.get("slots") if isinstance(payload, dict) else None
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        starts, ends = _time(item.get("starts_at")), _time(item.get("ends_at"))
        if starts is not None and ends is not None:
            found.append(Slot(item["id"], starts, ends))
    return sorted(found, key=lambda s: s.starts_at)


def parse_booking(payload: Any) -> Booking:
    """A `POST /api/kiosk/bookings` answer (201)."""
    if not isinstance(payload, dict):
        raise BookingUnavailable("the hub's booking answer is not a JSON object")
    code = payload.get("code")
    starts, ends = _time(payload.get("starts_at")), _time(payload.get("ends_at"))
    if not isinstance(code, str) or starts is None or ends is None:
        raise BookingUnavailable("the hub's booking answer lacks its code or times")
    return Booking(
        booking=str(payload.get("booking") or ""),
        code="".join(c for c in code if c.isdigit()),
        line=str(payload.get("line") or ""),
        starts_at=starts,
        ends_at=ends,
        valid_from=_time(payload.get("valid_from")),
        valid_until=_time(payload.get("valid_until")),
    )


async def fetch_slots(hub: HubClient, line: str) -> list[Slot]:
    """The free slots of `line`, earliest first; raises BookingUnavailable when the hub cannot
    say, HubRefused when it refuses this kiosk's credentials."""
    import aiohttp

    try:
        async with (
            hub.session(total=REQUEST_SECONDS, connect=CONNECT_SECONDS) as http,
            http.get(hub.url(SLOTS_PATH), params={"line": line}) as response,
        ):
            if refused(response.status):
                raise HubRefused(response.status)
            if response.status != 200:
                raise BookingUnavailable(f"the hub answered {response.status} to {SLOTS_PATH}")
            payload = await response.json()
    except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as exc:
        raise BookingUnavailable(str(exc) or type(exc).__name__) from exc
    return parse_slots(payload)


async def book_slot(
    hub: HubClient,
    slot: str,
    *,
    language: str,
    topic: str,
    contact_sealed: bytes | None = None,
) -> Booking:
    """Book `slot` for a citizen speaking `language` about `topic`; `contact_sealed` is their
    phone number or address sealed to the hub's key, for the advisor to reach them."""
    import aiohttp

    body: dict[str, Any] = {"slot": slot, "language": language, "topic": topic}
    if contact_sealed is not None:
        body["contact_sealed"] = base64.b64encode(contact_sealed).decode("ascii")
    try:
        async with (
            hub.session(total=REQUEST_SECONDS, connect=CONNECT_SECONDS) as http,
            http.post(hub.url(BOOKINGS_PATH), json=body) as response,
        ):
            status = response.status
            try:
                answer = await response.json(content_type=None)
            except ValueError:
                answer = {}
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        raise BookingUnavailable(str(exc) or type(exc).__name__) from exc
    code = answer.get("code") if isinstance(answer, dict) else None
    if status == 201:
        booking = parse_booking(answer)
        log.info(
            "video appointment booked", extra={"service": "advice", "booking_id": booking.booking}
        )
        return booking
    if refused(status):
        raise HubRefused(status)
    if status == 409:
        raise SlotTaken(slot)
    if status == 404:
        raise NoSlot(slot)
    if status == 422:
        raise BookingRefused(str(code or "refused"))
    raise BookingUnavailable(f"the hub answered {status} to {BOOKINGS_PATH}")
