"""Store's reads and writes: usage, events for the agent, and many threads at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from kiosk.store import Store, open_store, utc_iso


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2024, 5, 2, 9, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[Store]:
    opened = open_store(tmp_path / "kiosk.db", clock=clock)
    yield opened
    opened.close()


def test_usage_is_recorded_and_read_back_since_a_moment(store: Store, clock: Clock) -> None:
    store.record_usage("s-1", "session_start", language="fi")
    clock.advance(minutes=1)
    since = clock.now
    first = store.record_usage("s-1", "service_opened", service="help")
    clock.advance(minutes=2)
    store.record_usage("s-1", "outcome", service="help", value="call_answered")
    store.record_usage("s-1", "session_end", duration_ms=180_000)

    usage = store.usage_since(since)
    assert [(u.kind, u.service, u.value, u.duration_ms) for u in usage] == [
        ("service_opened", "help", None, None),
        ("outcome", "help", "call_answered", None),
        ("session_end", None, None, 180_000),
    ]
    assert usage[0].id == first
    assert usage[0].at == "2024-05-02T09:31:00.000Z"
    assert store.usage_since(clock.now + timedelta(seconds=1)) == []


def test_usage_kinds_are_checked(store: Store) -> None:
    with pytest.raises(ValueError, match="usage kind 'name_entered'"):
        store.record_usage("s-1", "name_entered", value="Matti")
    assert store.usage_since(datetime(2000, 1, 1, tzinfo=UTC)) == []


def test_events_wait_for_the_agent_until_marked_shipped(store: Store, clock: Clock) -> None:
    paper = store.add_event(
        "warning",
        "device_status",
        device_id="printer-1",
        code="paper_out",
        attention="clear",
        payload={"state": "user_error", "paper": "out"},
    )
    clock.advance(seconds=5)
    crash = store.add_event("error", "log", session_id="s-9", payload={"msg": "boom"})
    store.add_event("info", "alert")

    pending = store.unshipped_events(limit=2)
    assert [event.id for event in pending] == [paper, crash]
    first = pending[0]
    assert (first.level, first.kind, first.device_id, first.code, first.attention) == (
        "warning",
        "device_status",
        "printer-1",
        "paper_out",
        "clear",
    )
    assert first.payload == {"state": "user_error", "paper": "out"}
    assert first.at == "2024-05-02T09:30:00.000Z"
    assert first.shipped_at is None
    assert pending[1].session_id == "s-9"

    assert store.mark_shipped([paper, crash]) == 2
    assert store.mark_shipped([paper]) == 0  # already shipped: its time is kept
    left = store.unshipped_events()
    assert [event.kind for event in left] == ["alert"]
    assert left[0].payload == {}
    shipped = store.db.execute("SELECT shipped_at FROM events WHERE id = ?", [paper]).fetchone()
    assert shipped == ("2024-05-02T09:30:05.000Z",)


def test_mark_shipped_takes_more_ids_than_one_statement_binds(store: Store) -> None:
    ids = [store.add_event("info", "log") for _ in range(1200)]
    assert store.mark_shipped(iter(ids)) == 1200
    assert store.unshipped_events() == []


def test_events_are_checked(store: Store) -> None:
    with pytest.raises(ValueError, match="event level"):
        store.add_event("fatal", "log")
    with pytest.raises(ValueError, match="event kind"):
        store.add_event("info", "gossip")
    with pytest.raises(TypeError):
        store.add_event("info", "log", payload={"when": object()})
    assert store.unshipped_events() == []


def test_timestamps_are_utc_and_need_a_zone(store: Store) -> None:
    summer_in_helsinki = timezone(timedelta(hours=3))
    moment = datetime(2024, 5, 2, 15, 30, 0, 250_000, tzinfo=summer_in_helsinki)
    assert utc_iso(moment) == "2024-05-02T12:30:00.250Z"
    with pytest.raises(ValueError, match="naive"):
        store.usage_since(datetime(2024, 5, 2))


def test_writes_from_several_threads_at_once(store: Store) -> None:
    start = threading.Barrier(8)
    failures: list[BaseException] = []

    def write(n: int) -> None:
        start.wait()
        try:
            for i in range(100):
                store.record_usage(f"s-{n}", "service_opened", service="help", value=str(i))
                store.add_event("info", "log", session_id=f"s-{n}")
        except BaseException as exc:  # reported below, not lost in the thread
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    usage = store.usage_since(datetime(2000, 1, 1, tzinfo=UTC))
    assert len(usage) == 800
    assert len({u.id for u in usage}) == 800
    for n in range(8):
        values = [u.value for u in usage if u.session_id == f"s-{n}"]
        assert values == [str(i) for i in range(100)]
    assert len(store.unshipped_events(limit=10_000)) == 800


def test_reads_and_writes_refuse_the_ui_thread_and_run_on_the_writer(store: Store) -> None:
    from kiosk import threads
    from kiosk.store import StoreWriter

    threads.mark_ui_thread()
    with pytest.raises(threads.BlockingOnUiThread, match=r"Store\.add_event"):
        store.add_event("info", "log", code="from-the-ui")
    with pytest.raises(threads.BlockingOnUiThread, match=r"Store\.unshipped_events"):
        store.unshipped_events()
    writer = StoreWriter(store)
    try:
        writer.submit(lambda s: s.add_event("info", "log", code="from-the-writer"))
        assert writer.flush(timeout=30)
        threads.clear_ui_thread()
        assert [event.code for event in store.unshipped_events()] == ["from-the-writer"]
    finally:
        threads.clear_ui_thread()
        writer.close()
