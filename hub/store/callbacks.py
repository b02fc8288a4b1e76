"""Callbacks in the hub database: metadata plain, the contact sealed (docs/appointments.md).

A callback's id is the reference the citizen was given. Its contact is kept only as
`contact_sealed` (a sealed box to the hub's own key) and only while someone may still call:
done, closed as not reached, or past the retention period, it is set to NULL and
`personal_deleted_at` says when. One row per submission: a delivery tried again after a crash
finds its row and adds nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlite_utils import Database

from hub.store.schema import reclaim_deleted

#: open: waiting for an advisor; claimed: an advisor holds it; done: called back; no_answer:
#: closed after `callback_attempts` unanswered tries; expired: its contact was deleted after the
#: retention period before anyone reached the citizen.
STATUSES = ("open", "claimed", "done", "no_answer", "expired")
AddOutcome = Literal["added", "duplicate", "reference-taken"]

_COLUMNS = (
    "id, submission_id, kiosk_id, line, language, topic, time_of_day, contact_kind, asked_at,"
    " received_at, status, claimed_by, claimed_at, attempts, last_attempt_at, done_at, done_by,"
    " personal_deleted_at"
)


@dataclass(frozen=True)
class CallbackRecord:
    """A callback's metadata (never its contact: `Callbacks.claim` gives that, sealed)."""

    id: str
    submission_id: str
    kiosk_id: str
    line: str
    language: str
    topic: str
    time_of_day: str
    contact_kind: str
    asked_at: str
    received_at: str
    status: str
    claimed_by: str | None
    claimed_at: str | None
    attempts: int
    last_attempt_at: str | None
    done_at: str | None
    done_by: str | None
    personal_deleted_at: str | None


@dataclass(frozen=True)
class NewCallback:
    id: str
    submission_id: str
    kiosk_id: str
    line: str
    language: str
    topic: str
    time_of_day: str
    #: "phone" or "email": which the sealed contact holds.
    contact_kind: str
    asked_at: str
    received_at: str
    contact_sealed: bytes


class CallbackRefused(Exception):
    """What an advisor asked cannot be done. `code`: `unknown` (no such callback), `claimed`
    (another advisor holds it), `not_claimed` (open: claim it first), `closed` (done, not
    reached or expired)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class Callbacks:
    """Typed access to `callbacks`, under the store's lock."""

    def __init__(self, db: Database, lock: threading.RLock) -> None:
        self._db = db
        self._lock = lock

    def add(self, new: NewCallback) -> AddOutcome:
        """Store a delivered callback, open. `duplicate` when this submission already made its
        row; `reference-taken` when another submission's callback has the same reference."""
        with self._lock, self._db.atomic():
            found = self._db.execute(
                "SELECT submission_id FROM callbacks WHERE id = ? OR submission_id = ?",
                [new.id, new.submission_id],
            ).fetchall()
            if found:
                return (
                    "duplicate"
                    if any(row[0] == new.submission_id for row in found)
                    else "reference-taken"
                )
            self._db.execute(
                "INSERT INTO callbacks (id, submission_id, kiosk_id, line, language, topic,"
                " time_of_day, contact_kind, asked_at, received_at, status, attempts,"
                " contact_sealed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', 0, ?)",
                [
                    new.id,
                    new.submission_id,
                    new.kiosk_id,
                    new.line,
                    new.language,
                    new.topic,
                    new.time_of_day,
                    new.contact_kind,
                    new.asked_at,
                    new.received_at,
                    new.contact_sealed,
                ],
            )
        return "added"

    def get(self, callback_id: str) -> CallbackRecord | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM callbacks WHERE id = ?", [callback_id]
            ).fetchone()
        return CallbackRecord(*row) if row else None

    def listed(self, lines: Sequence[str]) -> list[CallbackRecord]:
        """The open and claimed callbacks of `lines`, oldest first."""
        if not lines:
            return []
        marks = ", ".join("?" for _ in lines)
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM callbacks"
                f" WHERE status IN ('open', 'claimed') AND line IN ({marks})"
                " ORDER BY asked_at, received_at, id",
                list(lines),
            ).fetchall()
        return [CallbackRecord(*row) for row in rows]

    def claim(self, callback_id: str, username: str, *, at: str) -> tuple[CallbackRecord, bytes]:
        """`username` holds the callback now (again, if they held it): it and its sealed
        contact. Raises CallbackRefused."""
        with self._lock, self._db.atomic():
            record = self._live(callback_id)
            if record.status == "claimed" and record.claimed_by != username:
                raise CallbackRefused("claimed", f"{record.claimed_by} holds this callback")
            if record.status == "open":
                self._db.execute(
                    "UPDATE callbacks SET status = 'claimed', claimed_by = ?, claimed_at = ?"
                    " WHERE id = ?",
                    [username, at, callback_id],
                )
            row = self._db.execute(
                "SELECT contact_sealed FROM callbacks WHERE id = ?", [callback_id]
            ).fetchone()
            sealed = bytes(row[0]) if row and row[0] is not None else b""
            return self._read(callback_id), sealed

    def release(self, callback_id: str, username: str) -> CallbackRecord:
        """Back to open, for any advisor of its line to claim."""
        with self._lock, self._db.atomic():
            self._held(callback_id, username)
            self._db.execute(
                "UPDATE callbacks SET status = 'open', claimed_by = NULL, claimed_at = NULL"
                " WHERE id = ?",
                [callback_id],
            )
            return self._read(callback_id)

    def done(self, callback_id: str, username: str, *, at: str) -> CallbackRecord:
        """Called back: closed, and its contact deleted at once."""
        with self._lock, self._db.atomic():
            self._held(callback_id, username)
            self._db.execute(
                "UPDATE callbacks SET status = 'done', done_at = ?, done_by = ?,"
                " contact_sealed = NULL, personal_deleted_at = ? WHERE id = ?",
                [at, username, at, callback_id],
            )
            return self._read(callback_id)

    def no_answer(
        self, callback_id: str, username: str, *, at: str, attempts: int
    ) -> CallbackRecord:
        """One more try that reached nobody: open again, or at `attempts` tries closed as
        `no_answer` with its contact deleted."""
        with self._lock, self._db.atomic():
            record = self._held(callback_id, username)
            if record.attempts + 1 >= attempts:
                self._db.execute(
                    "UPDATE callbacks SET status = 'no_answer', attempts = attempts + 1,"
                    " last_attempt_at = ?, done_at = ?, done_by = ?, contact_sealed = NULL,"
                    " personal_deleted_at = ? WHERE id = ?",
                    [at, at, username, at, callback_id],
                )
            else:
                self._db.execute(
                    "UPDATE callbacks SET status = 'open', attempts = attempts + 1,"
                    " last_attempt_at = ?, claimed_by = NULL, claimed_at = NULL WHERE id = ?",
                    [at, callback_id],
                )
            return self._read(callback_id)

    def forget_before(self, cutoff: str, *, at: str) -> int:
        """Delete the contact of every callback asked (or received) before `cutoff`; one still
        open or claimed is `expired`. Also empties the sealed bytes of a callback submission
        received before `cutoff` and never delivered (support can no longer retry it). Returns
        how many rows lost personal data."""
        with self._lock, self._db.atomic():
            changed: int = self._db.execute(
                "UPDATE callbacks SET contact_sealed = NULL, personal_deleted_at = ?,"
                " status = CASE WHEN status IN ('open', 'claimed') THEN 'expired' ELSE status END"
                " WHERE personal_deleted_at IS NULL AND (asked_at < ? OR received_at < ?)",
                [at, cutoff, cutoff],
            ).rowcount
            changed += self._db.execute(
                "UPDATE submissions SET sealed = ?, status = 'failed', next_attempt_at = NULL,"
                " last_error = 'personal data deleted after the retention period'"
                " WHERE status IN ('pending', 'failed') AND kind = 'callback' AND received_at < ?"
                " AND length(sealed) > 0",
                [b"", cutoff],
            ).rowcount
        if changed:
            # No copy of a deleted contact left where the database still keeps old versions:
            # SQLite's write-ahead log, PostgreSQL's dead rows (hub.store.schema).
            with self._lock:
                reclaim_deleted(self._db, ("callbacks", "submissions"))
        return changed

    def _live(self, callback_id: str) -> CallbackRecord:
        record = self._read_or_none(callback_id)
        if record is None:
            raise CallbackRefused("unknown", "no such callback")
        if record.status not in ("open", "claimed"):
            raise CallbackRefused("closed", f"this callback is {record.status}")
        return record

    def _held(self, callback_id: str, username: str) -> CallbackRecord:
        record = self._live(callback_id)
        if record.status == "open":
            raise CallbackRefused("not_claimed", "claim this callback first")
        if record.claimed_by != username:
            raise CallbackRefused("claimed", f"{record.claimed_by} holds this callback")
        return record

    def _read(self, callback_id: str) -> CallbackRecord:
        record = self._read_or_none(callback_id)
        assert record is not None
        return record

    def _read_or_none(self, callback_id: str) -> CallbackRecord | None:
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM callbacks WHERE id = ?", [callback_id]
        ).fetchone()
        return CallbackRecord(*row) if row else None
