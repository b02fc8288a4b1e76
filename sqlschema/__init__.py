"""Versioned SQLite schemas, shared by the kiosk's store and the hub's (neither imports the other).

The hub's may also live in PostgreSQL (sqlschema.postgres, imported only then: a kiosk has no
psycopg); `migrate` runs the same migrations there.

The version lives in `PRAGMA user_version`. Migration N (`migrations[N-1]`, a function of the
sqlite-utils Database) takes the database from version N-1 to N; the steps a file needs run in
one IMMEDIATE transaction, so a failure leaves the version the file had and two processes that
open the file together never both run them. Before an existing database is migrated it is copied
next to itself as `<name>.bak-v<old version>` with SQLite's online backup.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlite_utils import Database

Migration = Callable[[Database], None]


class StoreError(Exception):
    """The database cannot be used as it is; str() says what to do about it."""


class SchemaTooNewError(StoreError):
    """The database was written by newer software than this one."""


def schema_version(conn: sqlite3.Connection) -> int:
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    return version


def migrate(db: Database, migrations: Sequence[Migration], *, software: str) -> int:
    """Bring the database to `len(migrations)`; returns the version this call migrated it from
    (the newest version when there was nothing to do, or another process did it meanwhile).
    `software` names the program in the message when the file is newer than it knows."""
    newest = len(migrations)
    if getattr(db, "dialect", "sqlite") == "postgresql":
        return _migrate_postgres(db, migrations, software=software)
    conn = db.conn
    found = schema_version(conn)
    _refuse_newer(conn, found, newest, software)
    if found == newest:
        return found
    path = database_file(conn)
    if path is not None and _has_tables(conn):
        # Before the write lock (a backup cannot read through it). Should another process
        # migrate meanwhile, this copy is of the new version and is not kept.
        backup(conn, path.with_name(f"{path.name}.bak-v{found}"), expected_version=found)
    # All the steps in one IMMEDIATE transaction: it takes the write lock at once, so of two
    # processes opening the file together the one that waits sees the other's finished work
    # (never a half-migrated file), and a failing step leaves the version the file had.
    conn.execute("BEGIN IMMEDIATE")
    try:
        current = schema_version(conn)
        _refuse_newer(conn, current, newest, software)
        if current < newest:
            for target in range(current + 1, newest + 1):
                migrations[target - 1](db)
                conn.execute(f"PRAGMA user_version = {target:d}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return current


def _migrate_postgres(db: Any, migrations: Sequence[Migration], *, software: str) -> int:
    """`migrate` on PostgreSQL (sqlschema.postgres): one transaction under an advisory lock."""
    from sqlschema import postgres

    newest = len(migrations)
    with db.atomic():
        db.conn.execute("SELECT pg_advisory_xact_lock(%s)", [postgres.MIGRATION_LOCK])
        current = postgres.schema_version(db)
        if current > newest:
            raise SchemaTooNewError(
                f"the database has schema version {current} but this {software} knows only up "
                f"to {newest}: install the newer {software}, or restore the backup taken before "
                "the upgrade (docs/deployment.md)"
            )
        for target in range(current + 1, newest + 1):
            migrations[target - 1](db)
        if current < newest:
            postgres.set_schema_version(db, newest)
    return current


def _refuse_newer(conn: sqlite3.Connection, version: int, newest: int, software: str) -> None:
    if version > newest:
        where = database_file(conn) or "the database"
        raise SchemaTooNewError(
            f"{where} has schema version {version} but this {software} knows only up to "
            f"{newest}: install the newer {software}, or move the file aside to start afresh "
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
    """Copy the database to `target` with SQLite's online backup; False if it was not kept.

    The copy is kept only if it still has `expected_version`: when another process migrated
    the file in between, this copy is of the new version and that process made the real backup.
    """
    # Unique per thread and process, so two openers never write into one half-made file.
    partial = target.with_name(f"{target.name}.{os.getpid()}-{threading.get_ident()}.partial")
    # The copy holds what the store holds: readable by its owner only, whatever the umask.
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    os.chmod(partial, 0o600)
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
