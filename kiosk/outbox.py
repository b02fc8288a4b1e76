"""The outbox: what the kiosk sends to the hub (filled forms, e-mail, callback requests), sealed
so that only the hub can read it, kept until the hub has it.

A submission is sealed at once to the hub's public key with a libsodium sealed box (PyNaCl:
X25519 + XSalsa20-Poly1305, a fresh key pair per message), and the sealed bytes are put in the
store's outbox in the same durable transaction as the usage record of the submission. Nothing
readable is written: the kiosk cannot open what it sealed. kiosk-agent ships the rows; the hub
stores by submission id, so a retry after a lost acknowledgement never makes a duplicate.
A row the hub refuses for good (docs/outbox-protocol.md: 400, 413, 422) is kept, still sealed
and marked rejected with the hub's code, and never tried again. On a full disk `put` raises
kiosk.store.StoreFull and keeps nothing (SQLite rolls the transaction back); so do
`delivered`, `failed` and `reject`, changing nothing.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kiosk.store import Store, full_error, is_disk_full, utc_iso
from kiosk.threads import blocking

KINDS = ("form", "email", "callback")


class SealingError(ValueError):
    """The hub's public key is missing or not a key; str() says what to configure."""


def parse_public_key(text: str) -> bytes:
    """The hub's public key from config: 32 bytes, base64."""
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise SealingError(
            "kiosk.hub_public_key must be the hub's 32-byte public key in base64 "
            "(kiosk-hub prints it)"
        )
    return key


@blocking
def seal(payload: Mapping[str, Any], public_key: bytes) -> bytes:
    """`payload` as JSON, sealed to `public_key`: only the holder of the private key opens it.
    A form's PDF and scans make it megabytes: not on the UI thread."""
    from nacl.public import PublicKey, SealedBox

    data = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return bytes(SealedBox(PublicKey(public_key)).encrypt(data))


def open_sealed(sealed: bytes, private_key: bytes) -> dict[str, Any]:
    """What the hub does: open a sealed submission with its private key."""
    from nacl.public import PrivateKey, SealedBox

    opened: dict[str, Any] = json.loads(SealedBox(PrivateKey(private_key)).decrypt(sealed))
    return opened


def new_submission_id() -> str:
    return os.urandom(16).hex()


@dataclass(frozen=True)
class OutboxItem:
    id: str
    kind: str
    created_at: str
    sealed: bytes
    attempts: int
    last_error: str | None
    delivered_at: str | None
    #: Not to be tried again before this time (after a passing failure); None = at once.
    next_attempt_at: str | None = None
    #: The hub refused the row for good: when, its code and its message (for support).
    rejected_at: str | None = None
    reject_code: str | None = None
    reject_message: str | None = None


@dataclass(frozen=True)
class DueItem:
    """A row that may be shipped now, without its sealed bytes (read one at a time)."""

    id: str
    kind: str
    attempts: int


#: Neither delivered nor refused for good: the rows that still wait for the hub.
_WAITING = "delivered_at IS NULL AND rejected_at IS NULL"


class Outbox:
    def __init__(self, store: Store, public_key: bytes) -> None:
        self.store = store
        self.public_key = public_key

    @blocking
    def put(
        self,
        kind: str,
        payload: Mapping[str, Any],
        *,
        session_id: str,
        service: str,
        outcome: str,
    ) -> str:
        """Seal `payload` and keep it for delivery, with the usage record of its submission, in
        one durable transaction (synced to disk, under the store's lock: not on the UI thread).
        Returns the submission id (also inside the sealed payload)."""
        if kind not in KINDS:
            raise ValueError(f"outbox kind must be one of {', '.join(KINDS)}, not {kind!r}")
        submission_id = new_submission_id()
        sealed = seal({**payload, "submission_id": submission_id, "kind": kind}, self.public_key)
        now = utc_iso(datetime.now(UTC))
        # On a full disk SQLite rolls it back: neither the row nor its usage record is kept.
        with self._durable() as conn:
            conn.execute(
                "INSERT INTO outbox (id, kind, created_at, sealed, attempts) "
                "VALUES (?, ?, ?, ?, 0)",
                (submission_id, kind, now, sealed),
            )
            conn.execute(
                "INSERT INTO usage (session_id, kind, service, value, at) VALUES (?, ?, ?, ?, ?)",
                (session_id, "outcome", service, outcome, now),
            )
        return submission_id

    @contextmanager
    def _durable(self) -> Iterator[sqlite3.Connection]:
        """The store's durable transaction, a full disk raised as kiosk.store.StoreFull."""
        try:
            with self.store.durable() as conn:
                yield conn
        except Exception as exc:
            if is_disk_full(exc):
                raise full_error(exc) from exc
            raise

    def pending(self, limit: int = 50) -> list[OutboxItem]:
        """What the hub does not have yet and has not refused, oldest first."""
        with self.store.lock:
            rows = list(
                self.store.db["outbox"].rows_where(_WAITING, order_by="created_at", limit=limit)
            )
        return [OutboxItem(**row) for row in rows]

    def due(self, limit: int = 20, *, now: datetime | None = None) -> list[DueItem]:
        """Waiting rows whose retry time (if any) has come, oldest first."""
        at = utc_iso(now or datetime.now(UTC))
        with self.store.lock:
            rows = self.store.db.execute(
                f"SELECT id, kind, attempts FROM outbox WHERE {_WAITING}"
                " AND (next_attempt_at IS NULL OR next_attempt_at <= ?)"
                " ORDER BY created_at LIMIT ?",
                (at, limit),
            ).fetchall()
        return [DueItem(id=row[0], kind=row[1], attempts=row[2]) for row in rows]

    def sealed(self, submission_id: str) -> bytes | None:
        """The sealed bytes of a waiting row; None once it is delivered, refused or gone."""
        with self.store.lock:
            row = self.store.db.execute(
                f"SELECT sealed FROM outbox WHERE id = ? AND {_WAITING}", (submission_id,)
            ).fetchone()
        return None if row is None else bytes(row[0])

    def waiting(self) -> int:
        """How many rows still wait for the hub (delivered and refused ones do not)."""
        with self.store.lock:
            row = self.store.db.execute(f"SELECT count(*) FROM outbox WHERE {_WAITING}").fetchone()
        return int(row[0])

    def rejections(self, limit: int = 50) -> list[OutboxItem]:
        """Rows the hub refused for good, newest refusal first (kept for support)."""
        with self.store.lock:
            rows = list(
                self.store.db["outbox"].rows_where(
                    "rejected_at IS NOT NULL", order_by="rejected_at DESC", limit=limit
                )
            )
        return [OutboxItem(**row) for row in rows]

    def delivered(self, submission_id: str) -> None:
        """The hub has stored it: the sealed bytes are no longer needed here."""
        with self._durable() as conn:
            conn.execute(
                "UPDATE outbox SET delivered_at = ?, sealed = X'' WHERE id = ?",
                (utc_iso(datetime.now(UTC)), submission_id),
            )

    def failed(self, submission_id: str, error: str, *, retry_at: datetime | None = None) -> None:
        """A passing failure (hub down, timeout, 5xx): count it; try again at `retry_at`."""
        with self._durable() as conn:
            conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?"
                " WHERE id = ?",
                (error[:200], None if retry_at is None else utc_iso(retry_at), submission_id),
            )

    def reject(self, submission_id: str, code: str, message: str) -> None:
        """The hub refused the row for good (400/413/422): keep it, sealed, and never retry it."""
        with self._durable() as conn:
            conn.execute(
                "UPDATE outbox SET rejected_at = ?, reject_code = ?, reject_message = ?,"
                " attempts = attempts + 1, next_attempt_at = NULL"
                " WHERE id = ? AND delivered_at IS NULL",
                (utc_iso(datetime.now(UTC)), code[:40], message[:200], submission_id),
            )
