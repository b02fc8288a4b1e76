"""Whether a session is on, from the app's heartbeat in a real kiosk store, read the way the
root updater reads it: read-only, as the store's owner, never migrating it."""

from __future__ import annotations

import os
import pwd
import shutil
import sqlite3
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kiosk.store import open_store
from kiosk.store.fleet import Fleet
from kiosk.updates.beat import last_beat
from kiosk.updates.flow import session_on

NOW = datetime(2026, 12, 7, 2, 30, tzinfo=UTC)


def write_beat(db: Path, at: datetime, *, session: bool, version: str = "0.2.0") -> None:
    store = open_store(db, clock=lambda: at)
    try:
        Fleet(store, clock=lambda: at).beat(
            version=version, session_active=session, started_at=at - timedelta(minutes=5)
        )
    finally:
        store.close()


def test_no_store_or_no_beat_is_no_session(tmp_path: Path) -> None:
    db = tmp_path / "kiosk.db"
    assert last_beat(db) is None and not session_on(db, NOW)
    open_store(db).close()
    assert last_beat(db) is None and not session_on(db, NOW)


def test_a_fresh_beat_with_a_session_is_a_session(tmp_path: Path) -> None:
    db = tmp_path / "kiosk.db"
    write_beat(db, NOW - timedelta(seconds=10), session=True)
    assert session_on(db, NOW)
    beat = last_beat(db)
    assert beat is not None and beat.version == "0.2.0" and beat.session_active


def test_a_fresh_beat_without_a_session_is_none(tmp_path: Path) -> None:
    db = tmp_path / "kiosk.db"
    write_beat(db, NOW - timedelta(seconds=10), session=False)
    assert not session_on(db, NOW)


def test_a_stale_beat_says_nothing_of_a_session(tmp_path: Path) -> None:
    """The app stopped mid-session 5 minutes ago: no one is being served by it now."""
    db = tmp_path / "kiosk.db"
    write_beat(db, NOW - timedelta(minutes=5), session=True)
    assert not session_on(db, NOW)


def test_the_read_changes_nothing_in_the_store(tmp_path: Path) -> None:
    db = tmp_path / "kiosk.db"
    write_beat(db, NOW, session=False)
    with sqlite3.connect(db) as conn:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.execute("PRAGMA user_version = 999")  # a store a newer app has migrated
    try:
        assert last_beat(db) is not None
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == 999
    finally:
        with sqlite3.connect(db) as conn:
            conn.execute(f"PRAGMA user_version = {version}")


@pytest.mark.skipif(os.geteuid() != 0, reason="reading as the store's owner needs root")
def test_root_reads_as_the_owner_and_leaves_no_file_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A -shm or -wal that root made would lock the app (the user kiosk) out of its store: so
    the store is opened with the owner's ids, and root's are back afterwards."""
    opened_as: list[tuple[int, int]] = []
    connect = sqlite3.connect

    def recording(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        opened_as.append((os.geteuid(), os.getegid()))
        return connect(*args, **kwargs)

    owner = pwd.getpwnam("nobody")
    # A folder the owner can reach (pytest's own is root's alone), as /var/lib/kiosk is.
    folder = Path(tempfile.mkdtemp(prefix="kiosk-data-"))
    folder.chmod(0o700)
    db = folder / "kiosk.db"
    write_beat(db, NOW, session=True)
    for path in folder.iterdir():
        os.chown(path, owner.pw_uid, owner.pw_gid)
    os.chown(folder, owner.pw_uid, owner.pw_gid)
    # The app has closed its store: no -wal or -shm now.
    assert sorted(p.name for p in folder.iterdir()) == ["kiosk.db"]
    monkeypatch.setattr(sqlite3, "connect", recording)
    beat = last_beat(db)
    monkeypatch.undo()
    try:
        assert beat is not None and beat.session_active
        assert opened_as == [(owner.pw_uid, owner.pw_gid)]
        assert (os.geteuid(), os.getegid()) == (0, 0)
        for path in folder.iterdir():
            assert path.stat().st_uid == owner.pw_uid, path.name
    finally:
        shutil.rmtree(folder)
