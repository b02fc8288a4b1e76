"""A switchboard's calls survive a restart: `snapshot()` as JSON, `restore()` into a new one,
every party away until it resumes."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from hub.appointments.model import Booked
from hub.calls import CallState, LineConfig, Outcome, Switchboard, advisor, kiosk
from tests.hub.test_queue import EPOCH, Clock, call_from, last, make_board, on_duty, ringing_whom


@pytest.fixture
def clock() -> Clock:
    return Clock()


def saved(board: Switchboard) -> dict[str, object]:
    """What the store keeps: the snapshot through JSON."""
    loaded: dict[str, object] = json.loads(json.dumps(board.snapshot()))
    return loaded


def busy_board(clock: Clock) -> tuple[Switchboard, str, list[str]]:
    """anna in a call with k0 (answered after 2 s, talking 10 s), k1..k3 waiting behind."""
    board = make_board(clock)
    on_duty(board, clock, "anna")
    talking, _ = call_from(board, "k0")
    clock.advance(2)
    board.accept("anna", talking)
    waiting = []
    for n in (1, 2, 3):
        waiting.append(call_from(board, f"k{n}")[0])
        clock.advance(1)
    clock.advance(7)
    return board, talking, waiting


def test_a_restored_switchboard_keeps_the_queue_order_and_the_call_in_progress(
    clock: Clock,
) -> None:
    board, talking, waiting = busy_board(clock)
    snap = saved(board)
    clock.advance(4)  # the hub is down for 4 s
    new = make_board(clock)
    new.restore(snap)
    assert new.waiting("virka-info") == waiting
    assert new.call_state(talking) is CallState.CONNECTED
    assert ringing_whom(new.tick()) == []  # everyone is away: nobody is rung

    new.advisor_connected("anna")
    fx = new.resume(advisor("anna"), talking)
    assert last(fx, advisor("anna"), "resumed")["away"] == ["kiosk"]
    for n, call in enumerate(waiting, start=1):
        new.kiosk_connected(f"k{n}")
        fx = new.resume(kiosk(f"k{n}"), call)
        assert last(fx, kiosk(f"k{n}"), "queued")["position"] == n
    new.kiosk_connected("k0")
    fx = new.resume(kiosk("k0"), talking)
    assert last(fx, kiosk("k0"), "resumed")["away"] == []
    assert last(fx, advisor("anna"), "peer_back")["role"] == "kiosk"

    clock.advance(5)
    fx = new.hang_up(advisor("anna"), talking)
    (record,) = fx.records
    assert record.outcome is Outcome.ANSWERED
    assert record.answered_at == EPOCH + timedelta(seconds=3)
    assert record.talk_ms == (10 + 4 + 5) * 1000  # through the restart
    assert record.wait_ms == 2000
    assert ringing_whom(new.set_available("anna", True)) == ["anna"]
    assert new.waiting("virka-info") == waiting


def test_a_party_that_never_resumes_is_gone_after_the_grace_recorded_once(
    clock: Clock,
) -> None:
    board, talking, waiting = busy_board(clock)
    new = make_board(clock)
    new.restore(saved(board))
    new.advisor_connected("anna")
    new.resume(advisor("anna"), talking)
    clock.advance(30)
    fx = new.tick()
    outcomes = sorted((r.call_id, r.outcome) for r in fx.records)
    assert outcomes == sorted(
        [(talking, Outcome.KIOSK_GONE)] + [(c, Outcome.KIOSK_GONE) for c in waiting]
    )
    assert last(fx, advisor("anna"), "ended")["reason"] == "kiosk_gone"
    clock.advance(30)
    assert not new.tick().records
    assert new.waiting("virka-info") == []


def test_new_calls_after_a_restore_queue_behind_the_restored_ones(clock: Clock) -> None:
    board, _, waiting = busy_board(clock)
    new = Switchboard(
        [LineConfig.of("virka-info", ["anna", "bert"])],
        monotonic=clock.monotonic,
        wall=clock.wall,
        new_call_id=lambda: "late",
    )
    new.restore(saved(board))
    new.advisor_connected("bert", available=True)
    new.kiosk_connected("k9")
    late, _ = new.request_call("k9", "virka-info", "fi")
    assert new.waiting("virka-info") == [*waiting, late]
    with pytest.raises(ValueError):
        new.restore(saved(board))


def test_a_restored_booked_call_and_guest_keep_what_they_were(clock: Clock) -> None:
    board = make_board(clock, {"virka-info": ["anna"], "kela": ["vera"]})
    on_duty(board, clock, "anna", "vera")
    call, _ = call_from(board, "k1")
    board.accept("anna", call)
    board.invite("anna", call, "kela", "authority")
    board.accept("vera", call)
    board.kiosk_connected("k2")
    booked = Booked("b1", "virka-info", "anna", EPOCH, EPOCH + timedelta(minutes=20), "fi", "tax")
    waiting, _ = board.request_call("k2", "virka-info", "fi", booked=booked)
    new = make_board(clock, {"virka-info": ["anna"], "kela": ["vera"]})
    new.restore(saved(board))
    new.advisor_connected("vera")
    fx = new.resume(advisor("vera"), call)
    assert last(fx, advisor("vera"), "resumed")["role"] == "guest"
    new.kiosk_connected("k2")
    fx = new.resume(kiosk("k2"), waiting)
    assert last(fx, kiosk("k2"), "queued")["booked"] is True


def test_calls_on_lines_no_longer_configured_are_left_out(clock: Clock) -> None:
    board, talking, _ = busy_board(clock)
    new = make_board(clock, {"kansalaisneuvonta": ["anna"]})
    new.restore(saved(board))
    assert new.call_state(talking) is None
