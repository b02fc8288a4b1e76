"""What the call desk needs to know of a booking when its code is used (hub.calls)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Booked:
    """A booking whose code was just used within its window: who holds the slot, and when."""

    booking_id: str
    line: str
    advisor: str
    starts_at: datetime
    ends_at: datetime
    language: str
    topic: str


class BookingRefused(Exception):
    """A code that reaches nobody now. `reason` is one of: `unknown` (no such code), `early`
    (its window has not begun; `opens_at` says when), `late` (its window is over), `used`
    (already served or cancelled)."""

    def __init__(self, reason: str, opens_at: datetime | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.opens_at = opens_at
