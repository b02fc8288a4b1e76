"""The public home-call page `/call`, its files and the lines it lists (docs/appointments.md).

No login: anyone may load the page, so every request for it, its files and its list of lines
counts against its client address (`[home] page_requests_per_address_per_minute`, a window
that slides on the hub's clock like the home socket's, hub.calls.limits); one more in the same
minute is told to wait (429 with Retry-After). The call itself is `/ws/home`
(hub.calls.home).
"""

from __future__ import annotations

import weakref
from datetime import timedelta
from pathlib import Path

from aiohttp import web

from hub.auth import PUBLIC, Handler, client_address
from hub.calls.desk import DESK
from hub.calls.limits import Window, window
from hub.context import HUB
from hub.hours import utc_iso
from hub.line_list import listed_lines
from hub.route import Route

STATIC = Path(__file__).parent / "static"
#: Only the hub's own scripts, styles and sockets; the camera and microphone for this page only.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "media-src 'self' blob: mediastream:; connect-src 'self'; object-src 'none'; "
        "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "Permissions-Policy": (
        "camera=(self), microphone=(self), display-capture=(), geolocation=(), payment=(), usb=()"
    ),
}


# One window per application (tests make many): kept beside the app rather than in it, because
# an app's state is frozen once it serves and the route table is all this module adds to it.
# In the store when several instances share it (hub.calls.limits.window).
_LIMITS: weakref.WeakKeyDictionary[web.Application, Window] = weakref.WeakKeyDictionary()


def _limit(app: web.Application) -> Window:
    limit = _LIMITS.get(app)
    if limit is None:
        hub = app[HUB]
        per_minute = hub.config.home.page_requests_per_address_per_minute
        limit = window(hub.store.rate_hits, "home-page", per_minute, timedelta(minutes=1))
        _LIMITS[app] = limit
    return limit


def _public(handler: Handler) -> Handler:
    """`handler` behind [home] enabled (404 when off) and the per-address page limit."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        if not request.app[HUB].config.home.enabled:
            raise web.HTTPNotFound()
        hub = request.app[HUB]
        wait = _limit(request.app).refusal(client_address(request), hub.clock())
        if wait is not None:
            return web.json_response(
                {"error": "too many requests; try again in a moment", "code": "rate_limited"},
                status=429,
                headers={"Retry-After": str(wait)},
            )
        return await handler(request)

    return guarded


async def call_page(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "call.html", headers=PAGE_HEADERS)


async def call_script(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "call.js")


async def call_style(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "call.css")


async def home_lines(request: web.Request) -> web.Response:
    """The lines a citizen at home may call, with their status (their phone numbers are public)."""
    hub = request.app[HUB]
    listed = listed_lines(hub, request.app[DESK].line_status, interpreters=False)
    return web.json_response({"lines": listed, "at": utc_iso(hub.clock())})


_EVERYONE = frozenset({PUBLIC})

HOME_PAGE_ROUTES: tuple[Route, ...] = (
    Route("GET", "/call", _public(call_page), _EVERYONE),
    Route("GET", "/static/call.js", _public(call_script), _EVERYONE),
    Route("GET", "/static/call.css", _public(call_style), _EVERYONE),
    Route("GET", "/api/home/lines", _public(home_lines), _EVERYONE),
)
