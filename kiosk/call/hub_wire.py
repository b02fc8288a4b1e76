"""What the hub's answers mean to the kiosk: `/api/lines`, the `hello`'s ICE servers, and the
loose fields of a call message, read without trusting their shape (docs/call-protocol.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kiosk.call.advice import AdviceLine
from kiosk.call.peer import IceServer


class HubUnavailable(Exception):
    """The hub could not be reached, or refused this kiosk."""


def parse_lines(payload: Any) -> list[AdviceLine]:
    """The lines of a `/api/lines` answer."""
    lines: list[AdviceLine] = []
    for item in payload.get("lines", []):
        opening = item.get("next_opening")
        lines.append(
            AdviceLine(
                id=str(item["id"]),
                names={k: str(v) for k, v in (item.get("name") or {}).items()},
                descriptions={k: str(v) for k, v in (item.get("description") or {}).items()},
                phone=str(item.get("phone") or ""),
                languages=tuple(item.get("languages") or ()),
                open_now=bool(item.get("open_now")),
                next_opening=parse_time(opening),
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
