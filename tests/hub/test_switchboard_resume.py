"""A party whose socket was lost keeps its call for `resume_seconds`: away, back, resumed, or
ended once the grace is over, as the people in the call would notice it."""

from __future__ import annotations

import pytest

from hub.calls import CallState, Outcome, Switchboard, advisor, kiosk
from hub.calls.model import home
from tests.hub.test_queue import Clock, call_from, last, make_board, of_type, on_duty, ringing_whom


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def board(clock: Clock) -> Switchboard:
    return make_board(clock)


def answered(board: Switchboard, clock: Clock, kiosk_id: str = "k1", who: str = "anna") -> str:
    on_duty(board, clock, who)
    call, _ = call_from(board, kiosk_id)
    clock.advance(2)
    board.accept(who, call)
    return call


def test_a_kiosk_lost_mid_call_is_away_and_the_call_carries_on_when_it_resumes(
    clock: Clock, board: Switchboard
) -> None:
    call = answered(board, clock)
    clock.advance(10)
    fx = board.kiosk_away("k1")
    assert last(fx, advisor("anna"), "peer_away") == {
        "type": "peer_away",
        "call": call,
        "role": "kiosk",
        "resume_seconds": 30.0,
    }
    assert not fx.records and not of_type(fx, advisor("anna"), "ended")
    clock.advance(20)
    assert not board.tick().records
    assert board.call_state(call) is CallState.CONNECTED

    assert not board.kiosk_connected("k1", name="Kiosk k1").messages
    fx = board.resume(kiosk("k1"), call)
    assert last(fx, kiosk("k1"), "resumed") == {
        "type": "resumed",
        "call": call,
        "line": "virka-info",
        "role": "kiosk",
        "away": [],
    }
    assert last(fx, advisor("anna"), "peer_back") == {
        "type": "peer_back",
        "call": call,
        "role": "kiosk",
    }
    clock.advance(60)  # long past the grace: resumed, nothing ends it
    assert not board.tick().records
    clock.advance(10)
    (record,) = board.hang_up(advisor("anna"), call).records
    assert record.outcome is Outcome.ANSWERED
    assert record.talk_ms == 100_000  # the time away counts as talk: the media went on


def test_a_kiosk_away_past_the_grace_ends_its_call_once_as_gone(
    clock: Clock, board: Switchboard
) -> None:
    call = answered(board, clock)
    board.kiosk_away("k1")
    clock.advance(29)
    assert not board.tick().records
    clock.advance(1)
    fx = board.tick()
    (record,) = fx.records
    assert record.outcome is Outcome.KIOSK_GONE and record.answered_at is not None
    assert last(fx, advisor("anna"), "ended")["reason"] == "kiosk_gone"
    assert board.call_state(call) is None
    clock.advance(30)
    assert not board.tick().records
    # Back too late: the call is over, and the kiosk is an ordinary new connection.
    board.kiosk_connected("k1")
    fx = board.resume(kiosk("k1"), call)
    assert last(fx, kiosk("k1"), "ended") == {
        "type": "ended",
        "call": call,
        "reason": "kiosk_gone",
        "can_rate": False,
    }
    board.set_available("anna", True)
    assert board.request_call("k1", "virka-info", "fi")[0]


def test_a_call_hung_up_while_the_kiosk_was_away_is_told_with_its_rating_on_resume(
    clock: Clock, board: Switchboard
) -> None:
    call = answered(board, clock)
    board.kiosk_away("k1")
    fx = board.hang_up(advisor("anna"), call)
    assert [r.outcome for r in fx.records] == [Outcome.ANSWERED]
    board.kiosk_connected("k1")
    fx = board.resume(kiosk("k1"), call)
    assert last(fx, kiosk("k1"), "ended") == {
        "type": "ended",
        "call": call,
        "reason": "advisor_hung_up",
        "can_rate": True,
    }
    assert board.rate("k1", call, 5).records[0].rating == 5
    clock.advance(60)
    assert not board.tick().records


def test_a_waiting_caller_away_keeps_its_place_unrung_and_is_rung_when_back(
    clock: Clock, board: Switchboard
) -> None:
    first = answered(board, clock, "k0")
    c1, _ = call_from(board, "k1")
    clock.advance(1)
    c2, _ = call_from(board, "k2")
    # Waiting, nobody is in the call to be told.
    assert not of_type(board.kiosk_away("k1"), advisor("anna"), "peer_away")
    clock.advance(5)
    fx = board.hang_up(advisor("anna"), first)
    assert ringing_whom(fx) == ["anna"]
    assert last(fx, advisor("anna"), "ringing")["call"] == c2  # not the caller who is away
    assert board.waiting("virka-info") == [c1, c2]
    assert board.position(c2) == 2

    board.kiosk_connected("k1")
    fx = board.resume(kiosk("k1"), c1)
    assert last(fx, kiosk("k1"), "queued")["position"] == 1
    assert not of_type(fx, kiosk("k1"), "resumed")
    fx = board.decline("anna", c2)
    assert last(fx, advisor("anna"), "ringing")["call"] == c1  # back, and first in line


def test_a_ringing_call_stops_ringing_while_its_caller_is_away(
    clock: Clock, board: Switchboard
) -> None:
    on_duty(board, clock, "anna")
    call, fx = call_from(board, "k1")
    assert ringing_whom(fx) == ["anna"]
    fx = board.kiosk_away("k1")
    assert last(fx, advisor("anna"), "ring_ended") == {
        "type": "ring_ended",
        "call": call,
        "reason": "citizen_away",
    }
    assert board.call_state(call) is CallState.WAITING
    clock.advance(25)  # longer than a ring: still nobody rung
    assert ringing_whom(board.tick()) == []
    board.kiosk_connected("k1")
    fx = board.resume(kiosk("k1"), call)
    assert ringing_whom(fx) == ["anna"]  # she did not refuse it: she is rung again
    assert last(fx, kiosk("k1"), "queued")["position"] == 1


def test_an_advisor_lost_mid_call_resumes_it_after_connecting_again(
    clock: Clock, board: Switchboard
) -> None:
    call = answered(board, clock)
    fx = board.advisor_away("anna")
    assert last(fx, kiosk("k1"), "peer_away")["role"] == "host"
    assert not of_type(fx, kiosk("k1"), "ended")
    clock.advance(5)
    board.advisor_connected("anna")
    fx = board.resume(advisor("anna"), call)
    assert last(fx, advisor("anna"), "resumed")["role"] == "host"
    assert last(fx, kiosk("k1"), "peer_back")["role"] == "host"
    clock.advance(60)
    assert not board.tick().records
    (record,) = board.hang_up(kiosk("k1"), call).records
    assert record.outcome is Outcome.ANSWERED and record.talk_ms == 65_000


def test_an_advisor_back_but_not_resuming_loses_the_call_after_the_grace(
    clock: Clock, board: Switchboard
) -> None:
    call = answered(board, clock)
    board.advisor_away("anna")
    board.advisor_connected("anna", available=True)  # a reloaded console: it lost the call
    fx = board.tick()
    assert not fx.records
    clock.advance(30)
    fx = board.tick()
    (record,) = fx.records
    assert record.outcome is Outcome.ADVISOR_GONE
    assert last(fx, kiosk("k1"), "ended")["reason"] == "advisor_gone"
    # She stays connected and may be rung for the next call.
    board.kiosk_connected("k2")
    _, fx = board.request_call("k2", "virka-info", "fi")
    assert ringing_whom(fx) == ["anna"]
    fx = board.resume(advisor("anna"), call)
    assert last(fx, advisor("anna"), "ended")["reason"] == "advisor_gone"


def test_a_clean_goodbye_still_ends_the_call_at_once(clock: Clock, board: Switchboard) -> None:
    call = answered(board, clock)
    board.kiosk_away("k1")
    (record,) = board.kiosk_gone("k1").records  # back and closed cleanly, or closed away
    assert record.outcome is Outcome.KIOSK_GONE
    assert board.call_state(call) is None
    clock.advance(60)
    assert not board.tick().records


def test_a_party_may_resume_only_its_own_call(clock: Clock, board: Switchboard) -> None:
    call = answered(board, clock)
    board.kiosk_connected("k9")
    fx = board.resume(kiosk("k9"), call)
    assert last(fx, kiosk("k9"), "ended")["reason"] == "kiosk_gone"
    assert board.call_state(call) is CallState.CONNECTED
    on_duty(board, clock, "bert")
    fx = board.resume(advisor("bert"), call)
    assert last(fx, advisor("bert"), "ended")["reason"] == "advisor_gone"
    assert board.call_state(call) is CallState.CONNECTED


def test_a_home_caller_resumes_from_a_new_socket(clock: Clock, board: Switchboard) -> None:
    on_duty(board, clock, "anna")
    board.kiosk_connected("home-1", channel="home")
    call, _ = board.request_call("home-1", "virka-info", "fi")
    board.accept("anna", call)
    board.kiosk_away("home-1")
    board.kiosk_connected("home-2", channel="home")
    fx = board.resume(home("home-2"), call)
    assert last(fx, home("home-2"), "resumed")["role"] == "kiosk"
    assert last(fx, advisor("anna"), "peer_back")["role"] == "kiosk"
    clock.advance(60)
    assert not board.tick().records
    (record,) = board.hang_up(home("home-2"), call).records
    assert record.outcome is Outcome.ANSWERED and record.kiosk_id == "home"


def three_party_board(clock: Clock) -> Switchboard:
    return make_board(clock, {"virka-info": ["anna"], "kela": ["vera"]})


def test_a_guest_away_past_the_grace_leaves_and_the_call_goes_on(clock: Clock) -> None:
    board = three_party_board(clock)
    call = answered(board, clock)
    on_duty(board, clock, "vera")
    board.invite("anna", call, "kela", "authority")
    board.accept("vera", call)
    fx = board.advisor_away("vera")
    assert last(fx, kiosk("k1"), "peer_away")["role"] == "guest"
    assert last(fx, advisor("anna"), "peer_away")["role"] == "guest"
    clock.advance(30)
    fx = board.tick()
    assert not fx.records
    assert last(fx, kiosk("k1"), "left")["party"] == "guest"
    assert board.call_state(call) is CallState.CONNECTED


def test_a_resumed_party_hears_who_is_still_away(clock: Clock) -> None:
    board = three_party_board(clock)
    call = answered(board, clock)
    on_duty(board, clock, "vera")
    board.invite("anna", call, "kela", "authority")
    board.accept("vera", call)
    board.advisor_away("vera")
    board.kiosk_away("k1")
    board.kiosk_connected("k1")
    fx = board.resume(kiosk("k1"), call)
    assert last(fx, kiosk("k1"), "resumed")["away"] == ["guest"]


def test_resume_seconds_is_a_parameter(clock: Clock) -> None:
    board = make_board(clock, resume_seconds=5)
    call = answered(board, clock)
    fx = board.kiosk_away("k1")
    assert last(fx, advisor("anna"), "peer_away")["resume_seconds"] == 5
    clock.advance(5)
    assert [r.outcome for r in board.tick().records] == [Outcome.KIOSK_GONE]
    assert board.call_state(call) is None


def test_lines_with_an_away_caller_count_it_as_waiting(clock: Clock) -> None:
    board = make_board(clock, {"virka-info": ["anna", "bert"]})
    answered(board, clock)
    call_from(board, "k2")
    board.kiosk_away("k2")
    assert board.line_status("virka-info").waiting == 1


def test_a_kiosk_back_that_calls_anew_gives_up_the_call_it_did_not_resume(
    clock: Clock, board: Switchboard
) -> None:
    """A kiosk app restarted mid-call has no peer left to resume: its new call goes ahead."""
    old = answered(board, clock)
    board.kiosk_away("k1")
    board.kiosk_connected("k1")
    board.set_available("anna", True)
    new, fx = board.request_call("k1", "virka-info", "fi")
    assert new != old and board.call_state(old) is None
    assert [(r.call_id, r.outcome) for r in fx.records] == [(old, Outcome.KIOSK_GONE)]
    assert last(fx, advisor("anna"), "ended")["reason"] == "kiosk_gone"
    assert last(fx, kiosk("k1"), "queued")["call"] == new
    clock.advance(60)
    assert not board.tick().records  # recorded once
    assert board.call_state(new) is not None
