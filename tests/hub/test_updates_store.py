"""Rollout targets, the rule that picks a kiosk's version, and migration 9 over a hub database
that already has kiosks (SQLite, or PostgreSQL when the hub's tests run there)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from hub.config import DATABASE_URL_VARIABLE, HubConfig
from hub.store import open_configured, schema
from hub.store.schema import IntegrityErrors
from hub.store.updates import UpdateReport
from hub.updates.targets import Rollout, is_version, parse_target, wanted_for

AT = "2026-12-07T09:00:00.000Z"


def rollout(target: str, version: str, at: str = AT) -> Rollout:
    return Rollout(target, version, "paa", at)


def test_a_group_comes_before_the_library_before_all_and_the_newest_group_wins() -> None:
    rollouts = {
        r.target: r
        for r in (
            rollout("all", "1.0"),
            rollout("library:pasila", "1.1"),
            rollout("group:pilot", "1.2", "2026-12-07T09:00:00.000Z"),
            rollout("group:night", "1.3", "2026-12-07T10:00:00.000Z"),
        )
    }
    assert wanted_for(None, (), rollouts) == rollouts["all"]
    assert wanted_for("kallio", (), rollouts) == rollouts["all"]
    assert wanted_for("pasila", (), rollouts) == rollouts["library:pasila"]
    assert wanted_for("pasila", ("pilot",), rollouts) == rollouts["group:pilot"]
    assert wanted_for(None, ("pilot", "night"), rollouts) == rollouts["group:night"]
    assert wanted_for(None, ("night", "pilot"), rollouts) == rollouts["group:night"]
    # A group without a version of its own decides nothing.
    assert wanted_for("pasila", ("empty",), rollouts) == rollouts["library:pasila"]
    assert wanted_for("pasila", ("pilot",), {}) is None


def test_targets_and_versions_are_read_strictly() -> None:
    assert parse_target("all") == ("all", "")
    assert parse_target("library:pasila") == ("library", "pasila")
    assert parse_target("group:pilot-2") == ("group", "pilot-2")
    for bad in ("All", "library:", "group:Pilot", "group:a b", "kiosk:x", "", None, 3):
        assert parse_target(bad) is None, bad
    for good in ("0.3.0", "1.2~rc1", "2.0+deb12u1", "0.3.0-1", "1"):
        assert is_version(good), good
    for bad in ("v1", "1:2.0", "1.0 beta", "1.0\n", "", "9" * 65, None):
        assert not is_version(bad), bad


def _database_at_v8(config: HubConfig) -> object:
    url = os.environ.get(DATABASE_URL_VARIABLE)
    if url:
        from sqlschema import postgres

        return postgres.PgDatabase(postgres.connect(url))
    config.db_path.parent.mkdir(parents=True, exist_ok=True)
    return Database(sqlite3.connect(config.db_path))


def test_migration_9_keeps_the_kiosks_and_gives_them_no_library(
    config: HubConfig, tmp_path: Path
) -> None:
    db = _database_at_v8(config)
    try:
        assert schema.migrate(db, schema.MIGRATIONS[:8]) == 0  # type: ignore[arg-type]
        db.execute(  # type: ignore[attr-defined]
            "INSERT INTO kiosks (kiosk_id, name, location, token_hash, created_at)"
            " VALUES ('pasila-1', 'Pasila 1', 'Pasila library', 'x', ?)",
            [AT],
        )
    finally:
        db.conn.close()  # type: ignore[attr-defined]
    store = open_configured(config)
    try:
        assert store.migrated_from == 8
        (kiosk,) = store.kiosks()
        assert kiosk.kiosk_id == "pasila-1" and kiosk.library is None
        updates = store.updates
        assert updates.wanted("pasila-1") is None
        assert updates.set_library("pasila-1", "pasila")
        assert not updates.set_library("ghost-9", "pasila")
        updates.set_group("pilot", ["pasila-1", "pasila-1"])
        assert updates.groups() == {"pilot": ["pasila-1"]}
        updates.set_rollout("library:pasila", "0.2.0", by="paa", at=AT)
        assert updates.wanted("pasila-1") == rollout("library:pasila", "0.2.0")
        updates.save_report("pasila-1", UpdateReport("pending", wanted="0.2.0"), received_at=AT)
        updates.save_report("pasila-1", UpdateReport("updated", "0.2.0"), received_at=AT)
        report = updates.report("pasila-1")
        assert report is not None and report["state"] == "updated"
        assert report["installed"] == "0.2.0" and report["wanted"] is None
        # A report for a kiosk the hub does not know is refused by the database itself.
        with pytest.raises(IntegrityErrors):
            updates.save_report("ghost-9", UpdateReport("pending"), received_at=AT)
    finally:
        store.close()
