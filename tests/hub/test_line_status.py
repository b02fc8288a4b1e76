"""A line's status before any call, as the switchboard tells it: advisors free, all busy with
the queue and a new caller's estimated wait, nobody there, or closed until when."""

from __future__ import annotations

from datetime import datetime

from hub.calls import LineState, Opening
from hub.hours import HELSINKI
from tests.hub.test_queue import Clock, call_from, make_board, on_duty

OPENS = datetime(2025, 3, 4, 9, 0, tzinfo=HELSINKI)


def test_free_advisors_are_counted_and_a_ring_makes_one_busy() -> None:
    clock = Clock()
    board = make_board(clock)
    on_duty(board, clock, "anna", "bert")
    status = board.line_status("virka-info")
    assert (status.state, status.advisors_on_duty, status.advisors_free) == (
        LineState.AVAILABLE,
        2,
        2,
    )
    assert (status.waiting, status.estimated_wait_s, status.next_opening) == (0, None, None)
    call_from(board, "k1")  # rings anna
    status = board.line_status("virka-info")
    assert (status.state, status.advisors_free, status.waiting) == (LineState.AVAILABLE, 1, 1)


def test_all_busy_gives_the_queue_and_a_new_callers_wait() -> None:
    clock = Clock()
    board = make_board(clock)  # 90 s a place until calls are answered
    on_duty(board, clock, "anna")
    c1, _ = call_from(board, "k1")
    board.accept("anna", c1)  # answered at once: the line learns nothing slower
    call_from(board, "k2")
    call_from(board, "k3")
    status = board.line_status("virka-info")
    assert (status.state, status.advisors_free, status.waiting) == (LineState.BUSY, 0, 2)
    assert status.estimated_wait_s == 0  # 0 s a place, learnt from the call just answered
    assert status.as_json() == {
        "state": "busy",
        "advisors_on_duty": 1,
        "advisors_free": 0,
        "waiting": 2,
        "estimated_wait_s": 0,
        "next_opening": None,
    }


def test_busy_with_no_answered_call_yet_uses_the_default_estimate() -> None:
    clock = Clock()
    board = make_board(clock)
    on_duty(board, clock, "anna")
    call_from(board, "k1")  # ringing anna: she is not free
    status = board.line_status("virka-info")
    assert (status.state, status.waiting, status.estimated_wait_s) == (LineState.BUSY, 1, 180)


def test_nobody_signed_in_or_everyone_away_is_unstaffed() -> None:
    clock = Clock()
    board = make_board(clock)
    assert board.line_status("virka-info").state is LineState.UNSTAFFED
    board.advisor_connected("anna", available=False)
    status = board.line_status("virka-info")
    assert (status.state, status.advisors_on_duty, status.advisors_free) == (
        LineState.UNSTAFFED,
        0,
        0,
    )


def test_closed_says_when_it_opens_whoever_is_on_duty() -> None:
    clock = Clock()
    board = make_board(
        clock, opening_hours=lambda line, now: Opening(is_open=False, next_opening=OPENS)
    )
    on_duty(board, clock, "anna")
    status = board.line_status("virka-info")
    assert (status.state, status.next_opening) == (LineState.CLOSED, OPENS)
    assert status.as_json()["next_opening"] == "2025-03-04T07:00:00.000Z"
