"""An advisor's slots as a private iCalendar feed (RFC 5545), for their own calendar app.

The feed's address holds a random token, the only credential it needs (a calendar app cannot
log in); the hub keeps only the token's SHA-256, and making a new address ends the old one.
The feed names no citizen: a booked slot says its topic and language, never a contact.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from aiohttp import web
from icalendar import Calendar, Event

from hub.accounts import new_secret, sha256_hex
from hub.appointments.schedule import whose
from hub.appointments.topics import TOPICS
from hub.auth import staff
from hub.config import HubConfig
from hub.context import HUB
from hub.store.appointments import Slot

log = logging.getLogger(__name__)

PRODID = "-//Helsinki e-kiosk//kiosk-hub schedule//EN"
#: The feed spans this much of the past and of the future.
PAST = timedelta(days=7)
FUTURE = timedelta(days=60)
STATUS_WORDS = {
    "booked": "booked",
    "arrived": "the citizen has arrived",
    "served": "served",
    "no_show": "the citizen did not come",
}


def feed(config: HubConfig, advisor: str, slots: list[Slot], now: datetime) -> bytes:
    """The VCALENDAR of `slots`: one VEVENT each, its UID the slot's id, times in UTC."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Video appointments: {advisor}")
    for slot in slots:
        line = config.line(slot.line)
        line_name = line.name("en") if line is not None else slot.line
        event = Event()
        event.add("uid", slot.id)
        event.add("dtstamp", now)
        event.add("dtstart", slot.starts_at)
        event.add("dtend", slot.ends_at)
        booking = slot.booking
        if booking is None:
            event.add("summary", f"Free slot: {line_name}")
            event.add("description", "Nobody has booked this slot yet.")
            event.add("transp", "TRANSPARENT")
        else:
            topic = TOPICS.get(booking.topic, {}).get("en", booking.topic)
            event.add("summary", f"Video appointment: {line_name}")
            event.add(
                "description",
                f"Topic: {topic}\nLanguage: {booking.language}\n"
                f"Status: {STATUS_WORDS.get(booking.status, booking.status)}",
            )
            event.add("transp", "OPAQUE")
        calendar.add_component(event)
    return bytes(calendar.to_ical())


async def new_feed(request: web.Request) -> web.Response:
    """POST /api/schedule/feed[?advisor=NAME] → {"url"}: a new address, the old one ended."""
    hub = request.app[HUB]
    identity = staff(request)
    advisor = whose(identity, request.query.get("advisor"), hub.config)
    token = new_secret()
    hub.store.appointments.set_feed(advisor, sha256_hex(token), at=hub.clock())
    log.info("a new calendar feed for %s", advisor, extra={"username": identity.user.username})
    base = hub.config.public_url.rstrip("/") or str(request.url.origin())
    return web.json_response({"url": f"{base}/calendar/{token}.ics"})


async def calendar_feed(request: web.Request) -> web.Response:
    """GET /calendar/{token}.ics (public: the token is the credential)."""
    hub = request.app[HUB]
    advisor = hub.store.appointments.feed_advisor(sha256_hex(request.match_info["token"]))
    if advisor is None:
        return web.json_response({"error": "no such calendar", "code": "no_feed"}, status=404)
    now = hub.clock()
    slots = hub.store.appointments.slots(now - PAST, now + FUTURE, advisor=advisor)
    return web.Response(
        body=feed(hub.config, advisor, slots, now),
        content_type="text/calendar",
        charset="utf-8",
    )
