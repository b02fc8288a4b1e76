"""The WebRTC signalling the hub relays between the two ends of a connected call.

Only three message types pass, and only their own fields are forwarded: a party cannot slip
another `type` or someone else's `call` id through the relay.
"""

from __future__ import annotations

from typing import Any

from hub.calls.model import CallError, Message

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
