"""The kiosk database's schema: its version, the migrations that build it, and running them.

The version lives in `PRAGMA user_version`. Migration N (a Python function, `MIGRATIONS[N-1]`)
takes the database from version N-1 to N inside one transaction, so a failed migration leaves
the previous version intact. Before an existing database is migrated it is copied next to
itself as `<name>.bak-v<old version>`.

Enumerated columns (usage.kind, events.kind, payment_journal.state, ...) are checked by the
Store in Python rather than by CHECK constraints: SQLite cannot alter a CHECK without rebuilding
the table, and these lists will grow.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from sqlite_utils import Database


class StoreError(Exception):
    """The kiosk database cannot be used as it is; str() says what to do about it."""


class SchemaTooNewError(StoreError):
    """The database was written by newer kiosk software than this one."""


def _create_v1(db: Database) -> None:
    db.table("usage").create(
        {
            "id": int,
            "session_id": str,
            "kind": str,
            "service": str,
            "language": str,
            "value": str,
            "duration_ms": int,
            "at": str,
        },
        pk="id",
        not_null=["session_id", "kind", "at"],
        strict=True,
    )
    db.table("usage").create_index(["at"])

    db.table("events").create(
        {
            "id": int,
            "at": str,
            "level": str,
            "kind": str,
            "device_id": str,
            "session_id": str,
            "code": str,
            "attention": str,
            "payload": str,
            "shipped_at": str,
        },
        pk="id",
        not_null=["at", "level", "kind", "payload"],
        defaults={"payload": "{}"},
        strict=True,
    )
    # The agent asks for "not shipped yet, oldest first" all day long.
    db.table("events").create_index(["shipped_at", "id"])
    db.table("events").create_index(["at"])

    db.table("outbox").create(
        {
            "id": str,
            "kind": str,
            "created_at": str,
            "sealed": bytes,
            "attempts": int,
            "last_error": str,
            "delivered_at": str,
        },
        pk="id",
        not_null=["kind", "created_at", "sealed", "attempts"],
        defaults={"attempts": 0},
        strict=True,
    )
    db.table("outbox").create_index(["delivered_at", "created_at"])

    db.table("payment_journal").create(
        {
            "sale_reference": str,
            "session_id": str,
            "purpose": str,
            "amount_cents": int,
            "currency": str,
            "state": str,
            "terminal_reference": str,
            "card_last4": str,
            "created_at": str,
            "resolved_at": str,
            "note": str,
        },
        pk="sale_reference",
        not_null=["amount_cents", "currency", "state", "created_at"],
        defaults={"currency": "EUR"},
        strict=True,
    )
    # Start-up looks for intents that never got an outcome.
    db.table("payment_journal").create_index(["state"])

    db.table("print_jobs").create(
        {
            "job_id": str,
            "session_id": str,
            "device_id": str,
            "pages_total": int,
            "pages_done": int,
            "copies": int,
            "state": str,
            "created_at": str,
            "finished_at": str,
            "reason": str,
        },
        pk="job_id",
        not_null=["pages_done", "copies", "state", "created_at"],
        defaults={"pages_done": 0, "copies": 1},
        strict=True,
    )
    db.table("print_jobs").create_index(["state"])


def _add_reconciliations_v2(db: Database) -> None:
    """The day's closings of the payment terminal, beside the journal's own count of them."""
    db.table("reconciliations").create(
        {
            "id": int,
            "at": str,
            "journal_count": int,
            "journal_total_cents": int,
            "terminal_count": int,
            "terminal_total_cents": int,
            "matched": int,
        },
        pk="id",
        not_null=["at", "journal_count", "journal_total_cents", "matched"],
        strict=True,
    )
    db.table("reconciliations").create_index(["at"])


#: MIGRATIONS[N-1] takes the schema from version N-1 to N. Append only; never edit a shipped one.
MIGRATIONS: list[Callable[[Database], None]] = [_create_v1, _add_reconciliations_v2]
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    return version


def migrate(db: Database) -> int:
    """Bring the database to SCHEMA_VERSION; returns the version this call migrated it from.

    That is SCHEMA_VERSION when there was nothing to do, or another process did it meanwhile.
    """
    conn = db.conn
    found = schema_version(conn)
    _refuse_newer(conn, found)
    if found == SCHEMA_VERSION:
        return found
    path = database_file(conn)
    if path is not None and _has_tables(conn):
        backup(conn, path.with_name(f"{path.name}.bak-v{found}"), expected_version=found)
    migrated_from = SCHEMA_VERSION
    for target in range(found + 1, SCHEMA_VERSION + 1):
        # IMMEDIATE takes the write lock at once: kiosk and kiosk-agent may start together, and
        # the one that waits must see the other's migration instead of running it again.
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = schema_version(conn)
            _refuse_newer(conn, current)
            if current < target:
                migrated_from = min(migrated_from, current)
                MIGRATIONS[target - 1](db)
                conn.execute(f"PRAGMA user_version = {target:d}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return migrated_from


def _refuse_newer(conn: sqlite3.Connection, version: int) -> None:
    if version > SCHEMA_VERSION:
        where = database_file(conn) or "the database"
        raise SchemaTooNewError(
            f"{where} has schema version {version} but this kiosk software knows only up to "
            f"{SCHEMA_VERSION}: install the newer kiosk software, or move the file aside to "
            "start afresh (older copies are kept as *.bak-v<N>)"
        )


def database_file(conn: sqlite3.Connection) -> Path | None:
    """The main database's file, or None for an in-memory or temporary database."""
    for _seq, name, file in conn.execute("PRAGMA database_list"):
        if name == "main":
            return Path(file) if file else None
    return None


def _has_tables(conn: sqlite3.Connection) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' LIMIT 1"
    ).fetchone()
    return row is not None


def backup(conn: sqlite3.Connection, target: Path, *, expected_version: int) -> bool:
    """Copy the database to `target` with SQLite's online backup; False if it was not kept.

    The copy is kept only if it still has `expected_version`: when another process migrated
    the file in between, this copy is of the new version and that process made the real backup.
    """
    # Unique per thread and process, so two openers never write into one half-made file.
    partial = target.with_name(f"{target.name}.{os.getpid()}-{threading.get_ident()}.partial")
    copy = sqlite3.connect(partial)
    try:
        conn.backup(copy)
        kept = schema_version(copy) == expected_version
    finally:
        copy.close()
    if not kept:
        partial.unlink()
        return False
    # A crash halfway leaves only the .partial file, never a truncated backup under the real name.
    os.replace(partial, target)
    return True
