"""A party whose socket was lost keeps its call for a while: away, back, resumed or over.

A socket lost without a goodbye (no close frame: a network that dropped, a hub that died) does
not end the call at once. The party is *away*: its call (waiting, ringing or connected, a
guest's included) is kept for `resume_seconds`, the others in the call are told `peer_away`,
and the media, which goes peer to peer, carries on. When the party connects again and sends
`resume` with the call's id, it gets the call's state back (`queued` or `resumed`) and the
others `peer_back`. A party still away when the grace is over leaves the call exactly as a
closed socket does (`kiosk_gone`, `advisor_gone`), recorded once. A waiting caller who is away
keeps their place in the queue but is not rung until back: no advisor is held for a caller who
may not return. docs/call-protocol.md, "When a socket is lost", has the rules.

A mixin of the switchboard (`queue.py`): it changes the same `Floor` and returns `Effects`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from hub.calls.floor import Floor
from hub.calls.guests import Guests
from hub.calls.model import (
    CallError,
    Effects,
    EndReason,
    Message,
    Party,
    Role,
    advisor,
)
from hub.calls.parties import Advisor, Call, CallState, Kiosk
from hub.calls.ratings import RatingBook
from hub.calls.ringing import stop_ringing

#: The reason told to an advisor whose ring stops because the caller's socket was lost.
CITIZEN_AWAY = "citizen_away"


def peer_away(call: Call, role: Role, resume_seconds: float) -> Message:
    """To the others in a call: one party's connection is lost and may be restored within
    `resume_seconds`; the media may go on meanwhile."""
    return {
        "type": "peer_away",
        "call": call.id,
        "role": str(role),
        "resume_seconds": resume_seconds,
    }


def peer_back(call: Call, role: Role) -> Message:
    """To the others in a call: the party that was away has resumed it."""
    return {"type": "peer_back", "call": call.id, "role": str(role)}


def resumed(call: Call, role: Role, away: Iterable[Role]) -> Message:
    """To a party that resumed a connected call: carry on (its peer is still open); `away`
    names the parties whose connection is still being restored."""
    return {
        "type": "resumed",
        "call": call.id,
        "line": call.line,
        "role": str(role),
        "away": sorted(str(r) for r in away),
    }


class AwayParties:
    """Away, resume and the grace's end, for the switchboard (`Switchboard` mixes it in)."""

    _floor: Floor
    _guests: Guests
    _ratings: RatingBook
    _mono: Callable[[], float]
    _resume_s: float

    # Provided by the switchboard.
    def _end(
        self, call: Call, reason: EndReason, fx: Effects, next_opening: datetime | None = None
    ) -> None:
        raise NotImplementedError

    def _settle(self, fx: Effects, touched: Iterable[str] = ()) -> Effects:
        raise NotImplementedError

    def kiosk_gone(self, kiosk_id: str) -> Effects:
        raise NotImplementedError

    def advisor_gone(self, username: str) -> Effects:
        raise NotImplementedError

    def _leave_call(self, adv: Advisor, fx: Effects) -> set[str]:
        raise NotImplementedError

    @property
    def resume_seconds(self) -> float:
        return self._resume_s

    # --- a socket lost ---------------------------------------------------------------------

    def kiosk_away(self, kiosk_id: str) -> Effects:
        """The citizen's socket was lost: its call is kept for `resume_seconds`. Without a
        call there is nothing to keep, and it is gone."""
        k = self._floor.kiosks.get(kiosk_id)
        if k is None or not k.connected:
            return Effects()
        if k.call is None:
            return self.kiosk_gone(kiosk_id)
        fx = Effects()
        k.connected = False
        if k.away_since is None:  # lost again before resuming: the first loss counts
            k.away_since = self._mono()
        call = self._floor.calls[k.call]
        if call.state is CallState.RINGING and call.ringing is not None:
            rung = call.ringing
            stop_ringing(self._floor, call, CITIZEN_AWAY, fx)
            call.tried.discard(rung)  # not their refusal: they may be rung first when back
        self._tell_others(call, Role.KIOSK, peer_away(call, Role.KIOSK, self._resume_s), fx)
        return self._settle(fx, {call.line})

    def advisor_away(self, username: str) -> Effects:
        """The console's socket was lost: a ringing call moves on (as when gone), a call they
        are in is kept for `resume_seconds`."""
        adv = self._floor.advisors.get(username)
        if adv is None or not adv.connected:
            return Effects()
        if adv.call is None:
            return self.advisor_gone(username)
        fx = Effects()
        adv.connected = adv.available = False
        if adv.away_since is None:
            adv.away_since = self._mono()
        call = self._floor.calls[adv.call]
        role = call.role_of(advisor(username))
        if role is not None:
            self._tell_others(call, role, peer_away(call, role, self._resume_s), fx)
        return self._settle(fx, set(adv.lines) | {call.line})

    # --- back ------------------------------------------------------------------------------

    def resume(self, party: Party | tuple[str, str], call_id: str) -> Effects:
        """A party connected again asks for its call back. A waiting call gets `queued` (its
        place kept), a connected one `resumed`, and the others `peer_back`; a call that ended
        (or never was theirs) gets `ended`.

        A home caller's socket has a new id each time: the call's id, which only its parties
        know, rebinds a home call whose caller is away to the new socket.
        """
        who = Party(*party)
        self._present(who)
        fx = Effects()
        call = self._floor.calls.get(call_id)
        role = call.role_of(who) if call is not None else None
        if call is not None and role is None and self._rebind_home(call, who):
            role = Role.KIOSK
        if call is None or role is None:
            fx.tell(who, self._not_resumable(who, call_id))
            return fx
        member = self._member(call, role)
        was_away = member.away_since is not None
        member.away_since = None
        if call.in_queue:
            call.told = None  # the settle says its place again
        else:
            away = [r for r in Role if r is not role and self._is_away(call, r)]
            fx.tell(who, resumed(call, role, away))
            if was_away:
                self._tell_others(call, role, peer_back(call, role), fx)
        return self._settle(fx, {call.line})

    # --- the grace's end -------------------------------------------------------------------

    def _away_over(self, now: float, fx: Effects) -> set[str]:
        """End the part in their call of every party away for `resume_seconds` or more."""
        touched: set[str] = set()
        for k in list(self._floor.kiosks.values()):
            if k.away_since is None or now - k.away_since < self._resume_s:
                continue
            if k.call is not None:
                call = self._floor.calls[k.call]
                touched.add(call.line)
                self._end(call, EndReason.KIOSK_GONE, fx)
            k.away_since = None
            if not k.connected:
                self._floor.kiosks.pop(k.id, None)
                self._ratings.forget_kiosk(k.id)
        for adv in self._floor.advisors.values():
            if adv.away_since is None or now - adv.away_since < self._resume_s:
                continue
            adv.away_since = None
            if adv.call is not None:
                touched |= set(adv.lines) | self._leave_call(adv, fx)
        return touched

    # --- internals -------------------------------------------------------------------------

    def _present(self, who: Party) -> None:
        if who.kind == "advisor":
            self._floor.connected_advisor(who.id)
            return
        k = self._floor.kiosks.get(who.id)
        if k is None or not k.connected:
            raise CallError(f"{who.kind} {who.id} is not connected")

    def _rebind_home(self, call: Call, who: Party) -> bool:
        """Move an away home caller's call to their new socket, if it may be."""
        if who.kind != "home" or call.channel != "home":
            return False
        old = self._floor.kiosks.get(call.kiosk_id)
        new = self._floor.kiosks[who.id]
        if old is None or old.connected or new.call is not None:
            return False
        del self._floor.kiosks[old.id]
        new.call, new.away_since = call.id, old.away_since
        call.kiosk_id = who.id
        return True

    def _member(self, call: Call, role: Role) -> Kiosk | Advisor:
        if role is Role.KIOSK:
            return self._floor.kiosks[call.kiosk_id]
        username = call.advisor if role is Role.HOST else call.guest
        assert username is not None
        return self._floor.advisors[username]

    def _is_away(self, call: Call, role: Role) -> bool:
        if call.party(role) is None:
            return False
        return self._member(call, role).away_since is not None

    def _tell_others(self, call: Call, role: Role, message: Message, fx: Effects) -> None:
        for other in Role:
            party = call.party(other)
            if other is not role and party is not None:
                fx.tell(party, message)

    def _not_resumable(self, who: Party, call_id: str) -> Message:
        """`ended` for a call that cannot be resumed: the real end when it ended lately (a
        citizen may still rate it), else the loss of the party's own connection."""
        message: Message = {"type": "ended", "call": call_id}
        if who.kind == "advisor":
            return {**message, "reason": str(EndReason.ADVISOR_GONE)}
        record = self._ratings.recent(call_id, who.id)
        if record is None:
            return {**message, "reason": str(EndReason.KIOSK_GONE), "can_rate": False}
        can_rate = record.answered_at is not None and record.rating is None
        return {**message, "reason": str(record.reason), "can_rate": can_rate}
