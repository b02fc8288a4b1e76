"""A durable write whose commit meets a full disk is rolled back whole and leaves no transaction
open behind it: the next writer on the same store works as soon as there is room again."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.store import open_store
from kiosk.store.full import is_disk_full
from tests.peers.disk import SmallDisk


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[SmallDisk]:
    disk = SmallDisk(tmp_path / "data", 4)
    disk.mount()
    try:
        yield disk
    finally:
        disk.unmount()


def test_a_durable_write_refused_by_a_full_disk_is_rolled_back(disk: SmallDisk) -> None:
    store = open_store(disk.mountpoint / "kiosk.db")
    try:
        store.add_event("info", "device", code="before")
        disk.fill()
        # The commit is what meets the full disk (the rows wait in SQLite's cache till then).
        with pytest.raises(sqlite3.OperationalError) as refused, store.durable() as conn:
            for n in range(50):
                conn.execute(
                    "INSERT INTO events (at, level, kind, payload) VALUES (?, ?, ?, ?)",
                    ("2026-12-07T00:00:00Z", "info", "device", f"{n:0500d}"),
                )
        assert is_disk_full(refused.value)
        assert not store.db.conn.in_transaction
        disk.free()
        store.add_event("info", "device", code="after")
        codes = [r["code"] for r in store.db["events"].rows]
        assert codes == ["before", "after"]  # nothing of the refused transaction was kept
        assert store.db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        store.close()
