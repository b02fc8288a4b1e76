"""The appointments' sweeper runs a round on one hub instance at a time (PostgreSQL): while one
instance holds the round's advisory lock, another's round is skipped; a lock whose holder's
connection ended (an instance that died) is free again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.app import make_app
from hub.appointments.sweeper import SWEEP_LOCK, SWEEPER
from hub.config import load_config
from hub.store import HubStore, open_postgres
from tests.peers.postgres import PostgresServer


@pytest.fixture
def two_stores(postgres_server: PostgresServer) -> Iterator[tuple[HubStore, HubStore]]:
    url = postgres_server.schema_url()
    first = open_postgres(url)
    second = open_postgres(url)
    yield first, second
    second.close()
    first.close()
    postgres_server.drop_schema(url)


def test_a_round_is_skipped_while_another_instance_runs_one(
    two_stores: tuple[HubStore, HubStore], tmp_path: Path
) -> None:
    first, second = two_stores
    toml = tmp_path / "hub.toml"
    toml.write_text(f'[hub]\ndata_dir = "{tmp_path / "data"}"\ncookie_secure = false\n')
    app = make_app(load_config(toml), second)
    sweeper = app[SWEEPER]
    assert sweeper.run_once(app)
    # The first instance is in the middle of its round.
    assert first.db.execute("SELECT pg_try_advisory_lock(?)", [SWEEP_LOCK]).fetchone()[0]
    assert not sweeper.run_once(app)
    assert not sweeper.run_once(app)
    # Its round ends (or it dies: its connection closes): the next round here runs, and
    # leaves the lock free behind it.
    first.close()
    assert sweeper.run_once(app)
    assert sweeper.run_once(app)
    held = second.db.execute(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
    ).fetchone()[0]
    assert held == 0
