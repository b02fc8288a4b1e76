"""Who is where: the lines, the calls in progress, the kiosks and advisors, and the ring order.

The switchboard changes this state; the lookups here raise `CallError` with the message the
party that asked will see.
"""

from __future__ import annotations

from collections.abc import Iterable

from hub.calls.model import CallError, LineConfig
from hub.calls.parties import Advisor, Call, Kiosk


class Floor:
    def __init__(self, lines: Iterable[LineConfig]) -> None:
        self.lines = {line.line_id: line for line in lines}
        self.calls: dict[str, Call] = {}
        self.kiosks: dict[str, Kiosk] = {}
        self.advisors: dict[str, Advisor] = {}
        for line in self.lines.values():
            for name in line.advisors:
                adv = self.advisors.setdefault(name, Advisor(name, frozenset()))
                adv.lines = adv.lines | {line.line_id}

    def line(self, line_id: str) -> LineConfig:
        try:
            return self.lines[line_id]
        except KeyError:
            known = ", ".join(sorted(self.lines)) or "none"
            raise CallError(f"unknown line {line_id!r} (lines: {known})") from None

    def callable(self, line_id: str, language: str) -> LineConfig:
        """The line a citizen asks to call in `language`, or `CallError` saying why not."""
        line = self.line(line_id)
        if line.interpreting:
            raise CallError(f"line {line_id} is an interpreter line: an advisor invites it")
        if not language or (line.languages and language not in line.languages):
            served = ", ".join(sorted(line.languages)) or "any"
            raise CallError(f"line {line_id} does not serve language {language!r} ({served})")
        return line

    def call(self, call_id: str) -> Call:
        call = self.calls.get(call_id)
        if call is None:
            raise CallError(f"no call {call_id} in progress")
        return call

    def kiosk_call(self, kiosk_id: str, call_id: str) -> Call:
        call = self.call(call_id)
        if call.kiosk_id != kiosk_id:
            raise CallError(f"call {call_id} is not this kiosk's")
        return call

    def ringing_you(self, username: str, call_id: str) -> Call:
        """The call ringing this advisor: from its queue, or inviting them into it."""
        call = self.calls.get(call_id)
        invited = call is not None and call.invite is not None and call.invite.ringing == username
        if call is None or (call.ringing != username and not invited):
            raise CallError(f"call {call_id} is not ringing you")
        return call

    def advisor(self, username: str) -> Advisor:
        adv = self.advisors.get(username)
        if adv is None:
            raise CallError(f"{username} answers no line")
        return adv

    def connected_advisor(self, username: str) -> Advisor:
        adv = self.advisor(username)
        if not adv.connected:
            raise CallError(f"advisor {username} is not connected")
        return adv

    def queue(self, line_id: str) -> list[Call]:
        """The calls waiting on a line (ringing included), in queue order."""
        calls = [c for c in self.calls.values() if c.line == line_id and c.in_queue]
        return sorted(calls, key=lambda c: c.queue_key)

    def line_advisors(self, line_id: str) -> list[Advisor]:
        return [self.advisors[name] for name in sorted(self.lines[line_id].advisors)]

    def staffed(self, line_id: str) -> bool:
        """At least one advisor of the line is connected and available (maybe in a call)."""
        return any(a.on_duty for a in self.line_advisors(line_id))

    def advisor_to_ring(self, call: Call) -> Advisor | None:
        """The longest-idle free advisor of the call's line not yet rung for it this round.

        A booked call rings only the slot's advisor, whenever they are free. When every
        available advisor of the line has been rung for this call (declined, let it ring out,
        or went away), a new round begins. Busy advisors not yet tried hold the
        round open: the call waits for them rather than ringing someone who declined.
        """
        if call.booked and call.booking is not None:
            # A booked call rings the advisor who holds the slot, and nobody else.
            holder = self.advisors.get(call.booking.advisor)
            if holder is None or not holder.free or call.line not in holder.lines:
                return None
            call.tried.clear()
            return holder
        on_duty = [a for a in self.line_advisors(call.line) if a.on_duty]
        free = [a for a in on_duty if a.free]
        if not free:
            return None
        if all(a.username in call.tried for a in on_duty):
            call.tried.clear()
        untried = [a for a in free if a.username not in call.tried]
        return min(untried, key=lambda a: (a.idle_since, a.username), default=None)
