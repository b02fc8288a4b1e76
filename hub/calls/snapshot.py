"""The switchboard's calls as JSON-able data, and back: what lets a hub that restarts (or
another instance that takes the switchboard over) keep its queues and the calls in progress.

Times are wall-clock (UTC ISO 8601) or durations, never monotonic readings, which mean nothing
in another process. A waiting call keeps its place: its queue time is restored as the same
age, grown by the time between the snapshot and the restore, so that every call keeps the order
it had. A connected call keeps its advisor, its guest, when it was answered and its talk time so
far; the current leg (a wait or a talk) goes on counting through the gap, so a call that carried
on peer to peer while no hub ran has that time in its record too. Rings and invitations under
way are not kept: a restored waiting call is rung again. Every party comes back away
(hub.calls.away).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hub.appointments.model import Booked
from hub.calls.floor import Floor
from hub.calls.parties import Call, CallState, Kiosk

VERSION = 1


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def _when(text: Any) -> datetime | None:
    return datetime.fromisoformat(text) if isinstance(text, str) else None


def _booking(b: Booked | None) -> dict[str, Any] | None:
    if b is None:
        return None
    return {
        "booking_id": b.booking_id,
        "line": b.line,
        "advisor": b.advisor,
        "starts_at": _iso(b.starts_at),
        "ends_at": _iso(b.ends_at),
        "language": b.language,
        "topic": b.topic,
    }


def _booked(data: Any) -> Booked | None:
    if not isinstance(data, dict):
        return None
    starts, ends = _when(data["starts_at"]), _when(data["ends_at"])
    assert starts is not None and ends is not None
    return Booked(
        data["booking_id"],
        data["line"],
        data["advisor"],
        starts,
        ends,
        data["language"],
        data["topic"],
    )


def take(floor: Floor, now: float, wall: datetime) -> dict[str, Any]:
    """Every call in progress, in queue order per line, with its citizen's name and place."""
    calls = []
    for call in sorted(floor.calls.values(), key=lambda c: (c.line, c.queue_key)):
        k = floor.kiosks.get(call.kiosk_id)
        calls.append(
            {
                "id": call.id,
                "kiosk_id": call.kiosk_id,
                "kiosk_name": k.name if k else "",
                "location": k.location if k else "",
                "channel": call.channel,
                "line": call.line,
                "first_line": call.first_line,
                "language": call.language,
                "queued_at": _iso(call.queued_wall),
                "age_s": now - call.queued_mono,
                "seq": call.seq,
                "leg_s": now - call.leg_since,
                "joined_at_position": call.joined_at_position,
                "connected": call.state is CallState.CONNECTED,
                "advisor": call.advisor,
                "answered_at": _iso(call.answered_wall),
                "waited_s": call.waited_s,
                "talked_s": call.talked_s,
                "transfers": call.transfers,
                "guest": call.guest,
                "guest_line": call.guest_line,
                "guest_reason": call.guest_reason,
                "first_guest_line": call.first_guest_line,
                "interpreted": call.interpreted,
                "interpreter_language": call.interpreter_language,
                "booking": _booking(call.booking),
                "booked_until": _iso(call.booked_until),
            }
        )
    return {"version": VERSION, "taken_at": _iso(wall), "calls": calls}


def shape(floor: Floor) -> tuple[tuple[object, ...], ...]:
    """What of the calls a snapshot would change with, cheaply: equal shapes, equal snapshots
    but for the clocks (the sums of waits and talks change only as a call changes state)."""
    return tuple(
        (
            c.id,
            c.kiosk_id,
            c.line,
            c.state,
            c.advisor,
            c.guest,
            c.guest_line,
            c.transfers,
            c.answered_wall,
            c.booked_until,
        )
        for c in floor.calls.values()
    )


def restore(floor: Floor, saved: dict[str, Any], now: float, wall: datetime) -> int:
    """Put the snapshot's calls on `floor` (which has none), every party away since `now`.

    A call whose line, advisor or guest is no longer configured is left out. Returns the
    highest sequence number restored (-1 for none), for new calls to follow it."""
    if floor.calls:
        raise ValueError("a switchboard with calls in progress cannot be restored into")
    if saved.get("version") != VERSION:
        raise ValueError(f"unknown switchboard snapshot version {saved.get('version')!r}")
    taken = _when(saved.get("taken_at")) or wall
    gap = max((wall - taken).total_seconds(), 0.0)
    last_seq = -1
    for data in saved.get("calls", []):
        people = [name for name in (data["advisor"], data["guest"]) if name is not None]
        if data["line"] not in floor.lines or any(n not in floor.advisors for n in people):
            continue
        queued = _when(data["queued_at"])
        assert queued is not None
        call = Call(
            id=data["id"],
            kiosk_id=data["kiosk_id"],
            line=data["line"],
            first_line=data["first_line"],
            language=data["language"],
            queued_mono=now - gap - float(data["age_s"]),
            queued_wall=queued,
            seq=int(data["seq"]),
            leg_since=now - gap - float(data["leg_s"]),
            joined_at_position=int(data["joined_at_position"]),
            state=CallState.CONNECTED if data["connected"] else CallState.WAITING,
            advisor=data["advisor"],
            answered_wall=_when(data["answered_at"]),
            waited_s=float(data["waited_s"]),
            talked_s=float(data["talked_s"]),
            transfers=int(data["transfers"]),
            guest=data["guest"],
            guest_line=data["guest_line"],
            guest_reason=data["guest_reason"],
            first_guest_line=data["first_guest_line"],
            interpreted=bool(data["interpreted"]),
            interpreter_language=data["interpreter_language"],
            channel=data["channel"],
            booking=_booked(data["booking"]),
            booked_until=_when(data["booked_until"]),
        )
        floor.calls[call.id] = call
        last_seq = max(last_seq, call.seq)
        floor.kiosks[call.kiosk_id] = Kiosk(
            call.kiosk_id,
            data["kiosk_name"],
            data["location"],
            call=call.id,
            channel=call.channel,
            connected=False,
            away_since=now,
        )
        for name in people:
            adv = floor.advisors[name]
            adv.connected = adv.available = False
            adv.call, adv.away_since = call.id, now
    return last_seq
