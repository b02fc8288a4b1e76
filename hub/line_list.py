"""The service lines as a citizen sees them before calling: names, hours, phone and what a call
would meet now. One listing for the kiosk's `/api/lines`, staff and the public home page's
`/api/home/lines` (docs/call-protocol.md, docs/appointments.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hub.context import HubContext
from hub.hours import LANGUAGES

LineStatusOf = Callable[[str], dict[str, Any]]
"""A line's status as JSON (hub.calls.status): the desk's `line_status`, which asks the
switchboard wherever it is hosted."""


def listed_lines(
    hub: HubContext, status_of: LineStatusOf, *, interpreters: bool
) -> list[dict[str, Any]]:
    """Every line in config order; interpreter lines only when `interpreters` (advisors invite
    them, citizens never call them)."""
    now = hub.clock()
    listed: list[dict[str, Any]] = []
    for line in hub.config.lines:
        if line.interpreting and not interpreters:
            continue
        open_now = line.open_at(now)
        opening = None if open_now else line.next_opening(now)
        listed.append(
            {
                "id": line.id,
                "name": {lang: line.name(lang) for lang in LANGUAGES},
                "description": {lang: line.description(lang) for lang in LANGUAGES},
                "phone": line.phone,
                "languages": list(line.languages),
                "open_now": open_now,
                "next_opening": opening.isoformat() if opening else None,
                # Advisors free or busy, the queue: what a citizen sees before calling.
                "status": status_of(line.id),
            }
        )
    return listed
