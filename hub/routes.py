"""The hub's routes, each with who may use it, in ONE table (`ROUTES`), and their handlers.

`allowed` holds roles (advisor, support, technician, admin), "kiosk" and/or "public"; the
access middleware (hub.auth) enforces it before any handler runs, and a test walks the app's
router to check every route against it.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from aiohttp import web

from hub.appointments.callback_routes import CALLBACK_ROUTES
from hub.appointments.pages import SCHEDULE_PAGES
from hub.appointments.routes import APPOINTMENT_ROUTES
from hub.appointments.topics import times_of_day_json, topics_json
from hub.auth import (
    CSRF_FIELD,
    KIOSK,
    PUBLIC,
    STAFF,
    KioskIdentity,
    StaffIdentity,
    client_address,
    current,
    end_session,
    kiosk,
    same_origin,
    staff,
    start_session,
)
from hub.calls.desk import DESK
from hub.calls.home import HOME_ROUTES
from hub.calls.offers import advisor_catalogue
from hub.calls.ws import advisor_socket, kiosk_socket
from hub.context import HUB
from hub.delivery import handlers as submissions
from hub.enrollment import ENROLLMENT_ROUTES
from hub.eservices import eservices
from hub.fleet.routes import FLEET_ROUTES
from hub.home_page import HOME_PAGE_ROUTES
from hub.hours import utc_iso
from hub.line_list import listed_lines
from hub.pages import FAILED, login_page
from hub.route import Route as Route  # re-exported: hub.app and the tests take it from here
from hub.support import SUPPORT_PAGES
from hub.updates.repository import REPOSITORY_ROUTES
from hub.updates.routes import UPDATE_ROUTES

log = logging.getLogger(__name__)

ADMIN = frozenset({"admin"})
ADVISOR = frozenset({"advisor"})
SUPPORT = frozenset({"support", "admin"})
#: Where a role lands after logging in, until it has a page of its own.
HOME = {"advisor": "/advisor", "support": "/support"}
STATIC = Path(__file__).parent / "static"


async def healthz(request: web.Request) -> web.Response:
    try:
        request.app[HUB].store.ping()
    except Exception:
        log.exception("health check failed")
        return web.json_response({"status": "unavailable"}, status=503)
    return web.json_response({"status": "ok"})


async def login_form(request: web.Request) -> web.Response:
    return _html(login_page())


async def login(request: web.Request) -> web.StreamResponse:
    hub = request.app[HUB]
    address = client_address(request)
    wait = hub.throttle.refusal(address)
    if wait is not None:
        # Before the form is read or a password checked: a flood costs the hub next to nothing.
        return web.json_response(
            {"error": "too many login attempts; try again in a moment"},
            status=429,
            headers={"Retry-After": str(wait)},
        )
    if not same_origin(request):
        return web.json_response({"error": "cross-site login refused"}, status=403)
    form = await request.post()
    username, password = form.get("username", ""), form.get("password", "")
    if not isinstance(username, str) or not isinstance(password, str):
        raise web.HTTPBadRequest(text="username and password must be text")
    username = username.strip().lower()
    async with hub.throttle.slot(address):
        user = await asyncio.to_thread(hub.guard.check, username, password, address)
    if user is None:
        # The form again with the message, like any form with a mistake in it: 200.
        return _html(login_page(username=username, error=FAILED))
    response = _see_other(HOME.get(user.role, "/api/me"))
    previous = current(request)
    if isinstance(previous, StaffIdentity):
        hub.store.delete_session(previous.session_hash)
    start_session(hub, response, user)
    log.info("logged in", extra={"username": user.username, "role": user.role})
    return response


async def logout(request: web.Request) -> web.StreamResponse:
    identity = staff(request)
    response = _see_other("/login")
    end_session(request.app[HUB], response, identity)
    # Its console's call socket, if open, closes now rather than at the desk's next look.
    request.app[DESK].revalidate()
    log.info("logged out", extra={"username": identity.user.username})
    return response


async def me(request: web.Request) -> web.Response:
    identity = staff(request)
    return web.json_response(
        {
            "username": identity.user.username,
            "role": identity.user.role,
            CSRF_FIELD: identity.csrf_token,
        }
    )


async def lines(request: web.Request) -> web.Response:
    hub = request.app[HUB]
    now = hub.clock()
    listed = listed_lines(
        hub,
        request.app[DESK].line_status,
        interpreters=not isinstance(current(request), KioskIdentity),
    )
    return web.json_response(
        {
            "lines": listed,
            "at": utc_iso(now),
            # What a callback or booking may be about, and when a callback suits
            # (docs/appointments.md); a wait longer than this offers them beside the queue.
            "callback_topics": topics_json(),
            "times_of_day": times_of_day_json(),
            "long_wait_s": hub.config.appointments.long_wait_minutes * 60,
            "home_calls": hub.config.home.enabled,
            # The address citizens use from home: the hub's public one, which a kiosk's own
            # address for the hub (an internal name, say) need not be.
            "home_url": f"{hub.config.public_url.rstrip('/')}/call"
            if hub.config.home.enabled
            else None,
        }
    )


async def kiosk_hello(request: web.Request) -> web.Response:
    hub = request.app[HUB]
    record = kiosk(request).kiosk
    hub.store.kiosk_seen(record.kiosk_id, at=utc_iso(hub.clock()))
    log.info("kiosk hello", extra={"kiosk_id": record.kiosk_id})
    return web.json_response(
        {
            "kiosk_id": record.kiosk_id,
            "name": record.name,
            "location": record.location,
            "ice_servers": hub.config.ice_servers(record.kiosk_id, hub.clock()),
        }
    )


async def admin_users(request: web.Request) -> web.Response:
    hub = request.app[HUB]
    now = utc_iso(hub.clock())
    users = [
        {
            "username": user.username,
            "role": user.role,
            "disabled": user.disabled,
            "locked": user.locked_until is not None and user.locked_until > now,
            "created_at": user.created_at,
        }
        for user in hub.store.users()
    ]
    return web.json_response({"users": users})


async def advisor_console(request: web.Request) -> web.StreamResponse:
    return _static("advisor.html")


async def advisor_script(request: web.Request) -> web.StreamResponse:
    return _static("advisor.js")


async def advisor_help_script(request: web.Request) -> web.StreamResponse:
    return _static("advisor-help.js")


async def advisor_style(request: web.Request) -> web.StreamResponse:
    return _static("advisor.css")


def _static(name: str) -> web.StreamResponse:
    return web.FileResponse(STATIC / name)


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def _html(text: str, *, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")


ROUTES: tuple[Route, ...] = (
    Route("GET", "/healthz", healthz, frozenset({PUBLIC})),
    Route("GET", "/login", login_form, frozenset({PUBLIC})),
    Route("POST", "/login", login, frozenset({PUBLIC})),
    Route("POST", "/logout", logout, STAFF),
    Route("GET", "/api/me", me, STAFF),
    Route("GET", "/api/lines", lines, STAFF | {KIOSK}),
    Route("POST", "/api/kiosk/hello", kiosk_hello, frozenset({KIOSK})),
    Route("GET", "/api/admin/users", admin_users, ADMIN),
    # Video calls: the WebSocket signalling of kiosks and advisors (docs/call-protocol.md), and
    # the advisor console. /ws/advisor also checks the Origin header itself (hub.calls.ws).
    Route("GET", "/ws/kiosk", kiosk_socket, frozenset({KIOSK})),
    Route("GET", "/ws/advisor", advisor_socket, ADVISOR),
    Route("GET", "/advisor", advisor_console, ADVISOR),
    Route("GET", "/static/advisor.js", advisor_script, ADVISOR),
    Route("GET", "/static/advisor.css", advisor_style, ADVISOR),
    Route("GET", "/static/advisor-help.js", advisor_help_script, ADVISOR),
    # What an advisor can send a citizen in a call (docs/call-help.md).
    Route("GET", "/api/advisor/catalogue", advisor_catalogue, ADVISOR),
    # Sealed submissions and the forms catalogue (docs/outbox-protocol.md), and support's view
    # of their delivery (metadata only; a retry is a POST, so it needs the CSRF token).
    Route("POST", "/api/kiosk/submissions", submissions.receive_submission, frozenset({KIOSK})),
    Route("GET", "/api/kiosk/email-policy", submissions.email_policy, frozenset({KIOSK})),
    Route("GET", "/api/kiosk/forms", submissions.forms, frozenset({KIOSK})),
    # The e-services catalogue (docs/outbox-protocol.md), kept by kiosk-agent like the forms'.
    Route("GET", "/api/kiosk/eservices", eservices, frozenset({KIOSK})),
    Route("GET", "/api/support/submissions", submissions.support_submissions, SUPPORT),
    Route("POST", "/api/support/submissions/{id}/retry", submissions.support_retry, SUPPORT),
    *FLEET_ROUTES,
    *ENROLLMENT_ROUTES,
    *APPOINTMENT_ROUTES,
    *CALLBACK_ROUTES,
    *HOME_ROUTES,
    *HOME_PAGE_ROUTES,
    *SCHEDULE_PAGES,
    *SUPPORT_PAGES,
    *UPDATE_ROUTES,
    *REPOSITORY_ROUTES,
)
