"""Advisors' slots, bookings and calendar feeds in the hub database (docs/appointments.md)."""

from __future__ import annotations

import threading
from datetime import datetime

from sqlite_utils import Database

from hub.appointments.model import Booked


class Appointments:
    """Typed access to `advisor_slots`, `bookings` and `calendar_feeds`, under the store's lock."""

    def __init__(self, db: Database, lock: threading.RLock) -> None:
        self._db = db
        self._lock = lock

    def arrive(
        self, code: str, now: datetime, channel: str, *, early_minutes: int, late_minutes: int
    ) -> Booked:
        """The booking of `code`, now `arrived`; BookingRefused when it reaches nobody now."""
        raise NotImplementedError

    def served(self, booking_id: str, at: datetime) -> None:
        """The booked call was answered."""
        raise NotImplementedError
