"""What the hub's answers mean to the kiosk: `/api/lines` (each line's status too), the
`hello`'s ICE servers, and the loose fields of a call message, read without trusting their shape
(docs/call-protocol.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kiosk.video.advice import AdviceLine, CallGuest, LineState
from kiosk.video.call import IceServer


class HubUnavailable(Exception):
    """The hub could not be reached, or refused this kiosk."""


def parse_lines(payload: Any) -> list[AdviceLine]:
    """The lines of a `/api/lines` answer."""
    lines: list[AdviceLine] = []
    for item in payload.get("lines", []):
        open_now = bool(item.get("open_now"))
        status = item.get("status")
        status = status if isinstance(status, dict) else {}
        try:
            state = LineState(str(status.get("state")))
        except ValueError:
            state = LineState.UNKNOWN if open_now else LineState.CLOSED
        lines.append(
            AdviceLine(
                id=str(item["id"]),
                names={k: str(v) for k, v in (item.get("name") or {}).items()},
                descriptions={k: str(v) for k, v in (item.get("description") or {}).items()},
                phone=str(item.get("phone") or ""),
                languages=tuple(item.get("languages") or ()),
                open_now=open_now and state is not LineState.CLOSED,
                next_opening=parse_time(item.get("next_opening")),
                state=state,
                advisors_free=as_int(status.get("advisors_free")) or 0,
                waiting=as_int(status.get("waiting")) or 0,
                estimated_wait_s=as_int(status.get("estimated_wait_s")),
            )
        )
    return lines


def parse_ice_servers(message: dict[str, Any]) -> list[IceServer]:
    """The STUN and TURN servers of the hub's `hello`, or of a call's `connected`."""
    return [
        IceServer(
            urls=tuple(s.get("urls") or ()),
            username=s.get("username"),
            credential=s.get("credential"),
        )
        for s in message.get("ice_servers") or ()
    ]


def parse_guest(message: dict[str, Any]) -> CallGuest:
    """Who joined the call, from the hub's `joined` (docs/call-three-party.md)."""
    names = message.get("line_name")
    interpreting = message.get("interpreting")
    return CallGuest(
        line=str(message.get("line") or ""),
        names={str(k): str(v) for k, v in names.items()} if isinstance(names, dict) else {},
        reason="interpreter" if message.get("reason") == "interpreter" else "authority",
        interpreting=interpreting if isinstance(interpreting, str) and interpreting else None,
    )


def parse_time(text: Any) -> datetime | None:
    """An aware datetime from the hub's UTC ISO 8601, or None for anything else."""
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def as_int(value: Any) -> int | None:
    """A JSON whole number, or None (booleans are not numbers here)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None
