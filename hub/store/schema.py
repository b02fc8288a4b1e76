"""The hub database's schema: its version, the migrations that build it, and running them.

The version lives in `PRAGMA user_version`. Migration N (a Python function, `MIGRATIONS[N-1]`)
takes the database from version N-1 to N inside one transaction, so a failed migration leaves
the previous version intact. Before an existing database is migrated it is copied next to
itself as `<name>.bak-v<old version>`.

Enumerated columns (users.role, call_records.outcome) are checked in Python rather than by
CHECK constraints: SQLite cannot alter a CHECK without rebuilding the table.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from sqlite_utils import Database


class StoreError(Exception):
    """The hub database cannot be used as it is; str() says what to do about it."""


class SchemaTooNewError(StoreError):
    """The database was written by newer hub software than this one."""


def _create_v1(db: Database) -> None:
    db.table("users").create(
        {
            "username": str,
            "role": str,
            "password_hash": str,
            "failed_logins": int,
            "locked_until": str,
            "created_at": str,
            "disabled": int,
        },
        pk="username",
        not_null=["role", "password_hash", "failed_logins", "created_at", "disabled"],
        defaults={"failed_logins": 0, "disabled": 0},
        strict=True,
    )
    # The session id and the kiosk token are stored only as SHA-256 hashes: a copy of the
    # database lets nobody in.
    db.table("sessions").create(
        {
            "id_hash": str,
            "username": str,
            "csrf_token": str,
            "created_at": str,
            "expires_at": str,
        },
        pk="id_hash",
        not_null=["username", "csrf_token", "created_at", "expires_at"],
        foreign_keys=[("username", "users", "username")],
        strict=True,
    )
    db.table("sessions").create_index(["username"])
    db.table("sessions").create_index(["expires_at"])

    db.table("kiosks").create(
        {
            "kiosk_id": str,
            "name": str,
            "location": str,
            "token_hash": str,
            "created_at": str,
            "last_seen": str,
        },
        pk="kiosk_id",
        not_null=["name", "location", "token_hash", "created_at"],
        strict=True,
    )
    # Anonymous: which line, which kiosk, how long; never who, never what was said or shown.
    db.table("call_records").create(
        {
            "id": str,
            "line": str,
            "kiosk_id": str,
            "language": str,
            "queued_at": str,
            "answered_at": str,
            "ended_at": str,
            "wait_ms": int,
            "talk_ms": int,
            "outcome": str,
            "rating": int,
        },
        pk="id",
        not_null=["line", "kiosk_id", "queued_at"],
        strict=True,
    )
    db.table("call_records").create_index(["queued_at"])
    db.table("call_records").create_index(["line", "queued_at"])


def _call_details_v2(db: Database) -> None:
    # What the switchboard's CallRecord adds to v1's columns: the line a transferred call ended
    # on, the end reason as told to the parties, and how often it was transferred.
    table = db.table("call_records")
    table.add_column("final_line", str)
    table.add_column("reason", str)
    table.add_column("transfers", int)


#: MIGRATIONS[N-1] takes the schema from version N-1 to N. Append only; never edit a shipped one.
MIGRATIONS: list[Callable[[Database], None]] = [_create_v1, _call_details_v2]
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    return version


def migrate(db: Database, migrations: list[Callable[[Database], None]] | None = None) -> int:
    """Bring the database to the newest version; returns the version it was migrated from."""
    steps = MIGRATIONS if migrations is None else migrations
    newest = len(steps)
    conn = db.conn
    found = schema_version(conn)
    _refuse_newer(conn, found, newest)
    if found == newest:
        return found
    path = database_file(conn)
    if path is not None and _has_tables(conn):
        backup(conn, path.with_name(f"{path.name}.bak-v{found}"), expected_version=found)
    migrated_from = newest
    for target in range(found + 1, newest + 1):
        # IMMEDIATE takes the write lock at once: a CLI command and the service may open the
        # file together, and the one that waits must see the other's migration.
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = schema_version(conn)
            _refuse_newer(conn, current, newest)
            if current < target:
                migrated_from = min(migrated_from, current)
                steps[target - 1](db)
                conn.execute(f"PRAGMA user_version = {target:d}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return migrated_from


def _refuse_newer(conn: sqlite3.Connection, version: int, newest: int) -> None:
    if version > newest:
        where = database_file(conn) or "the database"
        raise SchemaTooNewError(
            f"{where} has schema version {version} but this kiosk-hub knows only up to "
            f"{newest}: install the newer kiosk-hub, or move the file aside to start afresh "
            "(older copies are kept as *.bak-v<N>)"
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
    """Copy the database to `target` with SQLite's online backup; False if it was not kept."""
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
    os.replace(partial, target)
    return True
