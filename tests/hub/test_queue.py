"""The call queue as a citizen and advisors would notice it, driven with a hand-moved clock."""

from __future__ import annotations

import itertools
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hub.calls import (
    CallError,
    CallState,
    Effects,
    LineConfig,
    Opening,
    Outcome,
    Switchboard,
    WaitEstimator,
    advisor,
    kiosk,
)
from hub.hours import utc_iso

EPOCH = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def monotonic(self) -> float:
        return self.t

    def wall(self) -> datetime:
        return EPOCH + timedelta(seconds=self.t)

    def advance(self, seconds: float) -> None:
        self.t += seconds


def make_board(clock: Clock, lines: dict[str, list[str]] | None = None, **kw: Any) -> Switchboard:
    lines = lines or {"virka-info": ["anna", "bert", "cecilia"]}
    ids = itertools.count(1)
    kw.setdefault("estimator", WaitEstimator(default_s_per_place=90))
    return Switchboard(
        [LineConfig.of(line, people, ring_seconds=20) for line, people in lines.items()],
        monotonic=clock.monotonic,
        wall=clock.wall,
        new_call_id=lambda: f"c{next(ids)}",
        **kw,
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def board(clock: Clock) -> Switchboard:
    return make_board(clock)


def of_type(fx: Effects, party: tuple[str, str], kind: str) -> list[dict[str, Any]]:
    return [m for m in fx.to(party) if m["type"] == kind]


def last(fx: Effects, party: tuple[str, str], kind: str) -> dict[str, Any]:
    found = of_type(fx, party, kind)
    assert found, f"no {kind} for {party} in {fx.messages}"
    return found[-1]


def ringing_whom(fx: Effects) -> list[str]:
    return [n.to.id for n in fx.messages if n.message["type"] == "ringing"]


def call_from(board: Switchboard, kiosk_id: str, line: str = "virka-info") -> tuple[str, Effects]:
    board.kiosk_connected(kiosk_id, name=f"Kiosk {kiosk_id}", location="Itäkeskus library")
    return board.request_call(kiosk_id, line, "fi")


def on_duty(board: Switchboard, clock: Clock, *names: str) -> None:
    """Connect advisors one second apart, so the first named is the longest idle."""
    for name in names:
        board.advisor_connected(name, available=True)
        clock.advance(1)


# --- queue positions ---------------------------------------------------------------------


def test_two_kiosks_one_advisor_positions_move_up_when_the_first_is_answered(
    clock: Clock, board: Switchboard
) -> None:
    on_duty(board, clock, "anna")
    c1, fx1 = call_from(board, "k1")
    assert last(fx1, kiosk("k1"), "queued") == {
        "type": "queued",
        "call": c1,
        "line": "virka-info",
        "position": 1,
        "estimated_wait_s": 90,
    }
    assert ringing_whom(fx1) == ["anna"]

    clock.advance(5)
    c2, fx2 = call_from(board, "k2")
    assert last(fx2, kiosk("k2"), "queued")["position"] == 2
    assert last(fx2, kiosk("k2"), "queued")["estimated_wait_s"] == 180
    assert ringing_whom(fx2) == []  # anna is already ringing for c1
    assert board.waiting("virka-info") == [c1, c2]

    clock.advance(10)
    fx = board.accept("anna", c1)
    assert last(fx, kiosk("k1"), "connected")["role"] == "offerer"
    connected = last(fx, advisor("anna"), "connected")
    assert connected["kiosk_name"] == "Kiosk k1"
    assert connected["location"] == "Itäkeskus library"
    assert connected["language"] == "fi"
    assert last(fx, kiosk("k2"), "queued")["position"] == 1
    assert board.position(c2) == 1
    assert board.call_state(c1) is CallState.CONNECTED
    # anna is in a call: nobody is rung for c2.
    assert ringing_whom(fx) == []
    clock.advance(600)
    assert ringing_whom(board.tick()) == []


def test_waiting_kiosks_are_told_only_when_their_place_or_estimate_changes(
    clock: Clock, board: Switchboard
) -> None:
    on_duty(board, clock, "anna")
    c1, _ = call_from(board, "k1")
    call_from(board, "k2")
    fx = call_from(board, "k3")[1]
    assert of_type(fx, kiosk("k1"), "queued") == []
    assert of_type(fx, kiosk("k2"), "queued") == []
    fx = board.cancel("k1", c1)
    assert last(fx, kiosk("k2"), "queued")["position"] == 1
    assert last(fx, kiosk("k3"), "queued")["position"] == 2


def test_advisors_of_the_line_see_the_queue_with_waiting_times(
    clock: Clock, board: Switchboard
) -> None:
    board.advisor_connected("bert")  # away, but still sees the queue
    on_duty(board, clock, "anna")
    c1, _ = call_from(board, "k1")
    clock.advance(40)
    c2, fx = call_from(board, "k2")
    view = last(fx, advisor("bert"), "queue")
    assert view == last(fx, advisor("anna"), "queue")
    assert view["line"] == "virka-info"
    assert [(c["call"], c["position"], c["waiting_s"], c["ringing"]) for c in view["calls"]] == [
        (c1, 1, 40, True),
        (c2, 2, 0, False),
    ]
    assert view["calls"][0]["queued_at"] == "2025-03-03T08:00:01.000Z"
    assert {a["username"]: a["status"] for a in view["advisors"]} == {
        "anna": "ringing",
        "bert": "away",
    }


def test_estimated_wait_learns_seconds_per_place_from_answered_calls(
    clock: Clock, board: Switchboard
) -> None:
    on_duty(board, clock, "anna")
    c1, _ = call_from(board, "k1")
    clock.advance(30)
    board.accept("anna", c1)  # answered after 30 s from position 1: 30 s per place
    c2, _ = call_from(board, "k2")
    c3, _ = call_from(board, "k3")
    assert board.estimated_wait_s(c2) == 30
    assert board.estimated_wait_s(c3) == 60


# --- ringing -----------------------------------------------------------------------------


def test_ringing_moves_to_the_next_advisor_after_ring_seconds(
    clock: Clock, board: Switchboard
) -> None:
    on_duty(board, clock, "anna", "bert")
    c1, fx = call_from(board, "k1")
    assert ringing_whom(fx) == ["anna"]
    clock.advance(19)
    assert ringing_whom(board.tick()) == []
    clock.advance(1)
    fx = board.tick()
    assert last(fx, advisor("anna"), "ring_ended") == {
        "type": "ring_ended",
        "call": c1,
        "reason": "timeout",
    }
    assert ringing_whom(fx) == ["bert"]
    with pytest.raises(CallError, match="not ringing you"):
        board.accept("anna", c1)
    board.accept("bert", c1)


def test_decline_rings_the_next_and_the_decliner_only_after_the_others(
    clock: Clock, board: Switchboard
) -> None:
    on_duty(board, clock, "anna", "bert", "cecilia")
    c1, fx = call_from(board, "k1")
    assert ringing_whom(fx) == ["anna"]
    fx = board.decline("anna", c1)
    assert last(fx, advisor("anna"), "ring_ended")["reason"] == "declined"
    assert ringing_whom(fx) == ["bert"]
    clock.advance(20)
    # anna has been idle longest, but she declined this call: cecilia is tried first.
    assert ringing_whom(board.tick()) == ["cecilia"]
    # Everyone has been tried: a new round starts with the longest idle.
    assert ringing_whom(board.decline("cecilia", c1)) == ["anna"]


def test_the_longest_idle_advisor_is_rung_first(clock: Clock, board: Switchboard) -> None:
    board.advisor_connected("anna")  # connected first, but away until later
    clock.advance(1)
    board.advisor_connected("bert", available=True)
    clock.advance(1)
    board.set_available("anna", True)
    c1, fx = call_from(board, "k1")
    assert ringing_whom(fx) == ["bert"]  # idle since becoming available, not since connecting
    board.accept("bert", c1)
    clock.advance(60)
    board.hang_up(advisor("bert"), c1)
    clock.advance(1)
    # bert's idle time restarted when his call ended; anna has been idle longer.
    c2, fx = call_from(board, "k2")
    assert ringing_whom(fx) == ["anna"]
    board.decline("anna", c2)


def test_an_away_advisor_is_not_rung(clock: Clock, board: Switchboard) -> None:
    on_duty(board, clock, "anna", "bert")
    board.set_available("anna", False)
    _c1, fx = call_from(board, "k1")
    assert ringing_whom(fx) == ["bert"]
    # Going away while being rung moves the ring on; nobody else is available.
    fx = board.set_available("bert", False)
    assert last(fx, advisor("bert"), "ring_ended")["reason"] == "away"
    assert ringing_whom(fx) == []
    assert ringing_whom(board.set_available("anna", True)) == ["anna"]


def test_an_advisor_in_a_call_is_not_rung(clock: Clock, board: Switchboard) -> None:
    on_duty(board, clock, "anna", "bert")
    c1, _ = call_from(board, "k1")
    board.accept("anna", c1)
    _c2, fx = call_from(board, "k2")
    assert ringing_whom(fx) == ["bert"]
    clock.advance(20)
    fx = board.tick()
    # bert let it ring out; anna, not yet tried, is in a call: the call waits for her
    # rather than ringing bert again at once.
    assert ringing_whom(fx) == []
    clock.advance(100)
    assert ringing_whom(board.tick()) == []
    assert ringing_whom(board.hang_up(kiosk("k1"), c1)) == ["anna"]


def test_advisor_gone_while_ringing_moves_the_ring_on(clock: Clock, board: Switchboard) -> None:
    on_duty(board, clock, "anna", "bert")
    _, _ = call_from(board, "k1")
    fx = board.advisor_gone("anna")
    assert fx.to(advisor("anna")) == []
    assert ringing_whom(fx) == ["bert"]


# --- transfer ----------------------------------------------------------------------------


def test_transfer_keeps_the_citizens_original_place(clock: Clock) -> None:
    board = make_board(clock, {"virka-info": ["anna"], "kansalaisneuvonta": ["bert"]})
    on_duty(board, clock, "anna", "bert")
    c0, _ = call_from(board, "k0", "kansalaisneuvonta")
    board.accept("bert", c0)  # bert is busy
    clock.advance(1)
    before, _ = call_from(board, "k-before", "kansalaisneuvonta")
    clock.advance(1)
    c1, _ = call_from(board, "k1", "virka-info")
    board.accept("anna", c1)
    clock.advance(1)
    after, _ = call_from(board, "k-after", "kansalaisneuvonta")
    clock.advance(120)

    fx = board.transfer("anna", c1, "kansalaisneuvonta")
    assert last(fx, advisor("anna"), "ended") == {
        "type": "ended",
        "call": c1,
        "reason": "transferred",
        "line": "kansalaisneuvonta",
    }
    assert last(fx, kiosk("k1"), "transferred") == {
        "type": "transferred",
        "call": c1,
        "from_line": "virka-info",
        "line": "kansalaisneuvonta",
    }
    assert last(fx, kiosk("k1"), "queued")["position"] == 2
    assert last(fx, kiosk("k-after"), "queued")["position"] == 3
    assert board.waiting("kansalaisneuvonta") == [before, c1, after]
    assert board.waiting("virka-info") == []
    # anna's console shows her line's (now empty) queue.
    assert last(fx, advisor("anna"), "queue")["calls"] == []


def test_transfer_is_refused_when_the_other_line_cannot_take_it(clock: Clock) -> None:
    board = make_board(clock, {"virka-info": ["anna"], "kansalaisneuvonta": ["bert"]})
    on_duty(board, clock, "anna")
    c1, _ = call_from(board, "k1")
    board.accept("anna", c1)
    with pytest.raises(CallError, match="no advisor of line kansalaisneuvonta"):
        board.transfer("anna", c1, "kansalaisneuvonta")
    with pytest.raises(CallError, match="unknown line"):
        board.transfer("anna", c1, "nowhere")
    with pytest.raises(CallError, match="already on line"):
        board.transfer("anna", c1, "virka-info")
    assert board.call_state(c1) is CallState.CONNECTED


# --- parties going away ------------------------------------------------------------------


def test_advisor_gone_mid_call_ends_it_on_the_kiosk(clock: Clock, board: Switchboard) -> None:
    on_duty(board, clock, "anna")
    c1, _ = call_from(board, "k1")
    board.accept("anna", c1)
    clock.advance(30)
    fx = board.advisor_gone("anna")
    assert last(fx, kiosk("k1"), "ended") == {
        "type": "ended",
        "call": c1,
        "reason": "advisor_gone",
        "can_rate": True,
    }
    assert fx.to(advisor("anna")) == []
    [record] = fx.records
    assert record.outcome is Outcome.ADVISOR_GONE
    assert record.talk_ms == 30_000
    assert board.call_state(c1) is None


def test_kiosk_gone_mid_call_tells_the_advisor(clock: Clock, board: Switchboard) -> None:
    on_duty(board, clock, "anna")
    c1, _ = call_from(board, "k1")
    board.accept("anna", c1)
    fx = board.kiosk_gone("k1")
    assert last(fx, advisor("anna"), "ended") == {
        "type": "ended",
        "call": c1,
        "reason": "kiosk_gone",
    }
    assert fx.records[0].outcome is Outcome.KIOSK_GONE
    # anna is free again and rung for the next citizen.
    _, fx = call_from(board, "k2")
    assert ringing_whom(fx) == ["anna"]


def test_kiosk_gone_while_queued_leaves_the_queue(clock: Clock, board: Switchboard) -> None:
    on_duty(board, clock, "anna")
    c1, _ = call_from(board, "k1")
    c2, _ = call_from(board, "k2")
    c3, _ = call_from(board, "k3")
    fx = board.kiosk_gone("k1")
    assert last(fx, advisor("anna"), "ring_ended") == {
        "type": "ring_ended",
        "call": c1,
        "reason": "kiosk_gone",
    }
    assert ringing_whom(fx) == ["anna"]  # now for c2
    assert last(fx, kiosk("k2"), "queued")["position"] == 1
    assert last(fx, kiosk("k3"), "queued")["position"] == 2
    assert board.waiting("virka-info") == [c2, c3]
    assert fx.records[0].outcome is Outcome.KIOSK_GONE


def test_waiting_calls_end_when_the_line_stays_unstaffed(clock: Clock, board: Switchboard) -> None:
    on_duty(board, clock, "anna")
    c1, _ = call_from(board, "k1")
    board.advisor_gone("anna")
    clock.advance(119)
    assert board.tick().records == []
    clock.advance(1)
    fx = board.tick()
    assert last(fx, kiosk("k1"), "ended")["reason"] == "no_advisor"
    assert fx.records[0].outcome is Outcome.NO_ADVISOR
    assert board.call_state(c1) is None


# --- refusals ----------------------------------------------------------------------------


def test_a_closed_line_refuses_with_the_next_opening(clock: Clock) -> None:
    opens = EPOCH + timedelta(days=1)
    board = make_board(clock, opening_hours=lambda line, now: Opening(False, opens))
    on_duty(board, clock, "anna")
    c1, fx = call_from(board, "k1")
    assert fx.to(kiosk("k1")) == [
        {
            "type": "ended",
            "call": c1,
            "reason": "line_closed",
            "can_rate": False,
            "next_opening": utc_iso(opens),
        }
    ]
    assert ringing_whom(fx) == []
    assert fx.records[0].outcome is Outcome.LINE_CLOSED
    assert board.call_state(c1) is None
    board.request_call("k1", "virka-info", "sv")  # the kiosk is not left stuck in a call


def test_no_advisor_available_refuses(clock: Clock, board: Switchboard) -> None:
    _c1, fx = call_from(board, "k1")
    assert last(fx, kiosk("k1"), "ended")["reason"] == "no_advisor"
    board.advisor_connected("anna")  # connected but away
    _c2, fx = board.request_call("k1", "virka-info", "fi")
    assert last(fx, kiosk("k1"), "ended")["reason"] == "no_advisor"
    assert [r.outcome for r in fx.records] == [Outcome.NO_ADVISOR]


def test_an_available_advisor_in_a_call_does_not_refuse_the_queue(
    clock: Clock, board: Switchboard
) -> None:
    board = make_board(clock, {"virka-info": ["anna"]})
    on_duty(board, clock, "anna")
    c1, _ = call_from(board, "k1")
    board.accept("anna", c1)
    _c2, fx = call_from(board, "k2")
    assert last(fx, kiosk("k2"), "queued")["position"] == 1


# --- errors ------------------------------------------------------------------------------


def test_requests_that_make_no_sense_raise_call_error(clock: Clock, board: Switchboard) -> None:
    on_duty(board, clock, "anna", "bert")
    c1, _ = call_from(board, "k1")
    with pytest.raises(CallError, match="not ringing you"):
        board.accept("bert", c1)
    with pytest.raises(CallError, match="already in call"):
        board.request_call("k1", "virka-info", "fi")
    board.kiosk_connected("k2")
    with pytest.raises(CallError, match="unknown line 'nowhere'"):
        board.request_call("k2", "nowhere", "fi")
    with pytest.raises(CallError, match="not connected"):
        board.request_call("k9", "virka-info", "fi")
    with pytest.raises(CallError, match="answers no line"):
        board.advisor_connected("mallory")
    with pytest.raises(CallError, match="not this kiosk's"):
        board.cancel("k2", c1)
    with pytest.raises(CallError, match="not in call"):
        board.hang_up(kiosk("k2"), c1)
    board.accept("anna", c1)
    with pytest.raises(CallError, match="hang up instead"):
        board.cancel("k1", c1)


def test_a_line_refuses_a_language_it_does_not_serve(clock: Clock) -> None:
    board = Switchboard(
        [LineConfig.of("virka-info", ["anna"], languages=["fi", "sv"])],
        monotonic=clock.monotonic,
        wall=clock.wall,
    )
    board.advisor_connected("anna", available=True)
    board.kiosk_connected("k1")
    with pytest.raises(CallError, match="does not serve language 'de' \\(fi, sv\\)"):
        board.request_call("k1", "virka-info", "de")
    board.request_call("k1", "virka-info", "sv")


def test_a_kiosk_hanging_up_while_queued_cancels(clock: Clock, board: Switchboard) -> None:
    on_duty(board, clock, "anna")
    c1, _ = call_from(board, "k1")
    fx = board.hang_up(kiosk("k1"), c1)
    assert last(fx, kiosk("k1"), "ended")["reason"] == "cancelled"
    assert last(fx, advisor("anna"), "ring_ended")["reason"] == "cancelled"
    assert fx.records[0].outcome is Outcome.CANCELLED


# --- signalling relay --------------------------------------------------------------------


def test_relay_only_between_the_two_ends_of_a_connected_call(
    clock: Clock, board: Switchboard
) -> None:
    on_duty(board, clock, "anna", "bert")
    c1, _ = call_from(board, "k1")
    with pytest.raises(CallError, match="not connected"):
        board.relay(kiosk("k1"), c1, {"type": "offer", "sdp": "v=0"})
    board.accept("anna", c1)

    fx = board.relay(("kiosk", "k1"), c1, {"type": "offer", "sdp": "v=0", "evil": 1})
    assert [(n.to, n.message) for n in fx.messages] == [
        (advisor("anna"), {"type": "offer", "call": c1, "sdp": "v=0"})
    ]
    fx = board.relay(advisor("anna"), c1, {"type": "ice", "candidate": {"candidate": "x"}})
    assert fx.to(kiosk("k1")) == [{"type": "ice", "call": c1, "candidate": {"candidate": "x"}}]
    fx = board.relay(advisor("anna"), c1, {"type": "ice", "candidate": None})
    assert fx.to(kiosk("k1"))[0]["candidate"] is None

    board.kiosk_connected("k2")
    for stranger in (advisor("bert"), kiosk("k2"), advisor("k1"), kiosk("anna")):
        with pytest.raises(CallError, match="not in call"):
            board.relay(stranger, c1, {"type": "answer", "sdp": "v=0"})
    with pytest.raises(CallError, match="only offer, answer and ice"):
        board.relay(kiosk("k1"), c1, {"type": "ended"})
    with pytest.raises(CallError, match="needs an sdp"):
        board.relay(kiosk("k1"), c1, {"type": "answer"})
    with pytest.raises(CallError, match="JSON object"):
        board.relay(kiosk("k1"), c1, ["offer"])


# --- records and ratings -----------------------------------------------------------------


def test_a_call_record_has_its_times_and_outcome_and_no_names(
    clock: Clock, board: Switchboard
) -> None:
    on_duty(board, clock, "anna")
    queued_at = clock.wall()
    c1, fx = call_from(board, "k1")
    assert fx.records == []
    clock.advance(30)
    answered_at = clock.wall()
    board.accept("anna", c1)
    clock.advance(120)
    fx = board.hang_up(advisor("anna"), c1)
    assert last(fx, kiosk("k1"), "ended") == {
        "type": "ended",
        "call": c1,
        "reason": "advisor_hung_up",
        "can_rate": True,
    }
    assert last(fx, advisor("anna"), "ended")["reason"] == "advisor_hung_up"
    [record] = fx.records
    assert record.line == record.final_line == "virka-info"
    assert record.kiosk_id == "k1"
    assert record.language == "fi"
    assert record.queued_at == queued_at
    assert record.answered_at == answered_at
    assert record.ended_at == clock.wall()
    assert (record.wait_ms, record.talk_ms) == (30_000, 120_000)
    assert record.outcome is Outcome.ANSWERED
    assert record.rating is None
    assert "anna" not in repr(asdict(record))
    assert "Kiosk k1" not in repr(asdict(record))


def test_a_transferred_calls_record_sums_both_legs(clock: Clock) -> None:
    board = make_board(clock, {"virka-info": ["anna"], "kansalaisneuvonta": ["bert"]})
    on_duty(board, clock, "anna", "bert")
    c1, _ = call_from(board, "k1")
    clock.advance(10)
    board.accept("anna", c1)
    clock.advance(60)
    board.transfer("anna", c1, "kansalaisneuvonta")
    clock.advance(5)
    board.accept("bert", c1)
    clock.advance(100)
    [record] = board.hang_up(kiosk("k1"), c1).records
    assert (record.line, record.final_line, record.transfers) == (
        "virka-info",
        "kansalaisneuvonta",
        1,
    )
    assert (record.wait_ms, record.talk_ms) == (15_000, 160_000)
    assert record.answered_at == EPOCH + timedelta(seconds=12)


def test_rating_rules(clock: Clock, board: Switchboard) -> None:
    on_duty(board, clock, "anna")
    c1, _ = call_from(board, "k1")
    board.accept("anna", c1)
    with pytest.raises(CallError, match="not ended yet"):
        board.rate("k1", c1, 5)
    board.hang_up(kiosk("k1"), c1)
    for bad in (0, 6, True):
        with pytest.raises(CallError, match="from 1 to 5"):
            board.rate("k1", c1, bad)
    board.kiosk_connected("k2")
    with pytest.raises(CallError, match="cannot be rated"):
        board.rate("k2", c1, 4)
    [record] = board.rate("k1", c1, 4).records
    assert (record.call_id, record.rating, record.outcome) == (c1, 4, Outcome.ANSWERED)
    with pytest.raises(CallError, match="already been rated"):
        board.rate("k1", c1, 5)

    c2, _ = board.request_call("k1", "virka-info", "fi")
    board.cancel("k1", c2)
    with pytest.raises(CallError, match="never answered"):
        board.rate("k1", c2, 3)


def test_a_rating_comes_too_late_after_the_window(clock: Clock) -> None:
    board = make_board(clock, rating_window_s=60)
    on_duty(board, clock, "anna")
    c1, _ = call_from(board, "k1")
    board.accept("anna", c1)
    board.hang_up(kiosk("k1"), c1)
    clock.advance(60)
    board.tick()
    with pytest.raises(CallError, match="too late"):
        board.rate("k1", c1, 5)


def test_an_advisor_on_two_lines_is_rung_for_the_oldest_call_first(clock: Clock) -> None:
    board = make_board(clock, {"virka-info": ["anna"], "kansalaisneuvonta": ["anna", "bert"]})
    on_duty(board, clock, "bert")
    board.advisor_connected("anna")
    c1, _ = call_from(board, "k1", "kansalaisneuvonta")
    board.accept("bert", c1)
    clock.advance(1)
    older, _ = call_from(board, "k2", "kansalaisneuvonta")
    clock.advance(1)
    call_from(board, "k3", "virka-info")  # refused: anna is away
    board.kiosk_gone("k3")
    fx = board.set_available("anna", True)
    assert last(fx, advisor("anna"), "ringing")["call"] == older
    view = last(fx, advisor("bert"), "queue")
    assert {a["username"]: a["status"] for a in view["advisors"]} == {
        "anna": "ringing",
        "bert": "in_call",
    }


def test_a_console_gets_its_lines_queues_on_connect(clock: Clock) -> None:
    board = make_board(clock, {"virka-info": ["anna", "bert"], "kansalaisneuvonta": ["anna"]})
    on_duty(board, clock, "bert")
    c1, _ = call_from(board, "k1")
    fx = board.advisor_connected("anna")
    views = {m["line"]: m for m in of_type(fx, advisor("anna"), "queue")}
    assert set(views) == {"virka-info", "kansalaisneuvonta"}
    assert [c["call"] for c in views["virka-info"]["calls"]] == [c1]


def test_closing_time_refuses_new_calls_but_serves_those_waiting(clock: Clock) -> None:
    open_now = True
    board = make_board(clock, opening_hours=lambda line, now: Opening(open_now))
    on_duty(board, clock, "anna")
    c1, _ = call_from(board, "k1")
    c2, _ = call_from(board, "k2")
    open_now = False
    _, fx = call_from(board, "k3")
    assert last(fx, kiosk("k3"), "ended") == {
        "type": "ended",
        "call": "c3",
        "reason": "line_closed",
        "can_rate": False,
        "next_opening": None,
    }
    board.accept("anna", c1)
    board.hang_up(advisor("anna"), c1)
    assert board.call_state(c2) is CallState.RINGING
