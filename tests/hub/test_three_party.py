"""A third person in a call (docs/call-three-party.md), as the switchboard's parties see it:
an advisor invites an interpreter line or another authority, its advisors are rung in turn, the
one who accepts joins as the guest, and either of the staff may leave while the call goes on."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hub.calls import (
    CallError,
    CallRecord,
    Effects,
    LineConfig,
    Opening,
    Outcome,
    Switchboard,
    advisor,
    kiosk,
)
from hub.config import ConfigError, load_config
from tests.hub.test_queue import Clock

VIRKA, FSE, KELA = "virka-info", "tulkki-fse", "kela"
NAMES = {"fi": "Viittomakielen tulkki", "sv": "Teckenspråkstolk", "en": "Sign interpreter"}


def make_board(clock: Clock, **kw: Any) -> Switchboard:
    ids = itertools.count(1)
    return Switchboard(
        [
            LineConfig.of(VIRKA, ["anna", "bert", "vera"], ring_seconds=20),
            LineConfig.of(FSE, ["tina", "timo"], ring_seconds=15, interpreting="fse", names=NAMES),
            LineConfig.of(KELA, ["vera"], ring_seconds=20),
        ],
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


def on_duty(board: Switchboard, clock: Clock, *names: str) -> None:
    """Connect advisors one second apart, so the first named is the longest idle."""
    for name in names:
        board.advisor_connected(name, available=True)
        clock.advance(1)


def answered_call(board: Switchboard, clock: Clock, host: str = "anna") -> str:
    """k1 calls Virka-info and `host` (the only one on duty then) answers."""
    on_duty(board, clock, host)
    board.kiosk_connected("k1", name="Itäkeskus 1", location="Itäkeskus")
    call, _ = board.request_call("k1", VIRKA, "fi")
    board.accept(host, call)
    clock.advance(10)
    return call


def only(fx: Effects, party: tuple[str, str], kind: str) -> dict[str, Any]:
    found = [m for m in fx.to(party) if m["type"] == kind]
    assert len(found) == 1, f"{kind} for {party}: {fx.messages}"
    return found[0]


def none_of(fx: Effects, party: tuple[str, str], kind: str) -> None:
    assert not [m for m in fx.to(party) if m["type"] == kind], fx.messages


def statuses(fx: Effects, to: str, line: str) -> dict[str, str]:
    views = [m for m in fx.to(advisor(to)) if m["type"] == "queue" and m["line"] == line]
    assert views, f"no queue view of {line} for {to}"
    return {a["username"]: a["status"] for a in views[-1]["advisors"]}


def with_guest(board: Switchboard, clock: Clock) -> str:
    """anna hosts k1's call; tina, the interpreter, has joined it as the guest."""
    call = answered_call(board, clock)
    on_duty(board, clock, "tina")
    board.invite("anna", call, FSE, "interpreter")
    board.accept("tina", call)
    clock.advance(30)
    return call


# --- inviting ----------------------------------------------------------------------------


def test_an_interpreter_is_rung_longest_idle_first_and_joins_as_the_guest(
    clock: Clock, board: Switchboard
) -> None:
    call = answered_call(board, clock)
    on_duty(board, clock, "tina", "timo")

    fx = board.invite("anna", call, FSE, "interpreter")
    assert only(fx, advisor("anna"), "invite_ringing") == {
        "type": "invite_ringing",
        "call": call,
        "line": FSE,
    }
    assert only(fx, advisor("tina"), "ringing") == {
        "type": "ringing",
        "call": call,
        "line": FSE,
        "language": "fi",
        "kiosk_name": "Itäkeskus 1",
        "location": "Itäkeskus",
        "waiting_s": 0,
        "ring_seconds": 15,
        "transferred": False,
        "invited": True,
        "reason": "interpreter",
        "from_line": VIRKA,
        "interpreting": "fse",
    }
    none_of(fx, advisor("timo"), "ringing")
    assert statuses(fx, "timo", FSE) == {"tina": "ringing", "timo": "available"}

    clock.advance(3)
    fx = board.accept("tina", call)
    assert only(fx, advisor("tina"), "connected") == {
        "type": "connected",
        "call": call,
        "line": FSE,
        "role": "guest",
        "language": "fi",
        "kiosk_name": "Itäkeskus 1",
        "location": "Itäkeskus",
        "reason": "interpreter",
        "from_line": VIRKA,
    }
    assert only(fx, kiosk("k1"), "joined") == {
        "type": "joined",
        "call": call,
        "party": "guest",
        "line": FSE,
        "line_name": NAMES,
        "reason": "interpreter",
        "interpreting": "fse",
    }
    assert only(fx, advisor("anna"), "joined") == {
        "type": "joined",
        "call": call,
        "party": "guest",
        "line": FSE,
        "reason": "interpreter",
        "interpreting": "fse",
    }
    assert statuses(fx, "timo", FSE) == {"tina": "in_call", "timo": "available"}


def test_another_authority_is_invited_and_its_name_falls_back_to_the_line_id(
    clock: Clock, board: Switchboard
) -> None:
    call = answered_call(board, clock)
    on_duty(board, clock, "vera")
    fx = board.invite("anna", call, KELA, "authority")
    ringing = only(fx, advisor("vera"), "ringing")
    assert (ringing["reason"], ringing["interpreting"], ringing["line"]) == (
        "authority",
        None,
        KELA,
    )
    fx = board.accept("vera", call)
    joined = only(fx, kiosk("k1"), "joined")
    assert joined["line_name"] == {"fi": KELA, "sv": KELA, "en": KELA}
    assert (joined["reason"], joined["interpreting"]) == ("authority", None)


def test_a_decline_and_a_ring_out_move_on_and_then_the_invitation_fails_unanswered(
    clock: Clock, board: Switchboard
) -> None:
    call = answered_call(board, clock)
    on_duty(board, clock, "tina", "timo")
    board.invite("anna", call, FSE, "interpreter")

    fx = board.decline("tina", call)
    assert only(fx, advisor("tina"), "ring_ended")["reason"] == "declined"
    assert only(fx, advisor("timo"), "ringing")["invited"] is True
    assert only(fx, advisor("anna"), "invite_ringing")["line"] == FSE

    clock.advance(14)
    assert not board.tick().to(advisor("timo"))
    clock.advance(1)
    fx = board.tick()
    assert only(fx, advisor("timo"), "ring_ended")["reason"] == "timeout"
    none_of(fx, advisor("tina"), "ringing")  # each is rung once per invitation
    assert only(fx, advisor("anna"), "invite_failed") == {
        "type": "invite_failed",
        "call": call,
        "line": FSE,
        "reason": "no_answer",
    }
    assert statuses(fx, "tina", FSE) == {"tina": "available", "timo": "available"}
    # The call goes on, and the host may invite again.
    assert board.invite("anna", call, FSE, "interpreter").to(advisor("tina"))


def test_the_invitation_fails_with_no_advisor_when_the_one_rung_goes_away_and_nobody_is_left(
    clock: Clock, board: Switchboard
) -> None:
    call = answered_call(board, clock)
    on_duty(board, clock, "tina")
    board.invite("anna", call, FSE, "interpreter")
    fx = board.set_available("tina", False)
    assert only(fx, advisor("tina"), "ring_ended")["reason"] == "away"
    assert only(fx, advisor("anna"), "invite_failed")["reason"] == "no_advisor"

    board.set_available("tina", True)
    board.invite("anna", call, FSE, "interpreter")
    fx = board.advisor_gone("tina")
    assert only(fx, advisor("anna"), "invite_failed")["reason"] == "no_advisor"


def test_the_host_cancels_the_invitation(clock: Clock, board: Switchboard) -> None:
    call = answered_call(board, clock)
    on_duty(board, clock, "tina")
    board.invite("anna", call, FSE, "interpreter")
    fx = board.cancel_invite("anna", call)
    assert only(fx, advisor("tina"), "ring_ended") == {
        "type": "ring_ended",
        "call": call,
        "reason": "cancelled",
    }
    assert only(fx, advisor("anna"), "invite_failed")["reason"] == "cancelled"
    with pytest.raises(CallError, match="not ringing you"):
        board.accept("tina", call)
    with pytest.raises(CallError, match="no invitation"):
        board.cancel_invite("anna", call)


def test_the_ring_stops_when_the_call_ends_during_the_invitation(
    clock: Clock, board: Switchboard
) -> None:
    call = answered_call(board, clock)
    on_duty(board, clock, "tina")
    board.invite("anna", call, FSE, "interpreter")
    fx = board.hang_up(kiosk("k1"), call)
    assert only(fx, advisor("tina"), "ring_ended")["reason"] == "cancelled"
    assert only(fx, advisor("anna"), "ended")["reason"] == "kiosk_hung_up"
    assert statuses(fx, "tina", FSE)["tina"] == "available"


def test_invitations_that_are_refused(clock: Clock, board: Switchboard) -> None:
    on_duty(board, clock, "anna", "bert")
    board.kiosk_connected("k1")
    call, _ = board.request_call("k1", VIRKA, "fi")
    with pytest.raises(CallError, match="not the host"):
        board.invite("anna", call, FSE, "interpreter")  # still ringing: not connected
    board.accept("anna", call)
    with pytest.raises(CallError, match="not the host"):
        board.invite("bert", call, FSE, "interpreter")
    with pytest.raises(CallError, match="no advisor of line tulkki-fse is available"):
        board.invite("anna", call, FSE, "interpreter")
    on_duty(board, clock, "tina", "vera")
    with pytest.raises(CallError, match="already"):
        board.invite("anna", call, VIRKA, "authority")
    with pytest.raises(CallError, match="unknown line"):
        board.invite("anna", call, "nowhere", "authority")
    with pytest.raises(CallError, match="reason must be interpreter or authority"):
        board.invite("anna", call, FSE, "friend")
    with pytest.raises(CallError, match="not an interpreter line"):
        board.invite("anna", call, KELA, "interpreter")
    with pytest.raises(CallError, match="is an interpreter line"):
        board.invite("anna", call, FSE, "authority")
    board.invite("anna", call, FSE, "interpreter")
    with pytest.raises(CallError, match="under way"):
        board.invite("anna", call, KELA, "authority")
    board.accept("tina", call)
    with pytest.raises(CallError, match="has a guest already"):
        board.invite("anna", call, KELA, "authority")
    with pytest.raises(CallError, match="not the host"):
        board.invite("tina", call, KELA, "authority")


def test_a_closed_line_cannot_be_invited(clock: Clock) -> None:
    board = make_board(clock, opening_hours=lambda line, now: Opening(line != FSE))
    call = answered_call(board, clock)
    on_duty(board, clock, "tina")
    with pytest.raises(CallError, match="line tulkki-fse is closed"):
        board.invite("anna", call, FSE, "interpreter")


def test_citizens_cannot_call_an_interpreter_line_nor_be_transferred_to_one(
    clock: Clock, board: Switchboard
) -> None:
    assert board.service_lines == [VIRKA, KELA]
    assert board.lines == [VIRKA, FSE, KELA]
    call = answered_call(board, clock)
    on_duty(board, clock, "tina")
    board.kiosk_connected("k2")
    with pytest.raises(CallError, match="interpreter line"):
        board.request_call("k2", FSE, "fi")
    with pytest.raises(CallError, match="interpreter line"):
        board.transfer("anna", call, FSE)


# --- signalling among three --------------------------------------------------------------


def test_signalling_goes_to_the_party_named_with_the_senders_role(
    clock: Clock, board: Switchboard
) -> None:
    call = with_guest(board, clock)
    offer = {"type": "offer", "sdp": "v=0 kiosk", "to": "guest", "extra": "dropped"}
    fx = board.relay(kiosk("k1"), call, offer)
    assert fx.to(advisor("tina")) == [
        {"type": "offer", "call": call, "sdp": "v=0 kiosk", "from": "kiosk"}
    ]
    assert not fx.to(advisor("anna"))
    fx = board.relay(advisor("anna"), call, {"type": "offer", "sdp": "v=0 host", "to": "guest"})
    assert fx.to(advisor("tina"))[0]["from"] == "host"
    answer = {"type": "answer", "sdp": "v=0 guest", "to": "host"}
    fx = board.relay(advisor("tina"), call, answer)
    assert fx.to(advisor("anna")) == [
        {"type": "answer", "call": call, "sdp": "v=0 guest", "from": "guest"}
    ]
    ice = {"type": "ice", "candidate": None, "to": "kiosk"}
    assert board.relay(advisor("tina"), call, ice).to(kiosk("k1")) == [
        {"type": "ice", "call": call, "candidate": None, "from": "guest"}
    ]
    # Without `to`: between the kiosk and the host, as before, and without `from`.
    fx = board.relay(kiosk("k1"), call, {"type": "offer", "sdp": "v=0 again"})
    assert fx.to(advisor("anna")) == [{"type": "offer", "call": call, "sdp": "v=0 again"}]
    assert not fx.to(advisor("tina"))
    fx = board.relay(advisor("anna"), call, {"type": "ice", "candidate": None, "to": "kiosk"})
    assert fx.to(kiosk("k1")) == [{"type": "ice", "call": call, "candidate": None, "from": "host"}]


def test_signalling_to_someone_not_in_the_call_is_refused(clock: Clock, board: Switchboard) -> None:
    call = answered_call(board, clock)
    with pytest.raises(CallError, match="no guest in call"):
        board.relay(kiosk("k1"), call, {"type": "offer", "sdp": "x", "to": "guest"})
    with pytest.raises(CallError, match="to must be one of kiosk, host, guest"):
        board.relay(kiosk("k1"), call, {"type": "offer", "sdp": "x", "to": "anna"})
    with pytest.raises(CallError, match="yourself"):
        board.relay(advisor("anna"), call, {"type": "offer", "sdp": "x", "to": "host"})
    on_duty(board, clock, "tina")
    board.invite("anna", call, FSE, "interpreter")
    with pytest.raises(CallError, match="not in call"):  # rung, not yet in
        board.relay(advisor("tina"), call, {"type": "offer", "sdp": "x", "to": "kiosk"})
    board.accept("tina", call)
    with pytest.raises(CallError, match="needs to"):
        board.relay(advisor("tina"), call, {"type": "offer", "sdp": "x"})
    board.leave("tina", call)
    with pytest.raises(CallError, match="not in call"):
        board.relay(advisor("tina"), call, {"type": "offer", "sdp": "x", "to": "kiosk"})
    with pytest.raises(CallError, match="no guest in call"):
        board.relay(advisor("anna"), call, {"type": "offer", "sdp": "x", "to": "guest"})


# --- leaving -----------------------------------------------------------------------------


def test_the_guest_leaves_and_the_call_goes_on(clock: Clock, board: Switchboard) -> None:
    call = with_guest(board, clock)
    fx = board.leave("tina", call)
    assert only(fx, kiosk("k1"), "left") == {"type": "left", "call": call, "party": "guest"}
    assert only(fx, advisor("anna"), "left") == {"type": "left", "call": call, "party": "guest"}
    assert only(fx, advisor("tina"), "ended") == {"type": "ended", "call": call, "reason": "left"}
    assert statuses(fx, "tina", FSE)["tina"] == "available"
    assert not fx.records
    # The host may bring someone in again; only the guest leaves (the host hangs up).
    assert board.invite("anna", call, FSE, "interpreter").to(advisor("tina"))
    with pytest.raises(CallError, match="not the guest"):
        board.leave("anna", call)


def test_the_guests_hang_up_is_leaving_and_their_lost_socket_too(
    clock: Clock, board: Switchboard
) -> None:
    call = with_guest(board, clock)
    fx = board.hang_up(advisor("tina"), call)
    assert only(fx, advisor("tina"), "ended")["reason"] == "left"
    assert only(fx, kiosk("k1"), "left")["party"] == "guest"
    board.invite("anna", call, FSE, "interpreter")
    board.accept("tina", call)
    fx = board.advisor_gone("tina")
    assert only(fx, advisor("anna"), "left")["party"] == "guest"
    assert only(fx, kiosk("k1"), "left")["party"] == "guest"
    none_of(fx, advisor("tina"), "ended")
    fx = board.relay(kiosk("k1"), call, {"type": "offer", "sdp": "v=0"})
    assert fx.to(advisor("anna"))


def test_the_host_hanging_up_leaves_the_call_to_the_guest(clock: Clock, board: Switchboard) -> None:
    call = with_guest(board, clock)
    fx = board.hang_up(advisor("anna"), call)
    assert only(fx, advisor("anna"), "ended") == {"type": "ended", "call": call, "reason": "left"}
    assert only(fx, kiosk("k1"), "left") == {
        "type": "left",
        "call": call,
        "party": "host",
        "promoted": "guest",
    }
    assert only(fx, advisor("tina"), "promoted") == {
        "type": "promoted",
        "call": call,
        "line": VIRKA,
    }
    none_of(fx, kiosk("k1"), "ended")
    assert not fx.records
    assert statuses(fx, "anna", VIRKA)["anna"] == "available"

    # The former guest is the host now: signalling without `to` reaches them, and they end it.
    assert board.relay(kiosk("k1"), call, {"type": "offer", "sdp": "v=0"}).to(advisor("tina"))
    with pytest.raises(CallError, match="not in call"):
        board.relay(advisor("anna"), call, {"type": "offer", "sdp": "v=0"})
    clock.advance(20)
    fx = board.hang_up(advisor("tina"), call)
    assert only(fx, kiosk("k1"), "ended")["reason"] == "advisor_hung_up"
    (record,) = fx.records
    assert (record.outcome, record.interpreted, record.interpreter_language) == (
        Outcome.ANSWERED,
        True,
        "fse",
    )
    assert record.guest_line == FSE
    # The talk goes on across the promotion: 11 s before the guest, 30 s with, 20 s after.
    assert record.talk_ms == 61_000


def test_the_hosts_lost_socket_promotes_the_guest(clock: Clock, board: Switchboard) -> None:
    call = with_guest(board, clock)
    fx = board.advisor_gone("anna")
    none_of(fx, advisor("anna"), "ended")
    assert only(fx, kiosk("k1"), "left")["promoted"] == "guest"
    assert only(fx, advisor("tina"), "promoted")["call"] == call
    on_duty(board, clock, "vera")
    assert board.invite("tina", call, KELA, "authority").to(advisor("vera"))


@pytest.mark.parametrize("gone", [False, True])
def test_the_kiosk_ending_the_call_ends_it_for_both_staff(
    clock: Clock, board: Switchboard, gone: bool
) -> None:
    call = with_guest(board, clock)
    fx = board.kiosk_gone("k1") if gone else board.hang_up(kiosk("k1"), call)
    reason = "kiosk_gone" if gone else "kiosk_hung_up"
    assert only(fx, advisor("anna"), "ended")["reason"] == reason
    assert only(fx, advisor("tina"), "ended")["reason"] == reason
    assert statuses(fx, "tina", FSE)["tina"] == "available"
    assert statuses(fx, "anna", VIRKA)["anna"] == "available"
    (record,) = fx.records
    assert record.interpreted and record.interpreter_language == "fse"


def test_a_call_with_a_guest_or_an_invitation_cannot_be_transferred(
    clock: Clock, board: Switchboard
) -> None:
    call = answered_call(board, clock)
    on_duty(board, clock, "tina", "vera")
    board.invite("anna", call, FSE, "interpreter")
    with pytest.raises(CallError, match="cannot be moved"):
        board.transfer("anna", call, KELA)
    board.accept("tina", call)
    with pytest.raises(CallError, match="cannot be moved"):
        board.transfer("anna", call, KELA)
    board.leave("tina", call)
    assert board.transfer("anna", call, KELA).to(kiosk("k1"))


# --- the guest is busy while in the call -------------------------------------------------


def test_the_guest_is_not_rung_for_other_calls_until_they_leave(
    clock: Clock, board: Switchboard
) -> None:
    call = answered_call(board, clock)
    on_duty(board, clock, "vera")  # answers Virka-info and Kela
    board.invite("anna", call, KELA, "authority")
    fx = board.accept("vera", call)
    assert statuses(fx, "anna", VIRKA)["vera"] == "in_call"
    board.kiosk_connected("k2")
    _, fx = board.request_call("k2", VIRKA, "fi")
    none_of(fx, advisor("vera"), "ringing")
    assert board.line_status(VIRKA).advisors_free == 0
    fx = board.leave("vera", call)
    assert only(fx, advisor("vera"), "ringing")["line"] == VIRKA


def test_the_guest_is_freed_when_the_call_ends(clock: Clock, board: Switchboard) -> None:
    call = answered_call(board, clock)
    on_duty(board, clock, "vera")
    board.invite("anna", call, KELA, "authority")
    board.accept("vera", call)
    board.kiosk_connected("k2")
    board.request_call("k2", VIRKA, "fi")
    fx = board.hang_up(kiosk("k1"), call)
    assert only(fx, advisor("vera"), "ended")["reason"] == "kiosk_hung_up"
    assert statuses(fx, "vera", KELA)["vera"] == "available"


# --- the record --------------------------------------------------------------------------


def record_of(fx: Effects) -> CallRecord:
    (record,) = fx.records
    return record


def test_the_record_names_the_first_guests_line_and_the_first_interpreters_language(
    clock: Clock, board: Switchboard
) -> None:
    call = answered_call(board, clock)
    on_duty(board, clock, "vera", "tina")
    board.invite("anna", call, KELA, "authority")
    board.accept("vera", call)
    board.leave("vera", call)
    board.invite("anna", call, FSE, "interpreter")
    board.accept("tina", call)
    record = record_of(board.hang_up(kiosk("k1"), call))
    assert (record.guest_line, record.interpreted, record.interpreter_language) == (
        KELA,
        True,
        "fse",
    )


def test_a_call_nobody_joined_records_no_guest(clock: Clock, board: Switchboard) -> None:
    call = answered_call(board, clock)
    on_duty(board, clock, "tina")
    board.invite("anna", call, FSE, "interpreter")
    board.decline("tina", call)
    record = record_of(board.hang_up(advisor("anna"), call))
    assert (record.guest_line, record.interpreted, record.interpreter_language) == (
        None,
        False,
        None,
    )


# --- the interpreting key ----------------------------------------------------------------


def test_an_interpreter_line_is_configured_by_its_language(
    write_config: Callable[[str], Path],
) -> None:
    lines = '[lines.virka-info]\n[lines.tulkki-fse]\nname_fi = "Tulkki"\ninterpreting = "fse"\n'
    config = load_config(write_config(lines))
    assert [(line.id, line.interpreting) for line in config.lines] == [
        ("virka-info", ""),
        ("tulkki-fse", "fse"),
    ]
    for tag in ("uk", "fi-x-selko", "es-419"):
        assert load_config(write_config(lines.replace('"fse"', f'"{tag}"'))).lines[1]
    for bad in ('"Finnish Sign Language"', '"f"', '"fse-"', '"-fse"', "3", '"fse_fi"'):
        with pytest.raises(ConfigError, match=r"lines\.tulkki-fse\.interpreting = .* is not"):
            load_config(write_config(lines.replace('"fse"', bad)))
