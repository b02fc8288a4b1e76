"""The switchboard: video-advice calls queued per service line, rung, answered and ended.

Pure and synchronous: no sockets, no event loop, no clock of its own. The WebSocket layer calls
one method per incoming message or connection change, and `tick()` about once a second; each
returns `Effects` (messages to deliver, records to store) or raises `CallError`. The rules
(queue order, ring order, transfer placement, refusals) are in `docs/call-protocol.md`; ring
order is `Floor.advisor_to_ring`, the estimated wait `estimate.py`. A third person in a call
(an interpreter or another authority, `docs/call-three-party.md`) is `guests.py`.

A citizen may call from a kiosk or from home (`/ws/home`, channel "home"): the switchboard
treats both as the citizen's end of a call. A call made with a booking code (`booked`,
docs/appointments.md) goes first in its line and rings only the advisor who holds the slot
until `booking_late_minutes` after the slot starts (plus one ring); then, or when that advisor
declines it, it waits at the front of the line's queue as an ordinary call.
"""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from hub.appointments.model import Booked
from hub.calls import snapshot, views
from hub.calls.away import AwayParties
from hub.calls.estimate import WaitEstimator
from hub.calls.floor import Floor
from hub.calls.guests import Guests
from hub.calls.model import (
    CallError,
    Effects,
    EndReason,
    LineConfig,
    OpeningHours,
    Party,
    advisor,
    always_open,
)
from hub.calls.parties import Advisor, Call, CallState, Kiosk
from hub.calls.ratings import RatingBook
from hub.calls.ringing import ring_waiting, stop_ringing
from hub.calls.signalling import addressed_signal
from hub.calls.status import LineStatus, line_status


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Switchboard(AwayParties):
    def __init__(
        self,
        lines: Iterable[LineConfig],
        *,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = _utc_now,
        opening_hours: OpeningHours = always_open,
        estimator: WaitEstimator | None = None,
        no_advisor_grace_s: float = 120.0,
        rating_window_s: float = 600.0,
        new_call_id: Callable[[], str] = lambda: uuid.uuid4().hex,
        home_max_waiting: int | None = None,
        booking_late_minutes: float = 15.0,
        resume_seconds: float = 30.0,
    ) -> None:
        self._floor = Floor(lines)
        self._mono = monotonic
        self._wall = wall
        self._hours = opening_hours
        self._estimator = estimator or WaitEstimator()
        self._grace = no_advisor_grace_s
        self._new_id = new_call_id
        self._seq = itertools.count()
        self._unstaffed_since = dict.fromkeys(self._floor.lines, self._mono())
        self._ratings = RatingBook(rating_window_s)
        self._guests = Guests(self._floor, monotonic, wall, opening_hours)
        self._stirred: set[str] = set()  # lines a call's end changed beside its own
        #: Home callers waiting on one line at once (None: no cap); kiosks are not counted.
        self._home_max_waiting = home_max_waiting
        self._booking_late = timedelta(minutes=booking_late_minutes)
        #: How long a party whose socket was lost keeps its call (hub.calls.away).
        self._resume_s = resume_seconds

    # --- queries ---------------------------------------------------------------------------

    @property
    def lines(self) -> list[str]:
        return list(self._floor.lines)

    @property
    def service_lines(self) -> list[str]:
        """The lines a citizen may call: all but interpreter lines, which advisors invite."""
        return [line.line_id for line in self._floor.lines.values() if not line.interpreting]

    def waiting(self, line: str) -> list[str]:
        """The ids of the calls queued on `line` (ringing ones included), first first."""
        self._floor.line(line)
        return [c.id for c in self._floor.queue(line)]

    def position(self, call_id: str) -> int:
        """1 for the next call to be answered on its line."""
        call = self._floor.call(call_id)
        if not call.in_queue:
            raise CallError(f"call {call_id} is not waiting")
        return self._floor.queue(call.line).index(call) + 1

    def estimated_wait_s(self, call_id: str) -> int:
        call = self._floor.call(call_id)
        return self._estimator.estimate(call.line, self._mono(), self.position(call_id))

    def line_status(self, line: str) -> LineStatus:
        """Open or closed, advisors free or busy, how many wait: what a citizen sees first."""
        opening = self._hours(line, self._wall())
        return line_status(self._floor, line, opening, self._estimator, self._mono())

    def call_state(self, call_id: str) -> CallState | None:
        """The state of a call in progress, None once it has ended (or never was)."""
        call = self._floor.calls.get(call_id)
        return call.state if call else None

    # --- kiosks ----------------------------------------------------------------------------

    def kiosk_connected(
        self, kiosk_id: str, *, name: str = "", location: str = "", channel: str = "kiosk"
    ) -> Effects:
        """A citizen's end connected: a kiosk, or a home caller (`channel` "home", no name or
        place: advisors are told only that the citizen is at home)."""
        known = self._floor.kiosks.get(kiosk_id)
        if known is not None and not known.connected:
            # Back after a lost socket: its call stays away until it sends `resume`.
            known.connected = True
            if channel != "home":
                known.name, known.location = name or kiosk_id, location
            return Effects()
        if known is not None:
            raise CallError(f"kiosk {kiosk_id} is already connected")
        if channel == "home":
            self._floor.kiosks[kiosk_id] = Kiosk(kiosk_id, "", "", channel="home")
        else:
            self._floor.kiosks[kiosk_id] = Kiosk(kiosk_id, name or kiosk_id, location)
        return Effects()

    def kiosk_gone(self, kiosk_id: str) -> Effects:
        """The kiosk's socket closed: its call ends (waiting or talking); ratings are dropped."""
        fx = Effects()
        gone = self._floor.kiosks.pop(kiosk_id, None)
        if gone is None:
            return fx
        touched = set()
        if gone.call is not None:
            call = self._floor.calls[gone.call]
            touched.add(call.line)
            self._end(call, EndReason.KIOSK_GONE, fx)
        self._ratings.forget_kiosk(kiosk_id)
        return self._settle(fx, touched)

    # --- advisors --------------------------------------------------------------------------

    def advisor_connected(self, username: str, *, available: bool = False) -> Effects:
        """A console connected; it starts away unless `available`, and gets its lines' queues."""
        adv = self._floor.advisor(username)
        if adv.connected:
            raise CallError(f"advisor {username} is already connected")
        adv.connected, adv.available, adv.idle_since = True, available, self._mono()
        fx = Effects()
        for call in self._floor.calls.values():
            # A console that was not there when its booking's citizen called hears it now.
            if call.booked and call.booking is not None and call.booking.advisor == username:
                k = self._floor.kiosks[call.kiosk_id]
                fx.tell(advisor(username), views.appointment_arrived(call, k))
        return self._settle(fx, adv.lines)

    def set_available(self, username: str, available: bool) -> Effects:
        """Available: may be rung. Away: not rung; a call in progress goes on."""
        adv = self._floor.connected_advisor(username)
        fx = Effects()
        if available and not adv.available:
            adv.idle_since = self._mono()
        adv.available = available
        touched = set(adv.lines)
        if not available and adv.ringing is not None:
            touched |= self._ring_stops(self._floor.calls[adv.ringing], "away", fx)
        return self._settle(fx, touched)

    def advisor_gone(self, username: str) -> Effects:
        """The console's socket closed: a ringing call moves on, a call in progress ends."""
        adv = self._floor.advisors.get(username)
        fx = Effects()
        if adv is None or (not adv.connected and adv.away_since is None):
            return fx
        adv.connected = adv.available = False
        adv.away_since = None
        touched = set(adv.lines)
        if adv.ringing is not None:
            touched |= self._ring_stops(self._floor.calls[adv.ringing], None, fx)
        if adv.call is not None:
            touched |= self._leave_call(adv, fx)
        return self._settle(fx, touched)

    def _leave_call(self, adv: Advisor, fx: Effects) -> set[str]:
        """The advisor's part in their call ends as if their socket closed: a guest leaves, a
        host with a guest hands the call over, a host alone ends it (`advisor_gone`)."""
        assert adv.call is not None
        call = self._floor.calls[adv.call]
        if call.guest == adv.username:
            return {call.line} | self._guests.leave(call, fx, gone=True)
        if call.guest is not None:
            return {call.line} | self._guests.promote(call, fx, gone=True)
        self._end(call, EndReason.ADVISOR_GONE, fx)
        return {call.line}

    # --- calls -----------------------------------------------------------------------------

    def ready_to_call(self, kiosk_id: str) -> None:
        """`CallError` unless the citizen's end is connected and in no call (but one it lost
        its socket in and has not resumed: calling anew gives that one up)."""
        k = self._floor.kiosks.get(kiosk_id)
        if k is None or not k.connected:
            raise CallError(f"kiosk {kiosk_id} is not connected")
        if k.call is not None and k.away_since is None:
            raise CallError(f"kiosk {kiosk_id} is already in call {k.call}")

    def request_call(
        self, kiosk_id: str, line: str, language: str, *, booked: Booked | None = None
    ) -> tuple[str, Effects]:
        """Queue the kiosk's call on `line`, or refuse it with `ended` (closed / no advisor /
        a full queue of home callers).

        A call `booked` (its code checked by the caller) goes on the booking's line, first,
        for the slot's advisor, who is told at once; it is refused neither for a closed line
        nor for nobody available, and waits for them while the booking's window lasts.
        """
        self.ready_to_call(kiosk_id)
        k = self._floor.kiosks[kiosk_id]
        given_up = Effects()
        if k.call is not None:  # back after a lost socket (an app restarted, say), not resumed
            old = self._floor.calls[k.call]
            self._stirred.add(old.line)
            self._end(old, EndReason.KIOSK_GONE, given_up)
        if booked is not None:
            line = booked.line
            if self._floor.line(line).interpreting:
                raise CallError(f"line {line} is an interpreter line: an advisor invites it")
            language = language or booked.language
        else:
            self._floor.callable(line, language)
        full = (
            booked is None
            and k.channel == "home"
            and self._home_max_waiting is not None
            and sum(c.channel == "home" for c in self._floor.queue(line)) >= self._home_max_waiting
        )
        now = self._mono()
        call = Call(
            id=self._new_id(),
            kiosk_id=kiosk_id,
            line=line,
            first_line=line,
            language=language,
            queued_mono=now,
            queued_wall=self._wall(),
            seq=next(self._seq),
            leg_since=now,
            joined_at_position=len(self._floor.queue(line)) + 1,
            channel=k.channel,
            booking=booked,
        )
        self._floor.calls[call.id] = call
        k.call = call.id
        fx = given_up
        if booked is not None:
            call.booked_until = booked.starts_at + self._booking_late
            call.joined_at_position = self._floor.queue(line).index(call) + 1
            fx.tell(advisor(booked.advisor), views.appointment_arrived(call, k))
            return call.id, self._settle(fx, {line})
        opening = self._hours(line, call.queued_wall)
        if full:
            self._end(call, EndReason.QUEUE_FULL, fx)
        elif not opening.is_open:
            self._end(call, EndReason.LINE_CLOSED, fx, next_opening=opening.next_opening)
        elif not self._floor.staffed(line):
            self._end(call, EndReason.NO_ADVISOR, fx)
        return call.id, self._settle(fx, {line})

    def cancel(self, kiosk_id: str, call_id: str) -> Effects:
        """The citizen gives up waiting."""
        call = self._floor.kiosk_call(kiosk_id, call_id)
        if not call.in_queue:
            raise CallError(f"call {call_id} is connected: hang up instead")
        fx = Effects()
        self._end(call, EndReason.CANCELLED, fx)
        return self._settle(fx, {call.line})

    def accept(self, username: str, call_id: str) -> Effects:
        adv = self._floor.connected_advisor(username)
        call = self._floor.ringing_you(username, call_id)
        if call.invite is not None:
            return self._settle(fx := Effects(), self._guests.accept(username, call, fx))
        now = self._mono()
        leg_wait = now - call.leg_since
        self._estimator.answered(call.line, now, leg_wait, call.joined_at_position)
        adv.ringing, adv.call = None, call.id
        call.state, call.ringing, call.advisor = CallState.CONNECTED, None, username
        call.waited_s += leg_wait
        call.leg_since = now
        fx = Effects()
        if call.answered_wall is None:
            call.answered_wall = self._wall()
            if call.booking is not None:
                fx.served.append((call.booking.booking_id, call.answered_wall))
        call.booked_until = None
        fx.tell(call.citizen, views.connected_kiosk(call))
        k = self._floor.kiosks[call.kiosk_id]
        fx.tell(advisor(username), views.connected_advisor(call, k))
        return self._settle(fx, {call.line})

    def decline(self, username: str, call_id: str) -> Effects:
        """Ring the next advisor; this one is not rung again for the call in this round."""
        self._floor.connected_advisor(username)
        call = self._floor.ringing_you(username, call_id)
        fx = Effects()
        touched = self._ring_stops(call, "declined", fx)
        return self._settle(fx, touched)

    def transfer(self, username: str, call_id: str, other_line: str) -> Effects:
        """Move a connected call to another line's queue, keeping the citizen's first queue time.

        Refused (and the call goes on) when that line is closed or has nobody available.
        """
        adv = self._floor.connected_advisor(username)
        call = self._floor.calls.get(call_id)
        if call is None or call.advisor != username:
            raise CallError(f"you are not in call {call_id}")
        if self._floor.line(other_line).interpreting:
            raise CallError(f"line {other_line} is an interpreter line: invite it instead")
        if other_line == call.line:
            raise CallError(f"call {call_id} is already on line {other_line}")
        if call.guest is not None or call.invite is not None:
            raise CallError(f"call {call_id} has a guest or an invitation: it cannot be moved")
        if not self._hours(other_line, self._wall()).is_open:
            raise CallError(f"line {other_line} is closed")
        if not self._floor.staffed(other_line):
            raise CallError(f"no advisor of line {other_line} is available")
        now = self._mono()
        from_line = call.line
        call.talked_s += now - call.leg_since
        adv.call, adv.idle_since = None, now
        call.state, call.advisor, call.line = CallState.WAITING, None, other_line
        call.leg_since, call.transfers, call.told = now, call.transfers + 1, None
        call.tried = {username}  # whoever passed it on is not the first rung for it
        call.booked_until = None  # on another line the slot's advisor is nobody in particular
        call.joined_at_position = self._floor.queue(other_line).index(call) + 1
        fx = Effects()
        fx.tell(advisor(username), views.ended(call.id, "transferred", line=other_line))
        fx.tell(call.citizen, views.transferred(call, from_line))
        return self._settle(fx, {from_line, other_line})

    def hang_up(self, by: Party | tuple[str, str], call_id: str) -> Effects:
        """Either end hangs up. A kiosk hanging up while still queued cancels. With a guest in
        the call, the host hanging up leaves it to the guest, and the guest hanging up leaves."""
        call = self._floor.call(call_id)
        fx = Effects()
        if by == call.citizen:
            reason = EndReason.KIOSK_HUNG_UP if call.advisor else EndReason.CANCELLED
        elif call.guest is not None and by in (advisor(call.advisor or ""), advisor(call.guest)):
            leaving = self._guests.leave if by == advisor(call.guest) else self._guests.promote
            return self._settle(fx, leaving(call, fx))
        elif call.advisor is not None and by == advisor(call.advisor):
            reason = EndReason.ADVISOR_HUNG_UP
        else:
            raise CallError(f"you are not in call {call_id}")
        self._end(call, reason, fx)
        return self._settle(fx, {call.line})

    def rate(self, kiosk_id: str, call_id: str, stars: int) -> Effects:
        """The citizen's 1–5 rating of an answered call: once, within `rating_window_s`.

        Yields the call's record again with the rating set (the store upserts by call id).
        """
        if call_id in self._floor.calls:
            raise CallError(f"call {call_id} has not ended yet")
        return Effects(records=[self._ratings.rate(kiosk_id, call_id, stars)])

    def relay(self, from_party: Party | tuple[str, str], call_id: str, payload: object) -> Effects:
        """Forward WebRTC signalling (offer, answer, ice) to another party of a connected call:
        the one its `to` names, else the other end of kiosk and host."""
        call = self._floor.calls.get(call_id)
        if call is None or call.advisor is None:
            raise CallError(f"call {call_id} is not connected")
        to, message = addressed_signal(call, from_party, payload)
        fx = Effects()
        fx.tell(to, message)
        return fx

    # --- a third person in the call --------------------------------------------------------

    def invite(self, username: str, call_id: str, line: str, reason: str) -> Effects:
        """The host invites `line` (an interpreter or another authority) into the call."""
        fx = Effects()
        return self._settle(fx, self._guests.invite(username, call_id, line, reason, fx))

    def cancel_invite(self, username: str, call_id: str) -> Effects:
        fx = Effects()
        return self._settle(fx, self._guests.cancel(username, call_id, fx))

    def leave(self, username: str, call_id: str) -> Effects:
        """The guest leaves the call; it goes on between the kiosk and the host."""
        call = self._floor.calls.get(call_id)
        if call is None or call.guest != username:
            raise CallError(f"you are not the guest of call {call_id}: hang up instead")
        fx = Effects()
        return self._settle(fx, self._guests.leave(call, fx))

    def tick(self) -> Effects:
        """Time-based transitions: rings that timed out, unstaffed lines, rating windows."""
        now = self._mono()
        fx = Effects()
        touched: set[str] = set()
        wall = self._wall()
        for call in list(self._floor.calls.values()):
            if call.state is CallState.RINGING and now >= call.ring_deadline:
                stop_ringing(self._floor, call, "timeout", fx)
                touched.add(call.line)
            if call.state is CallState.WAITING and self._lapsed(call, wall):
                # The slot's advisor never took it: anyone of the line may now.
                call.booked_until = None
                touched.add(call.line)
        for line, since in self._unstaffed_since.items():
            if now - since >= self._grace:
                for call in self._floor.queue(line):
                    if call.booked:
                        continue  # it waits for its advisor while its window lasts
                    self._end(call, EndReason.NO_ADVISOR, fx)
                    touched.add(line)
        touched |= self._guests.tick(now, fx)
        touched |= self._away_over(now, fx)
        self._ratings.expire(now)
        return self._settle(fx, touched)

    # --- surviving a restart ---------------------------------------------------------------

    def snapshot(self) -> dict[str, object]:
        """Every call in progress as JSON-able data (wall-clock times): what `restore` needs."""
        return snapshot.take(self._floor, self._mono(), self._wall())

    def shape(self) -> object:
        """A cheap token equal for two states whose snapshots differ only by the clock."""
        return snapshot.shape(self._floor)

    def restore(self, saved: dict[str, object]) -> None:
        """Take back the calls of a `snapshot` into this switchboard, which has none yet.

        Every party of a restored call is away: it keeps its call if it connects and resumes
        within `resume_seconds`. Rings do not survive: a restored waiting call is rung again."""
        last_seq = snapshot.restore(self._floor, saved, self._mono(), self._wall())
        self._seq = itertools.count(last_seq + 1)
        self._settle(Effects(), self._floor.lines)

    # --- internals -------------------------------------------------------------------------

    def _lapsed(self, call: Call, wall: datetime) -> bool:
        """A booked call whose window (plus one ring, for the advisor to answer) is over."""
        if call.booked_until is None:
            return False
        ring = timedelta(seconds=self._floor.lines[call.line].ring_seconds)
        return wall >= call.booked_until + ring

    def _ring_stops(self, call: Call, why: str | None, fx: Effects) -> set[str]:
        """The ring of `call` stops unanswered, whether from its queue or inviting a guest."""
        if call.invite is not None:
            return self._guests.ring_over(call, why, fx)
        stop_ringing(self._floor, call, why, fx)
        return {call.line}

    def _end(
        self, call: Call, reason: EndReason, fx: Effects, next_opening: datetime | None = None
    ) -> None:
        """End a call in any state: free its advisor, tell the ends still there, record it."""
        now = self._mono()
        if call.ringing is not None:
            self._floor.advisors[call.ringing].ringing = None
            fx.tell(advisor(call.ringing), views.ring_ended(call.id, reason.value))
        self._stirred |= self._guests.call_ended(call, reason, fx)
        if call.advisor is not None:
            call.talked_s += now - call.leg_since
            adv = self._floor.advisors[call.advisor]
            adv.call, adv.idle_since, adv.away_since = None, now, None
            if reason is not EndReason.ADVISOR_GONE:
                fx.tell(advisor(adv.username), views.ended(call.id, reason))
        else:
            call.waited_s += now - call.leg_since
        del self._floor.calls[call.id]
        k = self._floor.kiosks.get(call.kiosk_id)
        if k is not None and k.call == call.id:
            k.call, k.away_since = None, None
            if not k.connected:  # away when its call ended: nothing is kept for it now
                del self._floor.kiosks[k.id]
        if reason is not EndReason.KIOSK_GONE:
            can_rate = call.answered_wall is not None
            fx.tell(call.citizen, views.ended(call.id, reason, can_rate, next_opening))
        record = call.record(reason, self._wall())
        fx.records.append(record)
        if reason is not EndReason.KIOSK_GONE:
            self._ratings.ended(record, now, call.kiosk_id)

    def _settle(self, fx: Effects, touched: Iterable[str] = ()) -> Effects:
        """After any change: ring who can be rung, then update advisors' views and positions."""
        lines = set(touched) | self._stirred
        self._stirred = set()
        ring_waiting(self._floor, fx, self._mono(), lines)
        now = self._mono()
        for line in self._floor.lines:
            if self._floor.staffed(line):
                self._unstaffed_since.pop(line, None)
            else:
                self._unstaffed_since.setdefault(line, now)
        for line in sorted(lines):
            queue = self._floor.queue(line)
            advisors = self._floor.line_advisors(line)
            view = views.queue_view(line, queue, advisors, self._floor.kiosks, now)
            for adv in advisors:
                if adv.connected:
                    fx.tell(advisor(adv.username), view)
            for position, call in enumerate(queue, start=1):
                estimate = self._estimator.estimate(line, now, position)
                if call.told != (position, estimate, call.booked):
                    call.told = (position, estimate, call.booked)
                    fx.tell(call.citizen, views.queued(call, position, estimate))
        return fx
