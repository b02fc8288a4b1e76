"""Sealed submissions in the hub database: stored once per id, claimed for delivery, never deleted.

Every method takes the store's lock, so the intake handlers and the delivery worker (and a
support member's retry) never interleave a read and a write of the same row. A submission is
claimed before delivery by moving its next_attempt_at past a lease in one conditional UPDATE:
of two callers only one gets the row, and a hub that dies mid-delivery leaves a row that comes
due again when the lease runs out.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Literal

from sqlite_utils import Database

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
                f"SELECT {_COLUMNS} FROM submissions {where} ORDER BY received_at DESC, rowid DESC"
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

    def claim_due(self, *, now: str, lease_until: str, limit: int = 20) -> list[SubmissionRecord]:
        """Pending submissions due by `now`, oldest first, each claimed until `lease_until`."""
        claimed = []
        with self._lock, self._db.atomic():
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM submissions"
                " WHERE status = 'pending' AND next_attempt_at <= ?"
                " ORDER BY next_attempt_at, received_at LIMIT ?",
                [now, limit],
            ).fetchall()
            for row in rows:
                changed = self._db.execute(
                    "UPDATE submissions SET next_attempt_at = ?"
                    " WHERE id = ? AND status = 'pending' AND next_attempt_at <= ?",
                    [lease_until, row[0], now],
                ).rowcount
                if changed:
                    claimed.append(SubmissionRecord(*row))
        return claimed

    def release(self, submission_id: str, *, at: str) -> None:
        """Give a claimed submission back, due at `at` (the hub is stopping mid-delivery)."""
        self._update(
            "UPDATE submissions SET next_attempt_at = ? WHERE id = ? AND status = 'pending'",
            [at, submission_id],
        )

    def delivered(self, submission_id: str, *, at: str, note: str | None = None) -> None:
        """Delivered: the sealed bytes are emptied; `note` tells support of a partial problem."""
        self._update(
            "UPDATE submissions SET status = 'delivered', delivered_at = ?, sealed = ?,"
            " attempts = attempts + 1, next_attempt_at = NULL, last_error = ? WHERE id = ?",
            [at, b"", note, submission_id],
        )

    def attempt_failed(
        self, submission_id: str, error: str, *, next_attempt_at: str | None
    ) -> None:
        """Count a failed attempt; with `next_attempt_at=None` it is `failed` (support retries)."""
        status = "pending" if next_attempt_at is not None else "failed"
        self._update(
            "UPDATE submissions SET attempts = attempts + 1, last_error = ?, status = ?,"
            " next_attempt_at = ? WHERE id = ?",
            [error, status, next_attempt_at, submission_id],
        )

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

    def _update(self, sql: str, params: list[object]) -> None:
        with self._lock, self._db.atomic():
            self._db.execute(sql, params)
