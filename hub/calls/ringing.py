"""Ringing a queued call's advisors: one at a time per call, oldest call first, and the ring's
end when nobody answered (the rules in docs/call-protocol.md; ring order `Floor.advisor_to_ring`).
"""

from __future__ import annotations

from hub.calls import views
from hub.calls.floor import Floor
from hub.calls.model import Effects, advisor
from hub.calls.parties import Call, CallState


def ring_waiting(floor: Floor, fx: Effects, now: float, touched: set[str]) -> None:
    """Ring a free advisor for every waiting call that can have one, oldest call first."""
    waiting = [c for c in floor.calls.values() if c.state is CallState.WAITING]
    for call in sorted(waiting, key=lambda c: c.queue_key):
        citizen = floor.kiosks.get(call.kiosk_id)
        if citizen is None or citizen.away_since is not None:
            continue  # its caller's connection is lost: it keeps its place, unrung
        adv = floor.advisor_to_ring(call)
        if adv is None:
            continue
        ring_s = floor.lines[call.line].ring_seconds
        adv.ringing = call.id
        call.state, call.ringing, call.ring_deadline = CallState.RINGING, adv.username, now + ring_s
        k = floor.kiosks[call.kiosk_id]
        fx.tell(advisor(adv.username), views.ringing(call, k, ring_s, now))
        touched.add(call.line)


def stop_ringing(floor: Floor, call: Call, why: str | None, fx: Effects) -> None:
    """The ring ends unanswered; the call waits again. `why` None: the advisor is gone."""
    assert call.ringing is not None
    adv = floor.advisors[call.ringing]
    adv.ringing = None
    call.tried.add(adv.username)
    call.state, call.ringing, call.ring_deadline = CallState.WAITING, None, float("inf")
    if why is not None:
        fx.tell(advisor(adv.username), views.ring_ended(call.id, why))
    if why == "declined" and call.booked:
        # The slot's advisor passes the booked call on: it waits, first, for anyone of the line.
        call.booked_until = None
