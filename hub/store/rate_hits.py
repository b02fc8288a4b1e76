"""The hits of the sliding windows that several hub instances count together (PostgreSQL).

One hub process counts a window in its memory (hub.calls.limits, hub.accounts). Several
instances behind a load balancer count it here, in `rate_hits` (scope, key, at), so that a
client alternating between instances gets no more than from one:

- `hit` counts one hit unless the window is full, in one round trip: a transaction-level
  advisory lock on the (scope, key) and one statement that counts the window and inserts the
  hit only when there is room, sent together as one simple query. Two instances counting the
  same key at the same moment take turns, so a window never lets one more through.
- A key is never the client's address or a username itself: it is an HMAC-SHA256 of them under
  the database's own secret (`hub_secrets`, made by the migration), so the table shows no
  address. Whoever can read the whole database can read the secret too; the hits are deleted
  once they leave their window (`prune`).
- `at` is the hub's wall clock in seconds since the epoch (instances' clocks are kept in step
  by NTP, as for every other time the hub stores).
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from typing import Any

SECRET_NAME = "rate_keys"

_HIT = (
    "SELECT pg_advisory_xact_lock(hashtextextended(?, 0));"
    " WITH recent AS ("
    "SELECT count(*) AS n, min(at) AS oldest FROM rate_hits"
    " WHERE scope = ? AND key = ? AND at > ?"
    "), hit AS ("
    "INSERT INTO rate_hits (scope, key, at) SELECT ?, ?, ? FROM recent WHERE n < ? RETURNING at"
    ") SELECT n, oldest, (SELECT count(*) FROM hit) FROM recent"
)


class RateHits:
    """Typed access to `rate_hits` over the store's connection and lock."""

    def __init__(self, db: Any, lock: threading.RLock) -> None:
        self._db = db
        self._lock = lock
        self._secret: bytes | None = None

    @property
    def shared(self) -> bool:
        """Whether other hub instances may share the database (PostgreSQL): only then do the
        windows count here."""
        return getattr(self._db, "dialect", "sqlite") == "postgresql"

    def key(self, *parts: str) -> str:
        """The key that stands for `parts` (an address, a username): HMAC-SHA256, hex."""
        if self._secret is None:
            with self._lock:
                row = self._db.execute(
                    "SELECT value FROM hub_secrets WHERE name = ?", [SECRET_NAME]
                ).fetchone()
            if row is None:
                raise RuntimeError("the database has no rate_keys secret (schema 8 makes it)")
            self._secret = bytes.fromhex(row[0])
        text = "\0".join(parts).encode("utf-8", "surrogateescape")
        return hmac.new(self._secret, text, hashlib.sha256).hexdigest()

    def hit(self, scope: str, key: str, *, now: float, span: float, limit: int) -> float | None:
        """Count one hit at `now` unless `limit` hits are in the `span` seconds before it:
        None when counted, else when the oldest hit in the window leaves it."""
        since = now - span
        with self._lock:
            cursor = self._db.execute(
                _HIT,
                [f"{scope}:{key}", scope, key, since, scope, key, now, limit],
            )
            cursor.nextset()
            n, oldest, counted = cursor.fetchone()
        if counted or int(n) < limit:
            return None
        return float(oldest) + span

    def add(self, scope: str, key: str, *, at: float) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO rate_hits (scope, key, at) VALUES (?, ?, ?)", [scope, key, at]
            )

    def count(self, scope: str, key: str, *, since: float) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT count(*) FROM rate_hits WHERE scope = ? AND key = ? AND at > ?",
                [scope, key, since],
            ).fetchone()
        return int(row[0])

    def latest(self, scope: str, key: str) -> float | None:
        """The newest hit of the key, if any."""
        with self._lock:
            row = self._db.execute(
                "SELECT max(at) FROM rate_hits WHERE scope = ? AND key = ?", [scope, key]
            ).fetchone()
        return None if row is None or row[0] is None else float(row[0])

    def forget(self, scope: str, key: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM rate_hits WHERE scope = ? AND key = ?", [scope, key])

    def prune(self, scope: str, *, before: float) -> int:
        """Delete the scope's hits at or before `before` (out of every window); how many."""
        with self._lock:
            deleted: int = self._db.execute(
                "DELETE FROM rate_hits WHERE scope = ? AND at <= ?", [scope, before]
            ).rowcount
        return deleted
