"""Advisors' slots, bookings and calendar feeds in the hub database (docs/appointments.md).

Every method takes the store's lock. Times are kept as `hub.hours.utc_iso` text, whose fixed
form sorts as time does, so ranges are compared as text. A slot is free when it holds no
booking other than cancelled ones; the booking that takes it is one conditional INSERT, so of
two kiosks booking the same slot exactly one wins, even across connections. A booking's code is
kept only as its SHA-256, and its contact only sealed to the hub's key, until it is deleted
(`contact_sealed` NULL, `personal_deleted_at` set).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlite_utils import Database

from hub.appointments.model import Booked, BookingRefused
from hub.hours import utc_iso
from hub.store.schema import IntegrityErrors, reclaim_deleted

#: Bookings that still hold their slot and whose code may still be used.
LIVE = ("booked", "arrived")
STATUSES = ("booked", "arrived", "served", "no_show", "cancelled")
CODE_DIGITS = 8

CancelOutcome = Literal["cancelled", "unknown", "over"]


class SlotRefused(Exception):
    """A slot that cannot be added (`overlap`) or removed (`booked`); `reason` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class BookingFailed(Exception):
    """A slot that cannot be booked: `no_slot` (no such slot) or `slot_taken`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class BookingSummary:
    """What the schedule shows of a slot's booking: nothing that names the citizen."""

    id: str
    status: str
    language: str
    topic: str


@dataclass(frozen=True)
class Slot:
    id: str
    advisor: str
    line: str
    starts_at: datetime
    ends_at: datetime
    #: The booking that holds it (or held it: served, no-show); None when it is free.
    booking: BookingSummary | None = None


@dataclass(frozen=True)
class Booking:
    id: str
    slot_id: str
    line: str
    advisor: str
    starts_at: datetime
    ends_at: datetime
    language: str
    topic: str
    kiosk_id: str | None
    booked_at: datetime
    status: str
    arrived_channel: str | None
    #: The sealed contact, until it is deleted.
    contact_sealed: bytes | None


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def normal_code(text: str) -> str | None:
    """The 8 digits of a code as a citizen typed it (spaces allowed), or None."""
    digits = "".join(text.split())
    if len(digits) != CODE_DIGITS or not digits.isascii() or not digits.isdigit():
        return None
    return digits


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


class Appointments:
    """Typed access to `advisor_slots`, `bookings` and `calendar_feeds`, under the store's lock."""

    def __init__(self, db: Database, lock: threading.RLock) -> None:
        self._db = db
        self._lock = lock

    # Slots

    def add_slot(
        self,
        advisor: str,
        line: str,
        starts_at: datetime,
        ends_at: datetime,
        *,
        by: str,
        at: datetime,
    ) -> Slot:
        """A new slot; SlotRefused `overlap` when it overlaps another slot of the advisor (on
        any line: one person takes one call at a time)."""
        slot = Slot(secrets.token_hex(8), advisor, line, starts_at, ends_at)
        start, end = utc_iso(starts_at), utc_iso(ends_at)
        with self._lock, self._db.atomic():
            clash = self._db.execute(
                "SELECT 1 FROM advisor_slots WHERE advisor = ? AND starts_at < ? AND ends_at > ?",
                [advisor, end, start],
            ).fetchone()
            if clash is not None:
                raise SlotRefused("overlap")
            self._db.execute(
                "INSERT INTO advisor_slots (id, advisor, line, starts_at, ends_at, created_by,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [slot.id, advisor, line, start, end, by, utc_iso(at)],
            )
        return slot

    def remove_slot(self, slot_id: str) -> bool:
        """Remove a slot; False if there is none. SlotRefused `booked` while a live booking
        holds it (cancel the booking first)."""
        with self._lock, self._db.atomic():
            if self._live_booking(slot_id) is not None:
                raise SlotRefused("booked")
            removed = self._db.execute("DELETE FROM advisor_slots WHERE id = ?", [slot_id])
        return bool(removed.rowcount)

    def slot(self, slot_id: str) -> Slot | None:
        with self._lock:
            rows = self._slots("s.id = ?", [slot_id])
        return rows[0] if rows else None

    def slots(self, start: datetime, end: datetime, *, advisor: str | None = None) -> list[Slot]:
        """Slots starting in [start, end), earliest first: one advisor's, or everyone's."""
        where, params = "s.starts_at >= ? AND s.starts_at < ?", [utc_iso(start), utc_iso(end)]
        if advisor is not None:
            where, params = f"{where} AND s.advisor = ?", [*params, advisor]
        with self._lock:
            return self._slots(where, params)

    def free_slots(self, line: str, start: datetime, end: datetime, *, limit: int) -> list[Slot]:
        """A line's slots that nobody holds, starting in [start, end), earliest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, advisor, line, starts_at, ends_at FROM advisor_slots s"
                " WHERE line = ? AND starts_at >= ? AND starts_at < ? AND NOT EXISTS"
                " (SELECT 1 FROM bookings b WHERE b.slot_id = s.id AND b.status != 'cancelled')"
                " ORDER BY starts_at, id LIMIT ?",
                [line, utc_iso(start), utc_iso(end), limit],
            ).fetchall()
        return [Slot(r[0], r[1], r[2], _time(r[3]), _time(r[4])) for r in rows]

    def _slots(self, where: str, params: list[Any]) -> list[Slot]:
        # The booking shown is the one that is not cancelled: a slot holds at most one.
        rows = self._db.execute(
            "SELECT s.id, s.advisor, s.line, s.starts_at, s.ends_at,"
            " b.id, b.status, b.language, b.topic FROM advisor_slots s"
            " LEFT JOIN bookings b ON b.slot_id = s.id AND b.status != 'cancelled'"
            f" WHERE {where} ORDER BY s.starts_at, s.id",
            params,
        ).fetchall()
        return [
            Slot(
                r[0],
                r[1],
                r[2],
                _time(r[3]),
                _time(r[4]),
                BookingSummary(r[5], r[6], r[7], r[8]) if r[5] is not None else None,
            )
            for r in rows
        ]

    def _live_booking(self, slot_id: str) -> str | None:
        row = self._db.execute(
            "SELECT id FROM bookings WHERE slot_id = ? AND status IN (?, ?)", [slot_id, *LIVE]
        ).fetchone()
        return None if row is None else str(row[0])

    # Bookings

    def book(
        self,
        slot_id: str,
        *,
        language: str,
        topic: str,
        kiosk_id: str | None,
        contact_sealed: bytes | None,
        at: datetime,
    ) -> tuple[Booking, str]:
        """Book a free slot: the booking and its code (the only time the code is known).
        BookingFailed `no_slot` or `slot_taken`. Durable before it returns: the citizen
        leaves with the code."""
        with self._lock:
            slot = self.slot(slot_id)
            if slot is None:
                raise BookingFailed("no_slot")
            booking_id = secrets.token_hex(8)
            self._db.execute("PRAGMA synchronous = FULL")
            try:
                for _attempt in range(20):
                    code = new_code()
                    try:
                        with self._db.atomic():
                            taken = self._insert_booking(
                                booking_id,
                                slot,
                                code,
                                language,
                                topic,
                                kiosk_id,
                                contact_sealed,
                                at,
                            )
                    except IntegrityErrors:
                        continue  # the code is another booking's: draw again
                    if taken:
                        raise BookingFailed("slot_taken")
                    break
                else:  # pragma: no cover - 20 draws from 10^8 that all collide
                    raise RuntimeError("no free booking code")
            finally:
                self._db.execute("PRAGMA synchronous = NORMAL")
        booking = Booking(
            booking_id,
            slot.id,
            slot.line,
            slot.advisor,
            slot.starts_at,
            slot.ends_at,
            language,
            topic,
            kiosk_id,
            at,
            "booked",
            None,
            contact_sealed,
        )
        return booking, code

    def _insert_booking(
        self,
        booking_id: str,
        slot: Slot,
        code: str,
        language: str,
        topic: str,
        kiosk_id: str | None,
        contact_sealed: bytes | None,
        at: datetime,
    ) -> bool:
        """Insert the booking unless the slot is held; True when it was (nothing written).
        One statement reads and writes, so no other writer can come between: on SQLite, which
        has one writer at a time; on PostgreSQL once this transaction holds the slot's row
        (another booker of the slot waits for it, then sees its booking)."""
        if getattr(self._db, "dialect", "sqlite") == "postgresql":
            self._db.execute("SELECT id FROM advisor_slots WHERE id = ? FOR UPDATE", [slot.id])
        inserted = self._db.execute(
            "INSERT INTO bookings (id, slot_id, code_hash, line, advisor, starts_at, ends_at,"
            " language, topic, kiosk_id, booked_at, status, contact_sealed)"
            " SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'booked', ?"
            " WHERE EXISTS (SELECT 1 FROM advisor_slots WHERE id = ?)"
            " AND NOT EXISTS (SELECT 1 FROM bookings WHERE slot_id = ? AND status != 'cancelled')",
            [
                booking_id,
                slot.id,
                code_hash(code),
                slot.line,
                slot.advisor,
                utc_iso(slot.starts_at),
                utc_iso(slot.ends_at),
                language,
                topic,
                kiosk_id,
                utc_iso(at),
                contact_sealed,
                slot.id,
                slot.id,
            ],
        )
        return inserted.rowcount == 0

    def booking(self, booking_id: str) -> Booking | None:
        with self._lock:
            rows = self._bookings("id = ?", [booking_id])
        return rows[0] if rows else None

    def bookings(self, advisor: str, start: datetime, end: datetime) -> list[Booking]:
        """An advisor's bookings (all of them, cancelled too) starting in [start, end)."""
        with self._lock:
            return self._bookings(
                "advisor = ? AND starts_at >= ? AND starts_at < ?",
                [advisor, utc_iso(start), utc_iso(end)],
            )

    def _bookings(self, where: str, params: list[Any]) -> list[Booking]:
        rows = self._db.execute(
            "SELECT id, slot_id, line, advisor, starts_at, ends_at, language, topic, kiosk_id,"
            " booked_at, status, arrived_channel, contact_sealed FROM bookings"
            f" WHERE {where} ORDER BY starts_at, booked_at",
            params,
        ).fetchall()
        return [
            Booking(
                r[0],
                r[1],
                r[2],
                r[3],
                _time(r[4]),
                _time(r[5]),
                r[6],
                r[7],
                r[8],
                _time(r[9]),
                r[10],
                r[11],
                r[12],
            )
            for r in rows
        ]

    def arrive(
        self, code: str, now: datetime, channel: str, *, early_minutes: int, late_minutes: int
    ) -> Booked:
        """The booking of `code`, now `arrived`; BookingRefused when it reaches nobody now.

        A code may be used again within its window (a call that dropped is made again)."""
        digits = normal_code(code)
        if digits is None:
            raise BookingRefused("unknown")
        with self._lock, self._db.atomic():
            row = self._db.execute(
                "SELECT id, line, advisor, starts_at, ends_at, language, topic, status"
                " FROM bookings WHERE code_hash = ?",
                [code_hash(digits)],
            ).fetchone()
            if row is None:
                raise BookingRefused("unknown")
            booking_id, line, advisor, starts, ends, language, topic, status = row
            starts_at = _time(starts)
            if status in ("served", "cancelled"):
                raise BookingRefused("used")
            if status == "no_show" or now >= starts_at + timedelta(minutes=late_minutes):
                raise BookingRefused("late")
            opens_at = starts_at - timedelta(minutes=early_minutes)
            if now < opens_at:
                raise BookingRefused("early", opens_at=opens_at)
            self._db.execute(
                "UPDATE bookings SET status = 'arrived', arrived_channel = ?,"
                " arrived_at = coalesce(arrived_at, ?) WHERE id = ?",
                [channel, utc_iso(now), booking_id],
            )
        return Booked(booking_id, line, advisor, starts_at, _time(ends), language, topic or "")

    def served(self, booking_id: str, at: datetime) -> None:
        """The booked call was answered: the booking is served and its contact deleted."""
        stamp = utc_iso(at)
        with self._lock, self._db.atomic():
            self._db.execute(
                "UPDATE bookings SET status = 'served', served_at = ?, contact_sealed = NULL,"
                " personal_deleted_at = coalesce(personal_deleted_at, ?)"
                " WHERE id = ? AND status IN (?, ?)",
                [stamp, stamp, booking_id, *LIVE],
            )

    def cancel(self, booking_id: str, at: datetime) -> CancelOutcome:
        """Cancel a live booking (its slot is free again, its contact deleted)."""
        stamp = utc_iso(at)
        with self._lock, self._db.atomic():
            row = self._db.execute(
                "SELECT status FROM bookings WHERE id = ?", [booking_id]
            ).fetchone()
            if row is None:
                return "unknown"
            if row[0] not in LIVE:
                return "over"
            self._db.execute(
                "UPDATE bookings SET status = 'cancelled', contact_sealed = NULL,"
                " personal_deleted_at = coalesce(personal_deleted_at, ?) WHERE id = ?",
                [stamp, booking_id],
            )
        return "cancelled"

    def mark_no_shows(self, now: datetime, *, late_minutes: int) -> list[str]:
        """Bookings whose code was never used by the end of its window become `no_show`, their
        contacts deleted; gives their ids. An `arrived` booking is not one: its citizen came,
        and its call may still be answered from the queue."""
        latest_start = utc_iso(now - timedelta(minutes=late_minutes))
        stamp = utc_iso(now)
        with self._lock, self._db.atomic():
            ids = [
                str(r[0])
                for r in self._db.execute(
                    "SELECT id FROM bookings WHERE status = 'booked' AND starts_at <= ?",
                    [latest_start],
                ).fetchall()
            ]
            self._db.execute(
                "UPDATE bookings SET status = 'no_show', contact_sealed = NULL,"
                " personal_deleted_at = coalesce(personal_deleted_at, ?)"
                " WHERE status = 'booked' AND starts_at <= ?",
                [stamp, latest_start],
            )
        return ids

    def delete_contacts(self, now: datetime, *, retention_days: int) -> int:
        """Delete the contacts that are due: of bookings that are over (served, no-show,
        cancelled) and of any booked more than `retention_days` ago. Gives how many."""
        oldest = utc_iso(now - timedelta(days=retention_days))
        with self._lock, self._db.atomic():
            changed = self._db.execute(
                "UPDATE bookings SET contact_sealed = NULL,"
                " personal_deleted_at = coalesce(personal_deleted_at, ?)"
                " WHERE contact_sealed IS NOT NULL"
                " AND (status IN ('served', 'no_show', 'cancelled') OR booked_at <= ?)",
                [utc_iso(now), oldest],
            ).rowcount
        if changed:
            # No old copy of a deleted contact left where the database still keeps one.
            with self._lock:
                reclaim_deleted(self._db, ("bookings",))
        return int(changed)

    # Calendar feeds

    def set_feed(self, advisor: str, token_hash: str, *, at: datetime) -> None:
        """The advisor's feed token (its hash); the one before stops working."""
        with self._lock, self._db.atomic():
            self._db.execute(
                "INSERT INTO calendar_feeds (advisor, token_hash, created_at) VALUES (?, ?, ?)"
                " ON CONFLICT (advisor) DO UPDATE SET token_hash = excluded.token_hash,"
                " created_at = excluded.created_at",
                [advisor, token_hash, utc_iso(at)],
            )

    def feed_advisor(self, token_hash: str) -> str | None:
        """Whose feed the token with this hash opens."""
        with self._lock:
            row = self._db.execute(
                "SELECT advisor FROM calendar_feeds WHERE token_hash = ?", [token_hash]
            ).fetchone()
        return None if row is None else str(row[0])
