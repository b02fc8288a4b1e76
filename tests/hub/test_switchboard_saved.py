"""One hub's switchboard saved in its store (SQLite, and PostgreSQL through a private server)
and brought back at start: the calls, not the clocks, decide when it is written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.calls import CallState, Outcome, Switchboard, advisor, kiosk
from hub.calls.saved import SavedSwitchboard
from hub.store import HubStore, open_postgres, open_store
from tests.hub.test_queue import Clock, call_from, last, make_board, on_duty
from tests.peers.postgres import PostgresServer


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HubStore]:
    if request.param == "sqlite":
        opened = open_store(tmp_path / "hub.db")
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        opened = open_postgres(server.schema_url())
    yield opened
    opened.close()


def test_a_switchboard_saved_when_its_calls_change_comes_back_in_a_new_one(
    store: HubStore,
) -> None:
    clock = Clock()
    board = make_board(clock)
    saved = SavedSwitchboard(store)
    assert saved.load() is None
    assert saved.save(board)  # no calls yet: that is a state too
    assert not saved.save(board)
    on_duty(board, clock, "anna")
    talking, _ = call_from(board, "k1")
    board.accept("anna", talking)
    waiting, _ = call_from(board, "k2")
    assert saved.save(board)
    clock.advance(30)
    board.relay(kiosk("k1"), talking, {"type": "offer", "call": talking, "sdp": "v=0"})
    assert not saved.save(board)  # the clock moved and signalling went by: no write

    clock.advance(5)  # the hub was down 5 s
    again = make_board(clock)
    assert SavedSwitchboard(store).restore_into(again) == 2
    assert again.call_state(talking) is CallState.CONNECTED
    assert again.waiting("virka-info") == [waiting]
    again.advisor_connected("anna")
    fx = again.resume(advisor("anna"), talking)
    assert last(fx, advisor("anna"), "resumed")["call"] == talking
    (record,) = again.hang_up(advisor("anna"), talking).records
    assert record.outcome is Outcome.ANSWERED
    assert record.talk_ms == 35_000  # 30 s after the save, and the 5 s the hub was down


def test_an_unreadable_saved_switchboard_starts_empty(store: HubStore) -> None:
    store.save_switchboard_state("single", "{not json", at="2025-01-01T00:00:00Z")
    board: Switchboard = make_board(Clock())
    assert SavedSwitchboard(store).restore_into(board) == 0
    assert board.snapshot()["calls"] == []
