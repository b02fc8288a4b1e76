"""The kiosk's database: one SQLite file (WAL) that the app writes and kiosk-agent ships.

`Store` wraps an injected sqlite3 connection (tests use a temporary file), migrates it on
opening and offers typed reads and writes. It holds anonymous usage and events only: personal
data never reaches this file except sealed to the hub's key in the outbox. Every method is
thread-safe; the app sends its writes through `StoreWriter` so the Qt thread never waits on disk,
and the reads and writes here are `@blocking` (kiosk.threads) so that a call from the Qt thread
fails a test.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from kiosk.store.full import full_error, is_disk_full
from kiosk.store.schema import migrate
from kiosk.threads import blocking, check_not_ui_thread

log = logging.getLogger(__name__)

#: "eservice_opened" is an e-service's start page opened from the catalogue (service = its id).
USAGE_KINDS = ("session_start", "session_end", "service_opened", "eservice_opened", "outcome")
#: "device" is a device's health change (payload {"state": ...}); "device_status" is the name
#: such rows had before.
EVENT_KINDS = ("log", "device", "device_status", "device_error", "alert")
EVENT_LEVELS = ("debug", "info", "warning", "error", "critical")
BUSY_TIMEOUT_MS = 5000
# SQLite allows 32766 bound parameters per statement; stay well below.
_IDS_PER_STATEMENT = 500


def utc_iso(moment: datetime) -> str:
    """The one timestamp format in the store: ISO 8601 UTC to the millisecond, sortable as text."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime is ambiguous here; give it a time zone")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class UsageRecord:
    """One anonymous usage fact: which service, how long, what outcome; never who."""

    id: int
    session_id: str
    kind: str
    service: str | None
    language: str | None
    value: str | None
    duration_ms: int | None
    at: str
    #: When kiosk-agent handed it to the hub; None while it waits.
    shipped_at: str | None = None


@dataclass(frozen=True)
class EventRecord:
    """A health or log record waiting for (or already given to) kiosk-agent."""

    id: int
    at: str
    level: str
    kind: str
    device_id: str | None
    session_id: str | None
    code: str | None
    attention: str | None
    payload: dict[str, Any]
    shipped_at: str | None


class Store:
    """Typed access to the kiosk database over one connection, guarded by one lock."""

    def __init__(self, conn: sqlite3.Connection, *, clock: Callable[[], datetime] = _now) -> None:
        self._conn = conn
        self._clock = clock
        self._lock = threading.RLock()
        # Plugins are off: nothing installed on the box gets to run inside the kiosk's database.
        self._db = Database(conn, execute_plugins=False)
        with self._lock:
            self.migrated_from = migrate(self._db)

    @property
    def db(self) -> Database:
        """The sqlite-utils view of the database, for modules that add their own tables' access.

        Hold `lock` while using it from more than one thread. Every read and write goes through
        here or `durable()`: neither may run on the UI thread (kiosk.threads).
        """
        check_not_ui_thread("kiosk.store.Store.db")
        return self._db

    @property
    def lock(self) -> threading.RLock:
        return self._lock

    @contextmanager
    def durable(self) -> Iterator[sqlite3.Connection]:
        """One transaction, synced to disk before it returns (the store is NORMAL otherwise):
        for what must survive a power cut, such as a payment intent or a sealed submission."""
        check_not_ui_thread("kiosk.store.Store.durable")
        conn = self._conn
        with self._lock:
            conn.execute("PRAGMA synchronous = FULL")
            try:
                with conn:
                    yield conn
            finally:
                conn.execute("PRAGMA synchronous = NORMAL")

    @blocking
    def record_usage(
        self,
        session_id: str,
        kind: str,
        service: str | None = None,
        language: str | None = None,
        value: str | None = None,
        duration_ms: int | None = None,
        *,
        at: datetime | None = None,
    ) -> int:
        """Add one usage row; returns its id."""
        _require(kind, USAGE_KINDS, "usage kind")
        row = {
            "session_id": session_id,
            "kind": kind,
            "service": service,
            "language": language,
            "value": value,
            "duration_ms": duration_ms,
            "at": utc_iso(at or self._clock()),
        }
        with self._lock:
            return _rowid(self._db.table("usage").insert(row).last_rowid)

    @blocking
    def add_event(
        self,
        level: str,
        kind: str,
        *,
        device_id: str | None = None,
        session_id: str | None = None,
        code: str | None = None,
        attention: str | None = None,
        payload: Mapping[str, Any] | None = None,
        at: datetime | None = None,
    ) -> int:
        """Add one event for the agent to ship; returns its id. `payload` must be JSON-able."""
        _require(level, EVENT_LEVELS, "event level")
        _require(kind, EVENT_KINDS, "event kind")
        row = {
            "at": utc_iso(at or self._clock()),
            "level": level,
            "kind": kind,
            "device_id": device_id,
            "session_id": session_id,
            "code": code,
            "attention": attention,
            "payload": json.dumps(dict(payload or {}), ensure_ascii=False, sort_keys=True),
        }
        with self._lock:
            return _rowid(self._db.table("events").insert(row).last_rowid)

    @blocking
    def unshipped_events(self, limit: int = 500) -> list[EventRecord]:
        """The oldest events not yet marked shipped, oldest first."""
        with self._lock:
            rows = list(
                self._db.table("events").rows_where(
                    "shipped_at IS NULL", order_by="id", limit=limit
                )
            )
        return [EventRecord(**{**row, "payload": json.loads(row["payload"])}) for row in rows]

    @blocking
    def mark_shipped(self, ids: Iterable[int]) -> int:
        """Mark events as shipped now; returns how many were not marked before."""
        wanted = list(ids)
        shipped_at = utc_iso(self._clock())
        changed = 0
        with self._lock, self._db.atomic():
            for start in range(0, len(wanted), _IDS_PER_STATEMENT):
                chunk = wanted[start : start + _IDS_PER_STATEMENT]
                marks = ", ".join("?" * len(chunk))
                cursor = self._db.execute(
                    "UPDATE events SET shipped_at = ?"
                    f" WHERE shipped_at IS NULL AND id IN ({marks})",
                    [shipped_at, *chunk],
                )
                changed += cursor.rowcount
        return changed

    @blocking
    def usage_since(self, since: datetime) -> list[UsageRecord]:
        """Usage rows at or after `since`, oldest first."""
        with self._lock:
            rows = list(
                self._db.table("usage").rows_where("at >= ?", [utc_iso(since)], order_by="id")
            )
        return [UsageRecord(**row) for row in rows]

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def open_store(path: Path, *, clock: Callable[[], datetime] = _now) -> Store:
    """Open (creating it and its folder if need be) and migrate the kiosk database at `path`.
    Raises kiosk.store.StoreFull when its disk has no room for that."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # The writer thread and the engine thread share this connection under Store's lock.
    conn = sqlite3.connect(path, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
        mode = _enable_wal(conn)
        if mode != "wal":
            # Still usable, but kiosk-agent's reads will now block the app's writes.
            log.warning("the store is not in WAL mode", extra={"reason": mode})
        # NORMAL in WAL mode loses at most the last commits on power loss, never consistency.
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        return Store(conn, clock=clock)
    except BaseException as exc:
        conn.close()
        if is_disk_full(exc):
            # Said plainly at start-up: the folder to free, not SQLite's words alone.
            raise full_error(exc, path.parent) from exc
        raise


def _enable_wal(conn: sqlite3.Connection) -> str:
    # Switching to WAL answers "database is locked" at once, without waiting out busy_timeout,
    # while another process opens the same new file (kiosk and kiosk-agent start together).
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            mode: str = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            return mode
        except sqlite3.OperationalError as exc:
            busy = exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _require(value: str, allowed: tuple[str, ...], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"{what} {value!r} is not one of {', '.join(allowed)}")


def _rowid(rowid: int | None) -> int:
    assert rowid is not None
    return rowid
