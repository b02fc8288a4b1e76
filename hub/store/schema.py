"""The hub database's schema: its version, the migrations that build it, and running them.

Migration N (a Python function, `MIGRATIONS[N-1]`) takes the database from version N-1 to N;
`sqlschema` runs them (one transaction each, a backup first) for this store and the other.

Enumerated columns (users.role, call_records.outcome) are checked in Python rather than by
CHECK constraints: SQLite cannot alter a CHECK without rebuilding the table.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

import psycopg
from sqlite_utils import Database

import sqlschema
from hub.store.appointments_schema import _appointments_v7
from hub.store.cluster_schema import _cluster_v8
from hub.store.enrollment import _enrollment_v4
from hub.store.fleet_schema import _fleet_v5
from hub.store.updates_schema import _updates_v9
from sqlschema import (
    Migration,
    SchemaTooNewError,
    StoreError,
    backup,
    database_file,
    schema_version,
)

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "IntegrityErrors",
    "Migration",
    "SchemaTooNewError",
    "StoreError",
    "backup",
    "database_file",
    "migrate",
    "reclaim_deleted",
    "schema_version",
]


#: A unique key or a reference refused a write, in either database.
IntegrityErrors = (sqlite3.IntegrityError, psycopg.errors.IntegrityError)


def reclaim_deleted(db: Database | Any, tables: Sequence[str]) -> None:
    """After personal data in `tables` was overwritten (set NULL or emptied), outside any
    transaction: leave no copy of the old values where the database still reaches them.

    SQLite (with `secure_delete`) has zeroed the old cells in the pages already; the pages
    themselves stay in the write-ahead log until it is checkpointed, so it is written back and
    emptied now. PostgreSQL keeps an updated row's old version in the table until VACUUM
    removes it, so the tables are vacuumed now (not left to autovacuum). VACUUM does not zero
    the space it frees, nor reach the WAL or backups: docs/appointments.md says what is left.
    """
    if getattr(db, "dialect", "sqlite") == "postgresql":
        names = ", ".join(f'"{table}"' for table in tables)
        db.execute(f"VACUUM {names}")
    else:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


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


def _submissions_v3(db: Database) -> None:
    # Sealed submissions from kiosks (docs/outbox-protocol.md): the sealed bytes as received,
    # until delivered (then emptied), and metadata that names no person. Rows are never deleted.
    # status is one of pending, delivered, failed (checked in Python, see above).
    db.table("submissions").create(
        {
            "id": str,
            "kiosk_id": str,
            "kind": str,
            "form_id": str,
            "received_at": str,
            "sealed": bytes,
            "size": int,
            "status": str,
            "attempts": int,
            "next_attempt_at": str,
            "last_error": str,
            "delivered_at": str,
        },
        pk="id",
        not_null=["kiosk_id", "kind", "received_at", "sealed", "size", "status", "attempts"],
        defaults={"attempts": 0, "status": "pending"},
        foreign_keys=[("kiosk_id", "kiosks", "kiosk_id")],
        strict=True,
    )
    db.table("submissions").create_index(["status", "next_attempt_at"])
    db.table("submissions").create_index(["kiosk_id", "kind", "received_at"])


def _call_guests_v6(db: Database) -> None:
    # A third person in a call (docs/call-three-party.md): whether an interpreter joined and
    # the language interpreted, and the first invited advisor's line. No names, as before.
    table = db.table("call_records")
    table.add_column("interpreted", int, not_null_default=0)
    table.add_column("interpreter_language", str)
    table.add_column("guest_line", str)


#: MIGRATIONS[N-1] takes the schema from version N-1 to N. Append only; never edit a shipped one.
MIGRATIONS: list[Callable[[Database], None]] = [
    _create_v1,
    _call_details_v2,
    _submissions_v3,
    _enrollment_v4,
    _fleet_v5,
    _call_guests_v6,
    _appointments_v7,
    _cluster_v8,
    _updates_v9,
]
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(db: Database, migrations: list[Migration] | None = None) -> int:
    """Bring the database to the newest version; returns the version it was migrated from."""
    return sqlschema.migrate(
        db, MIGRATIONS if migrations is None else migrations, software="kiosk-hub"
    )
