"""The outbox's delivery state: a database from before it gains the columns with its rows
intact, and a row waiting for its retry time is not due until then."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from nacl.public import PrivateKey
from sqlite_utils import Database

from kiosk.outbox import Outbox
from kiosk.store import SCHEMA_VERSION, Store, open_store, schema
from tests.agent.conftest import put_form


def test_an_outbox_from_before_the_delivery_state_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.db"
    old = Database(path)
    for migration in schema.MIGRATIONS[:2]:
        migration(old)
    old.execute("PRAGMA user_version = 2")
    old["outbox"].insert(
        {
            "id": "a" * 32,
            "kind": "form",
            "created_at": "2026-01-01T00:00:00.000Z",
            "sealed": b"sealed",
            "attempts": 2,
            "last_error": "HTTP 503",
        }
    )
    old.conn.commit()
    old.close()

    store = open_store(path)
    try:
        assert store.migrated_from == 2 and SCHEMA_VERSION >= 3
        outbox = Outbox(store, b"")
        [due] = outbox.due()
        assert (due.id, due.attempts) == ("a" * 32, 2)
        assert outbox.sealed(due.id) == b"sealed"
        [item] = outbox.pending()
        assert item.rejected_at is None and item.next_attempt_at is None
    finally:
        store.close()


def test_a_row_waits_for_its_retry_time(store: Store) -> None:
    outbox = Outbox(store, bytes(PrivateKey.generate().public_key))
    later, now = put_form(outbox), datetime.now(UTC)
    sooner = put_form(outbox)
    outbox.failed(later, "HTTP 503", retry_at=now + timedelta(minutes=5))
    assert [item.id for item in outbox.due(now=now)] == [sooner]
    assert [item.id for item in outbox.due(now=now + timedelta(minutes=6))] == [later, sooner]
    assert outbox.waiting() == 2
    outbox.reject(sooner, "refused", "too many recipients")
    assert outbox.waiting() == 1 and outbox.sealed(sooner) is None
