"""The JSON messages the switchboard sends; `docs/call-protocol.md` documents each one."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from hub.calls.model import EndReason, LineConfig, Message
from hub.calls.parties import Advisor, Call, CallState, Kiosk
from hub.hours import utc_iso


def queued(call: Call, position: int, estimate_s: int) -> Message:
    """To the kiosk: where it stands in its line's queue (`booked`: its booking's advisor
    answers it as soon as they are free)."""
    message: Message = {
        "type": "queued",
        "call": call.id,
        "line": call.line,
        "position": position,
        "estimated_wait_s": estimate_s,
    }
    if call.booked:
        message["booked"] = True
    return message


def _where(call: Call, k: Kiosk | None) -> Message:
    """Where the citizen is, for advisors: a kiosk's name and place, or from home (empty)."""
    if call.channel == "home":
        return {"channel": "home", "kiosk_name": "", "location": ""}
    return {
        "channel": "kiosk",
        "kiosk_name": k.name if k else call.kiosk_id,
        "location": k.location if k else "",
    }


def _booking(call: Call) -> Message:
    """For advisors: the booking a call came with (None: none), and whether it still is one
    for the slot's advisor only."""
    return {
        "booking": call.booking.booking_id if call.booking else None,
        "booked": call.booked,
    }


def appointment_arrived(call: Call, k: Kiosk) -> Message:
    """To the advisor holding the slot: the citizen of their booking has just called."""
    assert call.booking is not None
    booking = call.booking
    return {
        "type": "appointment_arrived",
        "booking": booking.booking_id,
        "call": call.id,
        "line": call.line,
        "starts_at": utc_iso(booking.starts_at),
        "language": booking.language,
        "topic": booking.topic,
        **_where(call, k),
    }


def ringing(call: Call, k: Kiosk, ring_seconds: float, now: float) -> Message:
    """To the advisor being rung."""
    return {
        "type": "ringing",
        "call": call.id,
        "line": call.line,
        "language": call.language,
        **_where(call, k),
        "waiting_s": int(now - call.queued_mono),
        "ring_seconds": ring_seconds,
        "transferred": call.transfers > 0,
        **_booking(call),
    }


def ring_ended(call_id: str, reason: str) -> Message:
    """To the advisor whose console stops ringing without them answering."""
    return {"type": "ring_ended", "call": call_id, "reason": reason}


def connected_kiosk(call: Call) -> Message:
    """To the kiosk once answered: it makes the WebRTC offer."""
    return {"type": "connected", "call": call.id, "line": call.line, "role": "offerer"}


def connected_advisor(call: Call, k: Kiosk) -> Message:
    """To the advisor who answered: they wait for the kiosk's offer."""
    return {
        "type": "connected",
        "call": call.id,
        "line": call.line,
        "role": "answerer",
        "language": call.language,
        **_where(call, k),
        **_booking(call),
    }


def transferred(call: Call, from_line: str) -> Message:
    """To the kiosk whose call was moved to another line (a `queued` follows)."""
    return {"type": "transferred", "call": call.id, "from_line": from_line, "line": call.line}


def ended(
    call_id: str,
    reason: EndReason | str,
    can_rate: bool | None = None,
    next_opening: datetime | None = None,
    line: str | None = None,
) -> Message:
    """To either end. The kiosk's copy says whether it may ask for a rating."""
    message: Message = {"type": "ended", "call": call_id, "reason": str(reason)}
    if can_rate is not None:
        message["can_rate"] = can_rate
    if reason == EndReason.LINE_CLOSED:
        message["next_opening"] = utc_iso(next_opening) if next_opening else None
    if line is not None:
        message["line"] = line
    return message


def queue_view(
    line: str,
    queue: list[Call],
    advisors: Iterable[Advisor],
    kiosks: Mapping[str, Kiosk],
    now: float,
) -> Message:
    """To every connected advisor of the line: who waits, for how long, and who is on duty."""
    calls = []
    for position, call in enumerate(queue, start=1):
        k = kiosks.get(call.kiosk_id)
        calls.append(
            {
                "call": call.id,
                "position": position,
                "language": call.language,
                **_where(call, k),
                "queued_at": utc_iso(call.queued_wall),
                "waiting_s": int(now - call.queued_mono),
                "ringing": call.state is CallState.RINGING,
                "transferred": call.transfers > 0,
                **_booking(call),
            }
        )
    return {
        "type": "queue",
        "line": line,
        "calls": calls,
        "advisors": [{"username": a.username, "status": a.status} for a in advisors if a.connected],
    }


# --- a third person in the call (docs/call-three-party.md) -------------------------------------


def invited_ringing(
    call: Call, k: Kiosk, line: LineConfig, from_line: str, ring_seconds: float, now: float
) -> Message:
    """To an advisor of the invited line: `ringing`, saying who invites them and why."""
    assert call.invite is not None
    queue_ring = ringing(call, k, ring_seconds, now)
    for key in ("channel", "booking", "booked"):  # the queue's, not the invitation's
        del queue_ring[key]
    return {
        **queue_ring,
        "line": line.line_id,
        "waiting_s": int(now - call.invite.since),
        "transferred": False,
        "invited": True,
        "reason": call.invite.reason,
        "from_line": from_line,
        "interpreting": line.interpreting,
    }


def invite_ringing(call_id: str, line: str) -> Message:
    """To the host: an advisor of the invited line is being rung."""
    return {"type": "invite_ringing", "call": call_id, "line": line}


def invite_failed(call_id: str, line: str, reason: str) -> Message:
    """To the host: the invitation is over without a guest."""
    return {"type": "invite_failed", "call": call_id, "line": line, "reason": reason}


def connected_guest(call: Call, k: Kiosk, line: str, reason: str) -> Message:
    """To the invited advisor who accepted: the kiosk and the host will offer to them."""
    return {
        "type": "connected",
        "call": call.id,
        "line": line,
        "role": "guest",
        "language": call.language,
        "kiosk_name": k.name,
        "location": k.location,
        "reason": reason,
        "from_line": call.line,
    }


def joined(call: Call, line: LineConfig, reason: str, *, for_kiosk: bool) -> Message:
    """To the kiosk and the host: the guest is in the call; each offers to them."""
    message: Message = {
        "type": "joined",
        "call": call.id,
        "party": "guest",
        "line": line.line_id,
        "reason": reason,
        "interpreting": line.interpreting,
    }
    if for_kiosk:
        message["line_name"] = {lang: line.name(lang) for lang in ("fi", "sv", "en")}
    return message


def left(call_id: str, party: str, promoted: str | None = None) -> Message:
    """To those still in the call: `party` has left it (and who took the host's place)."""
    message: Message = {"type": "left", "call": call_id, "party": party}
    if promoted is not None:
        message["promoted"] = promoted
    return message


def promoted(call: Call) -> Message:
    """To the guest: the host left, so they are the call's host now."""
    return {"type": "promoted", "call": call.id, "line": call.line}
