"""Advisors' schedules: the week's slots, adding and removing a slot (docs/appointments.md).

An advisor sees and changes only their own slots, and adds them only on lines they answer
(`[lines.<id>] advisors`); an admin may do so for any advisor. The access middleware has
already checked the role and, for a POST or DELETE, the CSRF token.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, time, timedelta
from typing import Any

from aiohttp import web

from hub.auth import StaffIdentity, staff
from hub.config import HubConfig
from hub.context import HUB
from hub.hours import HELSINKI, utc_iso
from hub.intake import BadJson, Refused, json_body
from hub.store.appointments import Slot, SlotRefused

log = logging.getLogger(__name__)

#: How far ahead a slot may be added.
MAX_DAYS_AHEAD = 366
MINUTES_RANGE = (5, 240)


def error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": message, "code": code}, status=status)


async def object_body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object; 400 when it is no JSON, 422 when it is not an object."""
    try:
        body = await json_body(request)
    except BadJson as exc:
        raise web.HTTPBadRequest(
            text=json.dumps({"error": str(exc), "code": "bad-request"}),
            content_type="application/json",
        ) from None
    if not isinstance(body, dict):
        raise Refused("", "the body must be a JSON object")
    return body


def advisors(config: HubConfig) -> list[str]:
    """Everyone named as an advisor of a service line (interpreter lines are not booked)."""
    return sorted(
        {name for line in config.lines if not line.interpreting for name in line.advisors}
    )


def lines_of(config: HubConfig, advisor: str) -> list[str]:
    """The service lines `advisor` answers: where their slots may be."""
    return [line.id for line in config.lines if not line.interpreting and advisor in line.advisors]


def whose(identity: StaffIdentity, asked: str | None, config: HubConfig) -> str:
    """The advisor a request is about: an advisor's own name (403 for another's), or the one
    an admin names (by default the first configured advisor)."""
    own = identity.user.username
    if identity.user.role != "admin":
        if asked not in (None, "", own):
            raise web.HTTPForbidden(
                text='{"error": "an advisor sees only their own schedule", "code": "forbidden"}',
                content_type="application/json",
            )
        return own
    if asked:
        return asked
    names = advisors(config)
    return names[0] if names else own


def parse_time(value: object, field: str) -> datetime:
    """An ISO 8601 time with its offset (or Z), as UTC; Refused naming `field` otherwise."""
    if not isinstance(value, str) or len(value) > 40:
        raise Refused(field, "must be an ISO 8601 time such as 2026-12-07T08:00:00.000Z")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Refused(field, "is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise Refused(field, "must carry its offset from UTC (or Z)")
    return moment


def week_start(text: str | None, now: datetime) -> date:
    """The Monday of an ISO week `2026-W50` (Helsinki), or of this week."""
    if not text:
        today = now.astimezone(HELSINKI).date()
        return today - timedelta(days=today.weekday())
    try:
        year, week = text.split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise Refused("week", "must be an ISO week such as 2026-W50") from None


def day_range(day: date, days: int = 1) -> tuple[datetime, datetime]:
    """From midnight of `day` in Helsinki, `days` days on (a day with a clock change is 23 or
    25 hours long)."""
    start = datetime.combine(day, time(), HELSINKI)
    end = datetime.combine(day + timedelta(days=days), time(), HELSINKI)
    return start, end


def slot_json(slot: Slot) -> dict[str, Any]:
    booking = slot.booking
    return {
        "id": slot.id,
        "advisor": slot.advisor,
        "line": slot.line,
        "starts_at": utc_iso(slot.starts_at),
        "ends_at": utc_iso(slot.ends_at),
        "booking": None
        if booking is None
        else {
            "id": booking.id,
            "status": booking.status,
            "language": booking.language,
            "topic": booking.topic,
        },
    }


async def week(request: web.Request) -> web.Response:
    """GET /api/schedule?week=2026-W50[&advisor=NAME]"""
    hub = request.app[HUB]
    identity = staff(request)
    advisor = whose(identity, request.query.get("advisor"), hub.config)
    monday = week_start(request.query.get("week"), hub.clock())
    start, end = day_range(monday, 7)
    slots = hub.store.appointments.slots(start, end, advisor=advisor)
    iso = monday.isocalendar()
    return web.json_response(
        {
            "week": f"{iso.year}-W{iso.week:02d}",
            "advisor": advisor,
            "advisors": advisors(hub.config) if identity.user.role == "admin" else [advisor],
            "lines": lines_of(hub.config, advisor),
            "slot_minutes": hub.config.appointments.slot_minutes,
            "slots": [slot_json(slot) for slot in slots],
        }
    )


async def add_slot(request: web.Request) -> web.Response:
    """POST /api/schedule/slots {"line", "starts_at", "minutes"?, "advisor"? (admin)}"""
    hub = request.app[HUB]
    identity = staff(request)
    body = await object_body(request)
    asked = body.get("advisor")
    if asked is not None and not isinstance(asked, str):
        raise Refused("advisor", "must be a username")
    if identity.user.role == "admin" and not asked:
        raise Refused("advisor", "an admin names the advisor whose slot it is")
    advisor = whose(identity, asked, hub.config)
    line = body.get("line")
    if not isinstance(line, str) or line not in lines_of(hub.config, advisor):
        raise Refused("line", f"must be a service line that {advisor} answers")
    now = hub.clock()
    starts_at = parse_time(body.get("starts_at"), "starts_at")
    if starts_at <= now:
        raise Refused("starts_at", "is in the past")
    if starts_at > now + timedelta(days=MAX_DAYS_AHEAD):
        raise Refused("starts_at", f"is more than {MAX_DAYS_AHEAD} days ahead")
    minutes = body.get("minutes", hub.config.appointments.slot_minutes)
    low, high = MINUTES_RANGE
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not low <= minutes <= high:
        raise Refused("minutes", f"must be a whole number of minutes from {low} to {high}")
    try:
        slot = hub.store.appointments.add_slot(
            advisor,
            line,
            starts_at,
            starts_at + timedelta(minutes=minutes),
            by=identity.user.username,
            at=now,
        )
    except SlotRefused:
        raise Refused("starts_at", f"overlaps another slot of {advisor}") from None
    log.info("slot %s added for %s", slot.id, advisor, extra={"username": identity.user.username})
    return web.json_response(slot_json(slot), status=201)


async def remove_slot(request: web.Request) -> web.Response:
    """DELETE /api/schedule/slots/{id}"""
    hub = request.app[HUB]
    identity = staff(request)
    slot = hub.store.appointments.slot(request.match_info["id"])
    if slot is None:
        return error(404, "no_slot", "no such slot")
    if identity.user.role != "admin" and slot.advisor != identity.user.username:
        return error(403, "forbidden", "an advisor removes only their own slots")
    try:
        hub.store.appointments.remove_slot(slot.id)
    except SlotRefused:
        return error(409, "booked", "a booking holds this slot; cancel the booking first")
    log.info("slot %s removed", slot.id, extra={"username": identity.user.username})
    return web.Response(status=204)
