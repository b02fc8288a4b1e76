"""The routes of callbacks: the advisors' list, claim, done and no answer (docs/appointments.md).

An advisor sees and handles the callbacks of the service lines they answer; another line's
callback is, to them, no callback at all (404). The contact is opened only by a claim, for the
advisor who holds it. The log names the reference and the advisor, never the contact.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiohttp import web

from hub.appointments.callbacks import as_json, open_contact
from hub.auth import staff
from hub.context import HUB, HubContext
from hub.delivery.payload import REFERENCE
from hub.delivery.service import DELIVERY
from hub.hours import utc_iso
from hub.route import Route
from hub.store.callbacks import CallbackRecord, CallbackRefused

log = logging.getLogger(__name__)

ADVISOR = frozenset({"advisor"})


def _problem(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": message, "code": code}, status=status)


def advisor_lines(hub: HubContext, username: str) -> list[str]:
    """The service lines `username` answers."""
    return [
        line.id for line in hub.config.lines if username in line.advisors and not line.interpreting
    ]


async def listed(request: web.Request) -> web.Response:
    hub = request.app[HUB]
    lines = advisor_lines(hub, staff(request).user.username)
    now = hub.clock()
    records = hub.store.callbacks.listed(lines)
    return web.json_response({"callbacks": [as_json(record, now) for record in records]})


def _theirs(request: web.Request) -> tuple[HubContext, str, str]:
    """The hub, the advisor and the id of a callback of one of their lines; 404 otherwise."""
    hub = request.app[HUB]
    username = staff(request).user.username
    callback_id = request.match_info["id"]
    record = hub.store.callbacks.get(callback_id) if REFERENCE.fullmatch(callback_id) else None
    if record is None or record.line not in advisor_lines(hub, username):
        raise web.HTTPNotFound(
            text='{"error": "no such callback", "code": "unknown"}', content_type="application/json"
        )
    return hub, username, callback_id


async def claim(request: web.Request) -> web.Response:
    hub, username, callback_id = _theirs(request)
    key = request.app[DELIVERY].key
    if key is None:
        return _problem(503, "unavailable", "this hub has no sealing key configured")
    try:
        record, sealed = hub.store.callbacks.claim(callback_id, username, at=utc_iso(hub.clock()))
    except CallbackRefused as exc:
        return _problem(409, exc.code, str(exc))
    log.info("callback %s claimed", callback_id, extra={"username": username, "event": "callback"})
    body = {**as_json(record, hub.clock()), "contact": open_contact(sealed, key)}
    return web.json_response({"callback": body})


async def release(request: web.Request) -> web.Response:
    return _change(
        request, "released", lambda hub, user, cid: hub.store.callbacks.release(cid, user)
    )


async def done(request: web.Request) -> web.Response:
    return _change(
        request,
        "done",
        lambda hub, user, cid: hub.store.callbacks.done(cid, user, at=utc_iso(hub.clock())),
    )


async def no_answer(request: web.Request) -> web.Response:
    return _change(
        request,
        "not answered",
        lambda hub, user, cid: hub.store.callbacks.no_answer(
            cid,
            user,
            at=utc_iso(hub.clock()),
            attempts=hub.config.appointments.callback_attempts,
        ),
    )


def _change(
    request: web.Request,
    what: str,
    change: Callable[[HubContext, str, str], CallbackRecord],
) -> web.Response:
    """One action of the advisor who holds the callback; 409 naming why for anyone else."""
    hub, username, callback_id = _theirs(request)
    try:
        record = change(hub, username, callback_id)
    except CallbackRefused as exc:
        return _problem(409, exc.code, str(exc))
    log.info(
        "callback %s %s (%s)",
        callback_id,
        what,
        record.status,
        extra={"username": username, "event": "callback"},
    )
    return web.json_response({"callback": as_json(record, hub.clock())})


CALLBACK_ROUTES: tuple[Route, ...] = (
    Route("GET", "/api/advisor/callbacks", listed, ADVISOR),
    Route("POST", "/api/advisor/callbacks/{id}/claim", claim, ADVISOR),
    Route("POST", "/api/advisor/callbacks/{id}/release", release, ADVISOR),
    Route("POST", "/api/advisor/callbacks/{id}/done", done, ADVISOR),
    Route("POST", "/api/advisor/callbacks/{id}/no-answer", no_answer, ADVISOR),
)
