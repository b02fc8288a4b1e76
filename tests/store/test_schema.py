"""The schema version, migrations from nothing and from older files, backups, refusals."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlite_utils import Database

from kiosk.store import SCHEMA_VERSION, SchemaTooNewError, Store, open_store, schema

TABLES = {"usage", "events", "outbox", "payment_journal", "print_jobs"}


def tables(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {name for (name,) in rows}


def version_of(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return schema.schema_version(conn)
    finally:
        conn.close()


def test_a_new_file_is_created_at_the_current_version(tmp_path: Path) -> None:
    path = tmp_path / "state" / "kiosk.db"
    store = open_store(path)
    try:
        assert store.migrated_from == 0
        assert schema.schema_version(store.db.conn) == SCHEMA_VERSION
        assert tables(store.db.conn) >= TABLES
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    finally:
        store.close()
    # An empty database has nothing worth keeping: no backup.
    assert sorted(p.name for p in path.parent.iterdir() if ".bak" in p.name) == []


def test_reopening_keeps_data_and_version(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.db"
    store = open_store(path)
    store.record_usage("s-1", "session_start", language="fi")
    store.close()

    again = open_store(path)
    try:
        assert again.migrated_from == SCHEMA_VERSION
        assert [row["session_id"] for row in again.db.table("usage").rows] == ["s-1"]
    finally:
        again.close()
    assert version_of(path) == SCHEMA_VERSION
    assert not list(tmp_path.glob("*.bak-*"))


def test_a_database_from_newer_software_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE future (x)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()

    with pytest.raises(SchemaTooNewError) as refused:
        open_store(path)
    message = str(refused.value)
    assert str(path) in message
    assert f"schema version {SCHEMA_VERSION + 1}" in message
    assert f"only up to {SCHEMA_VERSION}" in message
    assert version_of(path) == SCHEMA_VERSION + 1
    assert not list(tmp_path.glob("*.bak-*"))


def test_an_older_database_with_tables_is_backed_up_before_migrating(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.db"
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
        conn.execute("INSERT INTO notes VALUES ('kept')")
    conn.close()

    store = open_store(path)
    try:
        assert store.migrated_from == 0
        assert tables(store.db.conn) >= TABLES | {"notes"}
    finally:
        store.close()

    backup = tmp_path / "kiosk.db.bak-v0"
    assert backup.exists()
    assert backup.stat().st_mode & 0o777 == 0o600
    assert not list(tmp_path.glob("*.partial"))
    copy = sqlite3.connect(backup)
    try:
        assert tables(copy) == {"notes"}
        assert copy.execute("SELECT text FROM notes").fetchall() == [("kept",)]
        assert schema.schema_version(copy) == 0
    finally:
        copy.close()


def test_a_failing_migration_leaves_the_previous_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "kiosk.db"
    open_store(path).close()

    def broken_v2(db: Database) -> None:
        db.table("half_done").create({"id": int}, pk="id")
        raise RuntimeError("migration bug")

    migrations: list[Callable[[Database], None]] = [*schema.MIGRATIONS, broken_v2]
    monkeypatch.setattr(schema, "MIGRATIONS", migrations)
    monkeypatch.setattr(schema, "SCHEMA_VERSION", len(migrations))
    with pytest.raises(RuntimeError, match="migration bug"):
        open_store(path)

    conn = sqlite3.connect(path)
    try:
        assert schema.schema_version(conn) == SCHEMA_VERSION
        assert "half_done" not in tables(conn)
    finally:
        conn.close()
    assert (tmp_path / f"kiosk.db.bak-v{SCHEMA_VERSION}").exists()


def test_any_injected_connection_works(tmp_path: Path) -> None:
    conn = sqlite3.connect(":memory:")
    store = Store(conn)
    try:
        assert store.migrated_from == 0
        assert tables(conn) >= TABLES
        store.record_usage("s-1", "session_end", duration_ms=1200)
    finally:
        store.close()


@pytest.mark.parametrize("old_table", [False, True], ids=["new file", "v0 file with a table"])
def test_processes_starting_together_migrate_once(tmp_path: Path, old_table: bool) -> None:
    path = tmp_path / "kiosk.db"
    if old_table:
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE notes (text TEXT)")
        conn.close()
    results: list[int | BaseException] = []
    start = threading.Barrier(4)

    def open_one() -> None:
        start.wait()
        try:
            store = open_store(path)
            results.append(store.migrated_from)
            store.close()
        except BaseException as exc:  # reported by the assert below
            results.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(isinstance(result, int) for result in results), results
    assert sorted(results) == [0] + [SCHEMA_VERSION] * 3  # exactly one of them migrated
    assert version_of(path) == SCHEMA_VERSION
    assert not list(tmp_path.glob("*.partial"))
    backups = list(tmp_path.glob("*.bak-*"))
    if old_table:
        # Only a copy of the file as it was is kept, never one another opener already migrated.
        assert [b.name for b in backups] == ["kiosk.db.bak-v0"]
        copy = sqlite3.connect(backups[0])
        try:
            assert tables(copy) == {"notes"}
        finally:
            copy.close()
    else:
        assert backups == []
