"""What happens on a call socket, as one operation of the switchboard.

A socket's life is three kinds of operation, each a JSON object so that it can cross from the
hub instance holding the socket to the instance hosting the switchboard (hub.cluster) as well
as run in the same process:

- `joined`: a party's socket opened (a kiosk's name and place, a home caller's channel);
- `said`: a message from the party, already checked by the socket layer (`citizen_request`,
  `advisor_request` raise `BadRequest` first, on the instance that received it);
- `left`: the socket closed; `away` when it was lost without the client's goodbye (the client
  will reconnect and resume), else the party is gone.

Each names its party, the instance holding the socket and the socket's own id, so that the
host knows where to send what follows and ignores a `left` of a socket already replaced.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hub.calls.model import Effects, Message, Party, advisor
from hub.calls.queue import Switchboard

#: A booking code is 8 digits; spaces and a little more are allowed, nothing long.
MAX_CODE_CHARS = 32
SIGNALS = frozenset({"offer", "answer", "ice"})
KIOSK_TYPES = SIGNALS | {"call", "cancel", "hang_up", "rate", "resume"}
ADVISOR_TYPES = SIGNALS | {"available", "accept", "decline", "transfer", "hang_up", "resume"}
#: A third person in the call (docs/call-three-party.md).
GUEST_TYPES = frozenset({"invite", "cancel_invite", "leave"})

Operation = dict[str, Any]
"""One JSON object: `op` ("joined", "said", "left"), `party` ([kind, id]), `instance`,
`socket`, and the kind's own fields."""

BookedCall = Callable[[Party, str, str], Effects]
"""The desk's booked call: (party, code, language) → effects (it reads the store)."""


class BadRequest(ValueError):
    """A message the socket layer refuses before the switchboard sees it."""


def joined(party: Party, instance: str, socket: str, **details: str) -> Operation:
    return {"op": "joined", "party": list(party), "instance": instance, "socket": socket,
            **details}  # fmt: skip


def said(party: Party, instance: str, socket: str, message: Message) -> Operation:
    return {"op": "said", "party": list(party), "instance": instance, "socket": socket,
            "message": message}  # fmt: skip


def left(party: Party, instance: str, socket: str, *, away: bool) -> Operation:
    return {"op": "left", "party": list(party), "instance": instance, "socket": socket,
            "away": away}  # fmt: skip


def party_of(operation: Operation) -> Party:
    kind, party_id = operation["party"]
    return Party(kind, party_id)


def field(message: Message, name: str, kind: type | tuple[type, ...] = str) -> Any:
    value = message.get(name)
    if not isinstance(value, kind) or (kind is str and not value):
        raise BadRequest(f"{message.get('type')} needs {name}")
    return value


def booking_code(message: Message) -> str | None:
    """The booking code a `call` carries (digits, spaces allowed), None without one."""
    code = message.get("booking")
    if code is None:
        return None
    if not isinstance(code, str) or not code.strip() or len(code) > MAX_CODE_CHARS:
        raise BadRequest("booking must be the booking code (text)")
    return code


def citizen_request(
    sb: Switchboard, booked_call: BookedCall, me: Party, message: Message
) -> Callable[[], Effects]:
    """A kiosk's or home caller's message as one operation of the switchboard."""
    kiosk_id = me.id
    kind = message.get("type")
    if kind not in KIOSK_TYPES:
        raise BadRequest(f"unknown message type {kind!r}")
    if kind == "call":
        code = booking_code(message)
        if code is not None:
            # The booking says the line; the language the citizen chose, else the booking's.
            language = message.get("language")
            chosen = language if isinstance(language, str) else ""
            return lambda: booked_call(me, code, chosen)
        line, language = field(message, "line"), field(message, "language")
        return lambda: sb.request_call(kiosk_id, line, language)[1]
    call = field(message, "call")
    if kind == "cancel":
        return lambda: sb.cancel(kiosk_id, call)
    if kind == "hang_up":
        return lambda: sb.hang_up(me, call)
    if kind == "rate":
        stars = message.get("stars")
        return lambda: sb.rate(kiosk_id, call, stars)  # type: ignore[arg-type]  # checked there
    if kind == "resume":
        return lambda: sb.resume(me, call)
    if kind in SIGNALS:
        return lambda: sb.relay(me, call, message)
    raise BadRequest(f"unknown message type {kind!r}")


def advisor_request(sb: Switchboard, username: str, message: Message) -> Callable[[], Effects]:
    """An advisor's message as one operation of the switchboard."""
    kind = message.get("type")
    if kind not in ADVISOR_TYPES | GUEST_TYPES:
        raise BadRequest(f"unknown message type {kind!r}")
    me = advisor(username)
    if kind == "available":
        available = field(message, "available", bool)
        return lambda: sb.set_available(username, available)
    call = field(message, "call")
    if kind == "accept":
        return lambda: sb.accept(username, call)
    if kind == "decline":
        return lambda: sb.decline(username, call)
    if kind == "transfer":
        line = field(message, "line")
        return lambda: sb.transfer(username, call, line)
    if kind == "hang_up":
        return lambda: sb.hang_up(me, call)
    if kind == "invite":
        line, reason = field(message, "line"), field(message, "reason")
        return lambda: sb.invite(username, call, line, reason)
    if kind == "cancel_invite":
        return lambda: sb.cancel_invite(username, call)
    if kind == "leave":
        return lambda: sb.leave(username, call)
    if kind == "resume":
        return lambda: sb.resume(me, call)
    if kind in SIGNALS:
        return lambda: sb.relay(me, call, message)
    raise BadRequest(f"unknown message type {kind!r}")


def request(
    sb: Switchboard, booked_call: BookedCall, me: Party, message: Message
) -> Callable[[], Effects]:
    """Any party's message as one operation (`BadRequest` when the message is wrong)."""
    if me.kind == "advisor":
        return advisor_request(sb, me.id, message)
    return citizen_request(sb, booked_call, me, message)
