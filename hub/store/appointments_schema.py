"""Migration 7: advisors' schedules, booked video appointments, callbacks, calendar feeds, and
where a call came from (docs/appointments.md).

Personal data (a callback's phone number or e-mail, a booking's contact) is kept only sealed to
the hub's key (`contact_sealed`, a PyNaCl sealed box) and is set to NULL when the callback or
booking is done or `[appointments] retention_days` after it was asked; `personal_deleted_at`
says when. Everything else in these tables names no citizen. Status columns are checked in
Python (see hub.store.schema).
"""

from __future__ import annotations

from sqlite_utils import Database


def _appointments_v7(db: Database) -> None:
    # One bookable time of one advisor on one line. UTC ISO 8601 like every time in the store.
    db.table("advisor_slots").create(
        {
            "id": str,
            "advisor": str,
            "line": str,
            "starts_at": str,
            "ends_at": str,
            "created_by": str,
            "created_at": str,
        },
        pk="id",
        not_null=["advisor", "line", "starts_at", "ends_at", "created_by", "created_at"],
        strict=True,
    )
    db.table("advisor_slots").create_index(["line", "starts_at"])
    db.table("advisor_slots").create_index(["advisor", "starts_at"])
    # A citizen's booking of one slot. The code is kept only as its SHA-256 (like a token).
    # status: booked, arrived, served, no_show, cancelled. channel: kiosk or home.
    db.table("bookings").create(
        {
            "id": str,
            "slot_id": str,
            "code_hash": str,
            "line": str,
            "advisor": str,
            "starts_at": str,
            "ends_at": str,
            "language": str,
            "topic": str,
            "kiosk_id": str,
            "booked_at": str,
            "status": str,
            "arrived_at": str,
            "arrived_channel": str,
            "served_at": str,
            "contact_sealed": bytes,
            "personal_deleted_at": str,
        },
        pk="id",
        not_null=[
            "slot_id",
            "code_hash",
            "line",
            "advisor",
            "starts_at",
            "ends_at",
            "language",
            "booked_at",
            "status",
        ],
        defaults={"status": "booked"},
        strict=True,
    )
    # A cancelled booking frees its slot: only one live booking per slot (checked in Python,
    # with this index for the lookup), one row per code.
    db.table("bookings").create_index(["slot_id"])
    db.table("bookings").create_index(["code_hash"], unique=True)
    db.table("bookings").create_index(["status", "starts_at"])
    db.table("bookings").create_index(["advisor", "starts_at"])
    # A citizen's request to be called back; id is the reference the citizen was given.
    # status: open, claimed, done, no_answer. time_of_day: morning, midday, afternoon, any.
    db.table("callbacks").create(
        {
            "id": str,
            "submission_id": str,
            "kiosk_id": str,
            "line": str,
            "language": str,
            "topic": str,
            "time_of_day": str,
            "contact_kind": str,
            "asked_at": str,
            "received_at": str,
            "status": str,
            "claimed_by": str,
            "claimed_at": str,
            "attempts": int,
            "last_attempt_at": str,
            "done_at": str,
            "done_by": str,
            "contact_sealed": bytes,
            "personal_deleted_at": str,
        },
        pk="id",
        not_null=[
            "kiosk_id",
            "line",
            "language",
            "topic",
            "time_of_day",
            "contact_kind",
            "asked_at",
            "received_at",
            "status",
            "attempts",
        ],
        defaults={"status": "open", "attempts": 0},
        strict=True,
    )
    db.table("callbacks").create_index(["status", "line", "asked_at"])
    db.table("callbacks").create_index(["submission_id"], unique=True)
    # An advisor's private iCalendar feed address: the token only as its SHA-256.
    db.table("calendar_feeds").create(
        {"advisor": str, "token_hash": str, "created_at": str},
        pk="advisor",
        not_null=["token_hash", "created_at"],
        strict=True,
    )
    db.table("calendar_feeds").create_index(["token_hash"], unique=True)
    # Where a call came from (kiosk or home) and the booking it was made with, if any.
    calls = db.table("call_records")
    calls.add_column("channel", str, not_null_default="kiosk")
    calls.add_column("booking_id", str)
