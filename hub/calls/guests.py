"""A third person in a connected call: the host invites an interpreter line or another service
line, its advisors are rung one at a time, the one who accepts joins as the guest, and either of
the staff may leave while the call goes on (docs/call-three-party.md).

Part of the switchboard (`queue.py`): it changes the same `Floor` and reports what it did in the
same `Effects`; each method returns the lines whose advisors' views changed, for the switchboard
to settle.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from hub.calls import views
from hub.calls.floor import Floor
from hub.calls.model import CallError, Effects, OpeningHours, advisor
from hub.calls.parties import Advisor, Call, Invitation

REASONS = ("interpreter", "authority")
#: The reason told to an invited advisor whose ring stops because the invitation is over
#: (the host cancelled it, left, or the call ended).
CANCELLED = "cancelled"
#: The `ended` reason of a staff member who left a call that goes on without them.
LEFT = "left"


class Guests:
    def __init__(
        self,
        floor: Floor,
        monotonic: Callable[[], float],
        wall: Callable[[], datetime],
        hours: OpeningHours,
    ) -> None:
        self._floor = floor
        self._mono = monotonic
        self._wall = wall
        self._hours = hours

    # --- the host's requests ---------------------------------------------------------------

    def invite(
        self, username: str, call_id: str, line_id: str, reason: str, fx: Effects
    ) -> set[str]:
        """Start ringing `line_id`'s advisors for the host's call, or refuse saying why."""
        self._floor.connected_advisor(username)
        call = self.hosted(username, call_id)
        line = self._floor.line(line_id)
        if reason not in REASONS:
            raise CallError(f"reason must be interpreter or authority, not {reason!r}")
        if call.guest is not None:
            raise CallError(f"call {call_id} has a guest already")
        if call.invite is not None:
            raise CallError(f"an invitation to call {call_id} is under way ({call.invite.line})")
        if line_id == call.line:
            raise CallError(f"call {call_id} is on line {line_id} already")
        if reason == "interpreter" and not line.interpreting:
            raise CallError(f"line {line_id} is not an interpreter line")
        if reason == "authority" and line.interpreting:
            raise CallError(f"line {line_id} is an interpreter line: invite it as interpreter")
        if not self._hours(line_id, self._wall()).is_open:
            raise CallError(f"line {line_id} is closed")
        if not any(a.free for a in self._floor.line_advisors(line_id)):
            raise CallError(f"no advisor of line {line_id} is available")
        call.invite = Invitation(line_id, reason, self._mono())
        return self._ring_next(call, fx)

    def cancel(self, username: str, call_id: str, fx: Effects) -> set[str]:
        call = self.hosted(username, call_id)
        invite = call.invite
        if invite is None:
            raise CallError(f"no invitation to call {call_id} is under way")
        touched = self._stop_ring(call, CANCELLED, fx)
        call.invite = None
        fx.tell(advisor(username), views.invite_failed(call.id, invite.line, CANCELLED))
        return touched

    def hosted(self, username: str, call_id: str) -> Call:
        """The call `username` is the host of, or `CallError`."""
        call = self._floor.calls.get(call_id)
        if call is None or call.advisor != username:
            raise CallError(f"you are not the host of call {call_id}")
        return call

    # --- the invited advisor ---------------------------------------------------------------

    def accept(self, username: str, call: Call, fx: Effects) -> set[str]:
        """The advisor rung for the invitation joins the call as its guest."""
        invite = call.invite
        assert invite is not None and invite.ringing == username and call.advisor is not None
        guest = self._floor.advisors[username]
        guest.ringing, guest.call = None, call.id
        line = self._floor.lines[invite.line]
        call.invite = None
        call.guest, call.guest_line, call.guest_reason = username, line.line_id, invite.reason
        if call.first_guest_line is None:
            call.first_guest_line = line.line_id
        if line.interpreting and not call.interpreted:
            call.interpreted, call.interpreter_language = True, line.interpreting
        k = self._floor.kiosks[call.kiosk_id]
        fx.tell(advisor(username), views.connected_guest(call, k, line.line_id, invite.reason))
        fx.tell(call.citizen, views.joined(call, line, invite.reason, for_kiosk=True))
        fx.tell(advisor(call.advisor), views.joined(call, line, invite.reason, for_kiosk=False))
        return set(guest.lines) | {call.line}

    def ring_over(self, call: Call, why: str | None, fx: Effects) -> set[str]:
        """The invited advisor declined, let it ring out or went (`why` None: gone): next one."""
        invite = call.invite
        assert invite is not None
        if why in ("declined", "timeout"):
            invite.refused = True
        touched = self._stop_ring(call, why, fx)
        return touched | self._ring_next(call, fx)

    def tick(self, now: float, fx: Effects) -> set[str]:
        touched: set[str] = set()
        for call in list(self._floor.calls.values()):
            invite = call.invite
            if invite is not None and invite.ringing is not None and now >= invite.ring_deadline:
                touched |= self.ring_over(call, "timeout", fx)
        return touched

    # --- leaving ---------------------------------------------------------------------------

    def leave(self, call: Call, fx: Effects, *, gone: bool = False) -> set[str]:
        """The guest leaves (or their socket is lost); the kiosk and the host go on."""
        assert call.guest is not None and call.advisor is not None
        guest = self._free(call.guest)
        call.guest = call.guest_line = call.guest_reason = None
        fx.tell(call.citizen, views.left(call.id, "guest"))
        fx.tell(advisor(call.advisor), views.left(call.id, "guest"))
        if not gone:
            fx.tell(advisor(guest.username), views.ended(call.id, LEFT))
        return set(guest.lines) | {call.line}

    def promote(self, call: Call, fx: Effects, *, gone: bool = False) -> set[str]:
        """The host leaves (or their socket is lost) while a guest is in: the guest is host."""
        assert call.guest is not None and call.advisor is not None
        host = self._free(call.advisor)
        if not gone:
            fx.tell(advisor(host.username), views.ended(call.id, LEFT))
        guest_lines = self._floor.advisors[call.guest].lines
        call.advisor = call.guest
        call.guest = call.guest_line = call.guest_reason = None
        fx.tell(call.citizen, views.left(call.id, "host", promoted="guest"))
        fx.tell(advisor(call.advisor), views.promoted(call))
        return set(host.lines) | set(guest_lines) | {call.line}

    def call_ended(self, call: Call, reason: str, fx: Effects) -> set[str]:
        """The call ends for everyone: the invitation stops, the guest is told and freed."""
        touched: set[str] = set()
        if call.invite is not None:
            touched |= self._stop_ring(call, CANCELLED, fx)
            call.invite = None
        if call.guest is not None:
            guest = self._free(call.guest)
            call.guest = None
            fx.tell(advisor(guest.username), views.ended(call.id, reason))
            touched |= guest.lines
        return touched

    # --- internals -------------------------------------------------------------------------

    def _ring_next(self, call: Call, fx: Effects) -> set[str]:
        """Ring the longest-idle free advisor of the invited line not yet rung for it; when
        there is none the invitation fails: `no_answer` if someone declined or let it ring
        out, else `no_advisor`."""
        invite = call.invite
        assert invite is not None and call.advisor is not None
        free = [
            a
            for a in self._floor.line_advisors(invite.line)
            if a.free and a.username not in invite.tried
        ]
        adv = min(free, key=lambda a: (a.idle_since, a.username), default=None)
        if adv is None:
            call.invite = None
            why = "no_answer" if invite.refused else "no_advisor"
            fx.tell(advisor(call.advisor), views.invite_failed(call.id, invite.line, why))
            return set()
        now = self._mono()
        line = self._floor.lines[invite.line]
        adv.ringing = call.id
        invite.ringing, invite.ring_deadline = adv.username, now + line.ring_seconds
        invite.tried.add(adv.username)
        k = self._floor.kiosks[call.kiosk_id]
        fx.tell(
            advisor(adv.username),
            views.invited_ringing(call, k, line, call.line, line.ring_seconds, now),
        )
        fx.tell(advisor(call.advisor), views.invite_ringing(call.id, invite.line))
        return set(adv.lines)

    def _stop_ring(self, call: Call, why: str | None, fx: Effects) -> set[str]:
        invite = call.invite
        if invite is None or invite.ringing is None:
            return set()
        adv = self._floor.advisors[invite.ringing]
        adv.ringing = None
        invite.ringing, invite.ring_deadline = None, float("inf")
        if why is not None:
            fx.tell(advisor(adv.username), views.ring_ended(call.id, why))
        return set(adv.lines)

    def _free(self, username: str) -> Advisor:
        adv = self._floor.advisors[username]
        adv.call, adv.idle_since, adv.away_since = None, self._mono(), None
        return adv
