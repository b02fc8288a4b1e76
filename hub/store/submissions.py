"""Sealed submissions in the hub database: stored once per id, claimed for delivery, never deleted.

Every method takes the store's lock, so the intake handlers and the delivery worker (and a
support member's retry) never interleave a read and a write of the same row.

Delivered once, whichever hub instance holds it (docs/outbox-protocol.md): a deliverer claims
due rows with one conditional UPDATE that sets `claimed_by` (the deliverer's id) and
`claimed_until` (its lease), repeating the conditions in the UPDATE's own WHERE so that of two
instances racing for a row only one gets it (PostgreSQL re-checks them on the row it locked;
its `FOR UPDATE SKIP LOCKED` lets the other take other rows meanwhile; SQLite has one writer).
The outcome is written only while the claim is still the deliverer's, and clears it; a claim
whose instance died lapses when its lease runs out, and the row is due to another.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Literal

from sqlite_utils import Database

from hub.store.schema import IntegrityErrors

STATUSES = ("pending", "delivered", "failed")
AddOutcome = Literal["stored", "duplicate", "id-mismatch", "over-limit"]
RetryOutcome = Literal["retried", "delivered", "unknown"]


@dataclass(frozen=True)
class SubmissionRecord:
    """A submission's metadata (never its sealed bytes: `Submissions.sealed` reads those)."""

    id: str
    kiosk_id: str
    kind: str
    form_id: str | None
    received_at: str
    size: int
    status: str
    attempts: int
    next_attempt_at: str | None
    last_error: str | None
    delivered_at: str | None


@dataclass(frozen=True)
class HourlyLimit:
    """At most `limit` e-mail submissions of one kiosk received after `since`."""

    since: str
    limit: int


_COLUMNS = (
    "id, kiosk_id, kind, form_id, received_at, size, status, attempts, next_attempt_at,"
    " last_error, delivered_at"
)


class Submissions:
    """Typed reads and writes of the submissions table, over the store's connection and lock."""

    def __init__(self, db: Database, lock: threading.RLock) -> None:
        self._db = db
        self._lock = lock
        #: "sqlite" or "postgresql" (sqlschema.postgres.PgDatabase says so).
        self._dialect: str = getattr(db, "dialect", "sqlite")

    def add(
        self,
        submission_id: str,
        kiosk_id: str,
        kind: str,
        form_id: str | None,
        sealed: bytes,
        *,
        at: str,
        email_limit: HourlyLimit | None = None,
    ) -> AddOutcome:
        """Store a new submission, due at once, in one durable transaction.

        `duplicate` when this kiosk already stored this id, `id-mismatch` when another kiosk
        did, `over-limit` when `email_limit` is reached: then nothing is written."""
        with self._lock:
            # An acknowledged submission must survive a power cut, not only a crash: the
            # connection's NORMAL synchronous mode is raised for this one commit.
            self._db.execute("PRAGMA synchronous = FULL")
            try:
                with self._db.atomic():
                    found = self._db.execute(
                        "SELECT kiosk_id FROM submissions WHERE id = ?", [submission_id]
                    ).fetchone()
                    if found is not None:
                        return "duplicate" if found[0] == kiosk_id else "id-mismatch"
                    if email_limit is not None and (
                        self.emails_since(kiosk_id, email_limit.since) >= email_limit.limit
                    ):
                        return "over-limit"
                    self._db.execute(
                        "INSERT INTO submissions (id, kiosk_id, kind, form_id, received_at,"
                        " sealed, size, status, attempts, next_attempt_at)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?)",
                        [submission_id, kiosk_id, kind, form_id, at, sealed, len(sealed), at],
                    )
                    return "stored"
            except IntegrityErrors:
                # The same id stored at this moment through another hub instance (a kiosk
                # retrying elsewhere): the first one's row stands.
                found = self._db.execute(
                    "SELECT kiosk_id FROM submissions WHERE id = ?", [submission_id]
                ).fetchone()
                if found is None:
                    raise
                return "duplicate" if found[0] == kiosk_id else "id-mismatch"
            finally:
                self._db.execute("PRAGMA synchronous = NORMAL")

    def get(self, submission_id: str) -> SubmissionRecord | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM submissions WHERE id = ?", [submission_id]
            ).fetchone()
        return SubmissionRecord(*row) if row else None

    def listed(self, status: str | None = None, *, limit: int = 500) -> list[SubmissionRecord]:
        """The newest submissions first, all or those with `status`."""
        where, params = ("WHERE status = ?", [status]) if status else ("", [])
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM submissions {where} ORDER BY received_at DESC, id DESC"
                " LIMIT ?",
                [*params, limit],
            ).fetchall()
        return [SubmissionRecord(*row) for row in rows]

    def emails_since(self, kiosk_id: str, since: str) -> int:
        """How many e-mail submissions this kiosk had stored after `since`."""
        with self._lock:
            count: int = self._db.execute(
                "SELECT count(*) FROM submissions"
                " WHERE kiosk_id = ? AND kind = 'email' AND received_at > ?",
                [kiosk_id, since],
            ).fetchone()[0]
        return count

    def sealed(self, submission_id: str) -> bytes:
        with self._lock:
            row = self._db.execute(
                "SELECT sealed FROM submissions WHERE id = ?", [submission_id]
            ).fetchone()
        return bytes(row[0]) if row else b""

    def claim_due(
        self, *, now: str, lease_until: str, by: str, limit: int = 20
    ) -> list[SubmissionRecord]:
        """Pending submissions due by `now` that nobody holds, oldest first (at most `limit`),
        each now held by `by` until `lease_until`."""
        # The ids first (PostgreSQL: rows another instance is claiming at this moment are
        # passed over), then the claim, whose own conditions decide a race: PostgreSQL
        # evaluates them again on the row it locked, and another's claim makes them false.
        skip_locked = " FOR UPDATE SKIP LOCKED" if self._dialect == "postgresql" else ""
        free = (
            "status = 'pending' AND next_attempt_at <= ?"
            " AND (claimed_until IS NULL OR claimed_until <= ?)"
        )
        with self._lock, self._db.atomic():
            ids = [
                row[0]
                for row in self._db.execute(
                    f"SELECT id FROM submissions WHERE {free}"
                    f" ORDER BY next_attempt_at, received_at LIMIT ?{skip_locked}",
                    [now, now, limit],
                ).fetchall()
            ]
            if not ids:
                return []
            marks = ", ".join("?" for _ in ids)
            rows = self._db.execute(
                "UPDATE submissions SET claimed_by = ?, claimed_until = ?"
                f" WHERE id IN ({marks}) AND {free} RETURNING {_COLUMNS}",
                [by, lease_until, *ids, now, now],
            ).fetchall()
        claimed = [SubmissionRecord(*row) for row in rows]
        return sorted(
            claimed, key=lambda record: (record.next_attempt_at or "", record.received_at)
        )

    def renew(self, submission_id: str, *, by: str, until: str) -> bool:
        """Extend `by`'s claim to `until` (an attempt starts); False when `by` no longer holds
        it (its lease ran out while earlier rows were attempted, and another instance took it)."""
        return self._update(
            "UPDATE submissions SET claimed_until = ?"
            " WHERE id = ? AND claimed_by = ? AND status = 'pending'",
            [until, submission_id, by],
        )

    def release(self, submission_id: str, *, by: str) -> bool:
        """Give back `by`'s claim (the hub is stopping mid-delivery): due again at once."""
        return self._update(
            "UPDATE submissions SET claimed_by = NULL, claimed_until = NULL"
            " WHERE id = ? AND claimed_by = ?",
            [submission_id, by],
        )

    def delivered(
        self, submission_id: str, *, at: str, note: str | None = None, by: str | None = None
    ) -> bool:
        """Delivered: the sealed bytes are emptied; `note` tells support of a partial problem.

        With `by`, only while `by` still holds the claim; False when it no longer does (its
        lease ran out and another instance took the row: that one records the outcome)."""
        held, params = self._held(by)
        return self._update(
            "UPDATE submissions SET status = 'delivered', delivered_at = ?, sealed = ?,"
            " attempts = attempts + 1, next_attempt_at = NULL, last_error = ?,"
            f" claimed_by = NULL, claimed_until = NULL WHERE id = ?{held}",
            [at, b"", note, submission_id, *params],
        )

    def attempt_failed(
        self,
        submission_id: str,
        error: str,
        *,
        next_attempt_at: str | None,
        by: str | None = None,
    ) -> bool:
        """Count a failed attempt; with `next_attempt_at=None` it is `failed` (support retries).
        With `by`, only while `by` still holds the claim (as `delivered`)."""
        status = "pending" if next_attempt_at is not None else "failed"
        held, params = self._held(by)
        return self._update(
            "UPDATE submissions SET attempts = attempts + 1, last_error = ?, status = ?,"
            f" next_attempt_at = ?, claimed_by = NULL, claimed_until = NULL WHERE id = ?{held}",
            [error, status, next_attempt_at, submission_id, *params],
        )

    @staticmethod
    def _held(by: str | None) -> tuple[str, list[object]]:
        return ("", []) if by is None else (" AND claimed_by = ? AND status = 'pending'", [by])

    def retry(self, submission_id: str, *, at: str) -> RetryOutcome:
        """Make a pending or failed submission due at `at`; a delivered one stays as it is."""
        with self._lock, self._db.atomic():
            row = self._db.execute(
                "SELECT status FROM submissions WHERE id = ?", [submission_id]
            ).fetchone()
            if row is None:
                return "unknown"
            if row[0] == "delivered":
                return "delivered"
            self._db.execute(
                "UPDATE submissions SET status = 'pending', next_attempt_at = ? WHERE id = ?",
                [at, submission_id],
            )
        return "retried"

    def _update(self, sql: str, params: list[object]) -> bool:
        with self._lock, self._db.atomic():
            changed: int = self._db.execute(sql, params).rowcount
        return changed > 0
