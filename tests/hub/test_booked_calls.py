"""Booked calls and home callers on the switchboard, driven with a hand-moved clock.

A call made with a booking code goes first in its line and rings only the advisor who holds
the slot (docs/appointments.md "Using a code"); a home caller is a citizen's end like a kiosk,
told apart by its channel.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from hub.appointments.model import Booked
from hub.calls import CallState, Opening, Outcome, Switchboard, advisor, kiosk
from hub.calls.model import home
from tests.hub.test_queue import EPOCH, Clock, last, make_board, of_type, on_duty, ringing_whom

LINE = "virka-info"
#: The slot starts one minute after the clock's start: the code is used within its window.
STARTS = EPOCH + timedelta(minutes=1)


def booking(holder: str = "anna", booking_id: str = "b1", starts: int = 1) -> Booked:
    start = EPOCH + timedelta(minutes=starts)
    return Booked(booking_id, LINE, holder, start, start + timedelta(minutes=20), "sv", "housing")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def board(clock: Clock) -> Switchboard:
    # late_minutes 15: the booking's window ends 16 minutes after the clock's start.
    return make_board(clock, booking_late_minutes=15, home_max_waiting=2)


def connect(board: Switchboard, kiosk_id: str) -> None:
    board.kiosk_connected(kiosk_id, name=f"Kiosk {kiosk_id}", location="Kallio library")


def test_a_booked_call_goes_first_and_rings_only_the_slot_holder(
    clock: Clock, board: Switchboard
) -> None:
    on_duty(board, clock, "anna", "bert")
    connect(board, "k0")
    c0, fx = board.request_call("k0", LINE, "fi")
    assert ringing_whom(fx) == ["anna"]  # the longest idle
    board.accept("anna", c0)
    # anna (the slot holder) is busy; bert declines an earlier caller, who waits for anna.
    other = "bert"
    connect(board, "k1")
    c1, fx = board.request_call("k1", LINE, "fi")
    assert ringing_whom(fx) == [other]
    fx = board.decline(other, c1)
    assert ringing_whom(fx) == []
    assert board.waiting(LINE) == [c1]

    clock.advance(5)
    connect(board, "k2")
    c2, fx = board.request_call("k2", LINE, "en", booked=booking("anna"))
    queued = last(fx, kiosk("k2"), "queued")
    assert (queued["position"], queued["booked"]) == (1, True)
    assert last(fx, kiosk("k1"), "queued")["position"] == 2
    arrived = last(fx, advisor("anna"), "appointment_arrived")
    assert arrived == {
        "type": "appointment_arrived",
        "booking": "b1",
        "call": c2,
        "line": LINE,
        "starts_at": "2025-03-03T08:01:00.000Z",
        "language": "sv",
        "topic": "housing",
        "channel": "kiosk",
        "kiosk_name": "Kiosk k2",
        "location": "Kallio library",
    }
    assert of_type(fx, advisor(other), "appointment_arrived") == []
    # bert is free, but the booked call is anna's: nobody is rung.
    assert ringing_whom(fx) == []
    assert board.waiting(LINE) == [c2, c1]
    view = last(fx, advisor(other), "queue")
    assert [(c["call"], c["booked"], c["booking"]) for c in view["calls"]] == [
        (c2, True, "b1"),
        (c1, False, None),
    ]

    fx = board.hang_up(advisor("anna"), c0)
    assert ringing_whom(fx) == ["anna"]
    ring = last(fx, advisor("anna"), "ringing")
    assert (ring["call"], ring["booked"], ring["booking"], ring["channel"]) == (
        c2,
        True,
        "b1",
        "kiosk",
    )
    fx = board.accept("anna", c2)
    assert fx.served == [("b1", clock.wall())]
    assert last(fx, advisor("anna"), "connected")["booking"] == "b1"
    assert last(fx, kiosk("k1"), "queued")["position"] == 1
    fx = board.hang_up(kiosk("k2"), c2)
    (record,) = fx.records
    assert (record.booking_id, record.channel, record.kiosk_id, record.language) == (
        "b1",
        "kiosk",
        "k2",
        "en",
    )
    assert record.outcome is Outcome.ANSWERED


def test_a_booked_call_waits_for_its_advisor_through_the_unstaffed_rule(
    clock: Clock, board: Switchboard
) -> None:
    connect(board, "k1")
    connect(board, "k2")
    # Nobody is signed in: an ordinary call is refused, a booked one waits.
    _, fx = board.request_call("k1", LINE, "fi")
    assert last(fx, kiosk("k1"), "ended")["reason"] == "no_advisor"
    c2, fx = board.request_call("k2", LINE, "fi", booked=booking("bert"))
    assert last(fx, kiosk("k2"), "queued")["booked"] is True
    clock.advance(600)  # well past the 2-minute unstaffed rule
    assert board.tick().records == []
    assert board.call_state(c2) is CallState.WAITING
    # Its advisor signs in: told of the booking's citizen, rung, and nobody else.
    fx = board.advisor_connected("anna", available=True)
    assert ringing_whom(fx) == []
    assert of_type(fx, advisor("anna"), "appointment_arrived") == []
    fx = board.advisor_connected("bert", available=True)
    assert last(fx, advisor("bert"), "appointment_arrived")["call"] == c2
    assert ringing_whom(fx) == ["bert"]


def test_after_its_window_a_booked_call_is_an_ordinary_call_at_the_front(
    clock: Clock, board: Switchboard
) -> None:
    on_duty(board, clock, "anna", "bert")
    connect(board, "k0")
    c0, fx = board.request_call("k0", LINE, "fi")
    busy, free = "anna", "bert"
    assert ringing_whom(fx) == [busy]
    board.accept(busy, c0)
    fx = board.set_available(free, False)
    connect(board, "k1")
    c1, _ = board.request_call("k1", LINE, "fi")
    connect(board, "k2")
    c2, fx = board.request_call("k2", LINE, "fi", booked=booking(busy))
    assert board.waiting(LINE) == [c2, c1]
    # The window: 15 minutes after the slot's start, and one ring (20 s) for the advisor.
    fx = board.set_available(free, True)
    assert ringing_whom(fx) == [free]  # the ordinary caller, not the booked one
    assert last(fx, advisor(free), "ringing")["call"] == c1
    board.decline(free, c1)
    clock.t = 16 * 60 + 19
    fx = board.tick()
    assert ringing_whom(fx) == []
    clock.t = 16 * 60 + 20
    fx = board.tick()
    queued = last(fx, kiosk("k2"), "queued")
    assert (queued["call"], queued["position"], "booked" in queued) == (c2, 1, False)
    assert ringing_whom(fx) == [free]
    assert last(fx, advisor(free), "ringing")["call"] == c2
    assert board.waiting(LINE) == [c2, c1]


def test_the_slot_holder_declining_passes_the_booked_call_to_the_line(
    clock: Clock, board: Switchboard
) -> None:
    on_duty(board, clock, "anna", "bert")
    connect(board, "k1")
    c1, fx = board.request_call("k1", LINE, "fi", booked=booking("bert"))
    assert ringing_whom(fx) == ["bert"]
    fx = board.decline("bert", c1)
    assert ringing_whom(fx) == ["anna"]
    assert last(fx, kiosk("k1"), "queued").get("booked") is None


def test_a_booked_call_is_taken_on_a_closed_line(clock: Clock) -> None:
    board = make_board(clock, opening_hours=lambda line, now: Opening(is_open=False))
    on_duty(board, clock, "anna")
    connect(board, "k1")
    _, fx = board.request_call("k1", LINE, "fi", booked=booking("anna"))
    assert ringing_whom(fx) == ["anna"]


def test_booked_calls_among_themselves_go_by_their_slots_time(
    clock: Clock, board: Switchboard
) -> None:
    connect(board, "k1")
    connect(board, "k2")
    late, _ = board.request_call("k1", LINE, "fi", booked=booking("anna", "b-late", starts=5))
    early, _ = board.request_call("k2", LINE, "fi", booked=booking("bert", "b-early", starts=1))
    assert board.waiting(LINE) == [early, late]


# --- home callers ----------------------------------------------------------------------------


def test_a_home_caller_has_no_name_or_place_and_is_recorded_as_home(
    clock: Clock, board: Switchboard
) -> None:
    on_duty(board, clock, "anna")
    board.kiosk_connected("home-1f2e", channel="home")
    call, fx = board.request_call("home-1f2e", LINE, "fi")
    assert last(fx, home("home-1f2e"), "queued")["position"] == 1
    ring = last(fx, advisor("anna"), "ringing")
    assert (ring["channel"], ring["kiosk_name"], ring["location"]) == ("home", "", "")
    entry = last(fx, advisor("anna"), "queue")["calls"][0]
    assert (entry["channel"], entry["kiosk_name"], entry["location"]) == ("home", "", "")
    fx = board.accept("anna", call)
    assert last(fx, home("home-1f2e"), "connected")["role"] == "offerer"
    assert last(fx, advisor("anna"), "connected")["channel"] == "home"
    board.relay(home("home-1f2e"), call, {"type": "offer", "sdp": "v=0"})
    fx = board.hang_up(home("home-1f2e"), call)
    (record,) = fx.records
    assert (record.kiosk_id, record.channel, record.outcome) == ("home", "home", Outcome.ANSWERED)
    (rated,) = board.rate("home-1f2e", call, 5).records
    assert (rated.rating, rated.kiosk_id) == (5, "home")


def test_a_line_takes_only_so_many_home_callers_waiting(clock: Clock, board: Switchboard) -> None:
    on_duty(board, clock, "anna")
    connect(board, "k0")
    c0, fx = board.request_call("k0", LINE, "fi")
    board.accept("anna", c0)
    for n in (1, 2, 3):
        board.kiosk_connected(f"home-{n}", channel="home")
    board.request_call("home-1", LINE, "fi")
    board.request_call("home-2", LINE, "fi")
    _, fx = board.request_call("home-3", LINE, "fi")
    assert last(fx, home("home-3"), "ended")["reason"] == "queue_full"
    assert fx.records[0].outcome is Outcome.QUEUE_FULL
    # Kiosk callers are not counted against it, nor held back by it; nor is a booked call.
    connect(board, "k1")
    _, fx = board.request_call("k1", LINE, "fi")
    assert last(fx, kiosk("k1"), "queued")["position"] == 3
    _, fx = board.request_call("home-3", LINE, "fi", booked=booking("anna"))
    assert last(fx, home("home-3"), "queued")["position"] == 1
