"""The hub database: created at the current version, re-opened as is, newer files refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from hub.store import SCHEMA_VERSION, SchemaTooNewError, StoreError, open_store, schema

TABLES = {"users", "sessions", "kiosks", "call_records"}


def tables(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {name for (name,) in rows}


def test_a_new_file_is_created_at_the_current_version(tmp_path: Path) -> None:
    store = open_store(tmp_path / "state" / "hub.db")
    try:
        assert store.migrated_from == 0
        assert schema.schema_version(store.db.conn) == SCHEMA_VERSION
        assert tables(store.db.conn) >= TABLES
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        # Anonymous call records: nothing that names a person.
        columns = set(store.db.table("call_records").columns_dict)
        assert columns == {
            "id", "line", "kiosk_id", "language", "queued_at", "answered_at", "ended_at",
            "wait_ms", "talk_ms", "outcome", "rating", "final_line", "reason", "transfers",
            "interpreted", "interpreter_language", "guest_line", "channel", "booking_id",
        }  # fmt: skip
    finally:
        store.close()
    assert not list(tmp_path.glob("state/*.bak-*"))  # nothing to back up in a new file


def test_reopening_is_a_no_op(tmp_path: Path) -> None:
    path = tmp_path / "hub.db"
    first = open_store(path)
    first.add_user("anna", "advisor", "hash", at="2025-01-13T08:00:00.000Z")
    first.close()
    again = open_store(path)
    try:
        assert again.migrated_from == SCHEMA_VERSION
        user = again.user("anna")
        assert user is not None and user.role == "advisor"
    finally:
        again.close()
    assert not list(tmp_path.glob("*.bak-*"))


def test_a_newer_schema_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "hub.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaTooNewError) as caught:
        open_store(path)
    message = str(caught.value)
    assert f"schema version {SCHEMA_VERSION + 1}" in message
    assert "install the newer kiosk-hub" in message
    assert isinstance(caught.value, StoreError)


def test_a_later_migration_runs_once_after_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "hub.db"
    open_store(path).close()

    def add_notes(db: Database) -> None:
        db.table("notes").create({"id": int, "text": str}, pk="id")

    steps = [*schema.MIGRATIONS, add_notes]
    db = Database(sqlite3.connect(path))
    try:
        assert schema.migrate(db, steps) == SCHEMA_VERSION
        assert schema.schema_version(db.conn) == SCHEMA_VERSION + 1
        assert "notes" in tables(db.conn)
        assert schema.migrate(db, steps) == SCHEMA_VERSION + 1  # nothing more to do
    finally:
        db.conn.close()
    backup = tmp_path / f"hub.db.bak-v{SCHEMA_VERSION}"
    assert backup.exists()
    conn = sqlite3.connect(backup)
    try:
        assert schema.schema_version(conn) == SCHEMA_VERSION
        assert "notes" not in tables(conn)
    finally:
        conn.close()


def test_a_failed_migration_leaves_the_previous_version(tmp_path: Path) -> None:
    path = tmp_path / "hub.db"
    open_store(path).close()

    def broken(db: Database) -> None:
        db.table("half").create({"id": int}, pk="id")
        raise RuntimeError("disk on fire")

    db = Database(sqlite3.connect(path))
    try:
        with pytest.raises(RuntimeError):
            schema.migrate(db, [*schema.MIGRATIONS, broken])
        assert schema.schema_version(db.conn) == SCHEMA_VERSION
        assert "half" not in tables(db.conn)
    finally:
        db.conn.close()


def test_usernames_and_kiosk_ids_are_unique(tmp_path: Path) -> None:
    store = open_store(tmp_path / "hub.db")
    try:
        store.add_user("anna", "advisor", "h", at="2025-01-13T08:00:00.000Z")
        with pytest.raises(StoreError, match="already a user anna"):
            store.add_user("anna", "admin", "h", at="2025-01-13T08:00:00.000Z")
        with pytest.raises(ValueError, match="role"):
            store.add_user("ben", "boss", "h", at="2025-01-13T08:00:00.000Z")
        store.add_kiosk("k1", "K", "L", "t", at="2025-01-13T08:00:00.000Z")
        with pytest.raises(StoreError, match="already a kiosk k1"):
            store.add_kiosk("k1", "K", "L", "t", at="2025-01-13T08:00:00.000Z")
    finally:
        store.close()
