"""StoreWriter: callers never wait, nothing queued is lost, a failing write does not stop it."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.store import Store, StoreWriter, StoreWriterClosed, open_store


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "kiosk.db"


@pytest.fixture
def writer(db_path: Path) -> Iterator[StoreWriter]:
    opened = StoreWriter(open_store(db_path))
    yield opened
    opened.close()


def usage_rows(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT session_id, value FROM usage ORDER BY id").fetchall()
    finally:
        conn.close()


def opened(store: Store, value: str) -> None:
    store.record_usage("s-1", "service_opened", service="help", value=value)


def test_close_performs_every_queued_write(db_path: Path) -> None:
    writer = StoreWriter(open_store(db_path))
    for i in range(1000):
        writer.submit(lambda store, i=i: opened(store, str(i)))
    writer.close()

    rows = usage_rows(db_path)
    assert len(rows) == 1000
    assert [value for _, value in rows] == [str(i) for i in range(1000)]


def test_flush_waits_for_what_was_submitted(writer: StoreWriter) -> None:
    for i in range(50):
        writer.submit(lambda store, i=i: opened(store, str(i)))
    assert writer.flush(timeout=30)
    assert writer.pending == 0
    assert writer.store.db.table("usage").count == 50


def test_a_failing_write_is_logged_and_the_writer_goes_on(
    writer: StoreWriter, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(store: Store) -> None:
        store.record_usage("s-1", "not_a_kind")

    with caplog.at_level(logging.ERROR, logger="kiosk.store.writer"):
        writer.submit(broken)
        writer.submit(lambda store: opened(store, "after"))
        assert writer.flush(timeout=30)

    assert writer.store.db.table("usage").count == 1
    [failure] = [r for r in caplog.records if r.name == "kiosk.store.writer"]
    assert failure.exc_info is not None
    assert failure.exc_info[0] is ValueError


def test_submit_after_close_is_refused_and_close_is_idempotent(db_path: Path) -> None:
    writer = StoreWriter(open_store(db_path))
    writer.close()
    writer.close()
    assert writer.closed
    with pytest.raises(StoreWriterClosed):
        writer.submit(lambda store: opened(store, "late"))
    assert not any(t.name == "kiosk-store-writer" for t in threading.enumerate())


def test_waiting_on_itself_is_refused(
    writer: StoreWriter, caplog: pytest.LogCaptureFixture
) -> None:
    writer.submit(lambda store: writer.flush())
    assert writer.flush(timeout=30)
    [failure] = [r for r in caplog.records if r.name == "kiosk.store.writer"]
    assert failure.exc_info is not None
    assert "wait for itself" in str(failure.exc_info[1])


def test_submits_from_several_threads_keep_each_threads_order(
    writer: StoreWriter, db_path: Path
) -> None:
    start = threading.Barrier(6)

    def submit_many(n: int) -> None:
        start.wait()
        for i in range(200):
            writer.submit(
                lambda store, i=i: store.record_usage(f"s-{n}", "service_opened", value=str(i))
            )

    threads = [threading.Thread(target=submit_many, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert writer.flush(timeout=60)

    rows = usage_rows(db_path)
    assert len(rows) == 1200
    for n in range(6):
        assert [v for s, v in rows if s == f"s-{n}"] == [str(i) for i in range(200)]
