"""The WebRTC signalling the hub relays among the parties of a connected call.

Only three message types pass, and only their own fields are forwarded: a party cannot slip
another `type` or someone else's `call` id through the relay. With a third person in the call
(docs/call-three-party.md) a message names its addressee by role in `to` and is forwarded with
the sender's role in `from`; without `to` it goes between the kiosk and the host, as before.
"""

from __future__ import annotations

from typing import Any

from hub.calls.model import CallError, Message, Party, Role
from hub.calls.parties import Call

SIGNAL_TYPES = frozenset({"offer", "answer", "ice"})


def checked_signal(call_id: str, payload: Any) -> Message:
    """The message to forward for `payload`, or `CallError` saying what is wrong with it."""
    if not isinstance(payload, dict):
        raise CallError("a signalling message must be a JSON object")
    kind = payload.get("type")
    if kind not in SIGNAL_TYPES:
        raise CallError(f"only offer, answer and ice are relayed, not {kind!r}")
    if kind in ("offer", "answer"):
        sdp = payload.get("sdp")
        if not isinstance(sdp, str) or not sdp:
            raise CallError(f"{kind} needs an sdp string")
        return {"type": kind, "call": call_id, "sdp": sdp}
    if "candidate" not in payload:
        raise CallError("ice needs a candidate (null marks the end of candidates)")
    candidate = payload["candidate"]
    if candidate is not None and not isinstance(candidate, dict):
        raise CallError("ice candidate must be an object or null")
    return {"type": "ice", "call": call_id, "candidate": candidate}


def addressed_signal(
    call: Call, sender: Party | tuple[str, str], payload: Any
) -> tuple[Party, Message]:
    """Whom to forward `payload` to, and what: `CallError` when the sender or `to` is wrong."""
    role = call.role_of(sender)
    if role is None:
        raise CallError(f"you are not in call {call.id}")
    message = checked_signal(call.id, payload)
    to = payload.get("to")
    if to is None:
        if role is Role.GUEST:
            raise CallError("a guest's signalling needs to: kiosk or host")
        target = Role.HOST if role is Role.KIOSK else Role.KIOSK
    else:
        roles = [r.value for r in Role]
        if to not in roles:
            raise CallError(f"to must be one of {', '.join(roles)}, not {to!r}")
        target = Role(to)
        if target is role:
            raise CallError("to names yourself: signalling goes to another party of the call")
        message["from"] = role.value
    party = call.party(target)
    if party is None:
        raise CallError(f"there is no {target.value} in call {call.id}")
    return party, message
