"""The advisors' schedule page `/advisor/schedule` and its files, and the console's panels of
today's appointments and callbacks (`/static/advisor-agenda.js`) (docs/appointments.md).

A plain page whose script (hub/static/schedule.js) reads and writes the schedule API
(/api/schedule...) itself, so the Content-Security-Policy `default-src 'self'` holds. An
advisor sees and edits their own week; an admin picks the advisor.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from hub.auth import Handler
from hub.route import Route

#: Advisors keep their own slots; admins anyone's.
SCHEDULE_ROLES = frozenset({"advisor", "admin"})
#: The console is the advisors' alone (as /advisor itself).
CONSOLE_ROLES = frozenset({"advisor"})
STATIC = Path(__file__).resolve().parent.parent / "static"


def _file(name: str) -> Handler:
    async def serve(request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / name)

    return serve


SCHEDULE_PAGES: tuple[Route, ...] = (
    Route("GET", "/advisor/schedule", _file("schedule.html"), SCHEDULE_ROLES),
    Route("GET", "/static/schedule.js", _file("schedule.js"), SCHEDULE_ROLES),
    Route("GET", "/static/schedule.css", _file("schedule.css"), SCHEDULE_ROLES),
    Route("GET", "/static/advisor-agenda.js", _file("advisor-agenda.js"), CONSOLE_ROLES),
)
