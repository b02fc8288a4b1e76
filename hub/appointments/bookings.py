"""Bookings of advisors' slots: book, use a code, no-shows, retention (docs/appointments.md).

A kiosk lists a line's free slots (no advisor names) and books one; the citizen leaves with an
8-digit code, which the hub keeps only as its SHA-256. An optional contact comes sealed to the
hub's key and is opened only for the advisor who holds the slot, in their list of the day's
appointments. The sweep marks codes never used as no-shows and deletes contacts that are due.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from datetime import date, datetime, timedelta
from typing import Any

from aiohttp import web
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, SealedBox

from hub.appointments.schedule import day_range, error, object_body, whose
from hub.appointments.topics import TOPICS
from hub.auth import kiosk, staff
from hub.context import HUB, HubContext
from hub.delivery.service import DELIVERY
from hub.hours import HELSINKI, utc_iso
from hub.intake import Refused
from hub.store.appointments import Booking, BookingFailed

log = logging.getLogger(__name__)

#: Free slots are offered from this long ahead: a citizen needs time to get to a kiosk.
LEAD = timedelta(minutes=30)
MAX_SLOTS = 200
#: A sealed box adds 48 bytes (an ephemeral key and a MAC) to {"phone": ...} or {"email": ...}.
SEALED_MIN, SEALED_MAX = 48 + 12, 48 + 400


def _booking_json(booking: Booking, code: str, hub: HubContext) -> dict[str, Any]:
    settings = hub.config.appointments
    return {
        "booking": booking.id,
        "code": code,
        "line": booking.line,
        "starts_at": utc_iso(booking.starts_at),
        "ends_at": utc_iso(booking.ends_at),
        "valid_from": utc_iso(booking.starts_at - timedelta(minutes=settings.early_minutes)),
        "valid_until": utc_iso(booking.starts_at + timedelta(minutes=settings.late_minutes)),
    }


def _bookable_line(hub: HubContext, value: object) -> str:
    line = hub.config.line(value) if isinstance(value, str) else None
    if line is None or line.interpreting:
        raise Refused("line", "must be a service line")
    return line.id


async def free_slots(request: web.Request) -> web.Response:
    """GET /api/kiosk/slots?line=ID"""
    hub = request.app[HUB]
    line = _bookable_line(hub, request.query.get("line"))
    now = hub.clock()
    slots = hub.store.appointments.free_slots(
        line,
        now + LEAD,
        now + timedelta(days=hub.config.appointments.book_days_ahead),
        limit=MAX_SLOTS,
    )
    return web.json_response(
        {
            "line": line,
            "slots": [
                {"id": s.id, "starts_at": utc_iso(s.starts_at), "ends_at": utc_iso(s.ends_at)}
                for s in slots
            ],
            "at": utc_iso(now),
        }
    )


def _contact_sealed(value: object) -> bytes | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > SEALED_MAX * 2:
        raise Refused("contact_sealed", "must be a sealed box in base64")
    try:
        sealed = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise Refused("contact_sealed", "is not base64") from None
    if not SEALED_MIN <= len(sealed) <= SEALED_MAX:
        raise Refused(
            "contact_sealed", f"a sealed contact is {SEALED_MIN} to {SEALED_MAX} bytes long"
        )
    return sealed


async def book(request: web.Request) -> web.Response:
    """POST /api/kiosk/bookings {"slot", "language", "topic", "contact_sealed"?}"""
    hub = request.app[HUB]
    kiosk_id = kiosk(request).kiosk.kiosk_id
    body = await object_body(request)
    slot_id = body.get("slot")
    if not isinstance(slot_id, str) or not slot_id or len(slot_id) > 64:
        raise Refused("slot", "must be a slot's id")
    now = hub.clock()
    slot = hub.store.appointments.slot(slot_id)
    bookable_until = now + timedelta(days=hub.config.appointments.book_days_ahead)
    if slot is None or not now + LEAD <= slot.starts_at < bookable_until:
        return error(404, "no_slot", "no such slot to book (removed, or no longer ahead)")
    line = hub.config.line(slot.line)
    languages = line.languages if line is not None else ()
    language = body.get("language")
    if not isinstance(language, str) or language not in languages:
        raise Refused("language", f"must be one of {', '.join(languages)}")
    topic = body.get("topic")
    if not isinstance(topic, str) or topic not in TOPICS:
        raise Refused("topic", f"must be one of {', '.join(TOPICS)}")
    contact = _contact_sealed(body.get("contact_sealed"))
    try:
        booking, code = hub.store.appointments.book(
            slot.id,
            language=language,
            topic=topic,
            kiosk_id=kiosk_id,
            contact_sealed=contact,
            at=now,
        )
    except BookingFailed as exc:
        if exc.reason == "slot_taken":
            return error(409, "slot_taken", "somebody booked this slot a moment ago")
        return error(404, "no_slot", "no such slot to book")
    log.info("slot %s booked: booking %s", slot.id, booking.id, extra={"kiosk_id": kiosk_id})
    return web.json_response(_booking_json(booking, code, hub), status=201)


def _opened(key: PrivateKey | None, booking: Booking) -> dict[str, str] | None:
    """The booking's contact, opened with the hub's key; None if none (or it cannot be)."""
    if booking.contact_sealed is None or key is None:
        return None
    try:
        found = json.loads(SealedBox(key).decrypt(booking.contact_sealed))
    except (CryptoError, ValueError):
        log.warning("the contact of booking %s cannot be opened", booking.id)
        return None
    if not isinstance(found, dict):
        return None
    return {k: v for k, v in found.items() if k in ("phone", "email") and isinstance(v, str)}


async def appointments(request: web.Request) -> web.Response:
    """GET /api/advisor/appointments?day=2026-12-07[&advisor=NAME (admin)]"""
    hub = request.app[HUB]
    identity = staff(request)
    advisor = whose(identity, request.query.get("advisor"), hub.config)
    text = request.query.get("day")
    try:
        day = date.fromisoformat(text) if text else hub.clock().astimezone(HELSINKI).date()
    except ValueError:
        raise Refused("day", "must be a date such as 2026-12-07") from None
    start, end = day_range(day)
    # Only the advisor who holds the slot sees the contact: an admin listing it does not.
    key = request.app[DELIVERY].key if advisor == identity.user.username else None
    listed = [
        {
            "booking": b.id,
            "slot": b.slot_id,
            "line": b.line,
            "starts_at": utc_iso(b.starts_at),
            "ends_at": utc_iso(b.ends_at),
            "status": b.status,
            "language": b.language,
            "topic": b.topic,
            "channel": b.arrived_channel,
            "contact": _opened(key, b),
        }
        for b in hub.store.appointments.bookings(advisor, start, end)
    ]
    return web.json_response({"day": day.isoformat(), "advisor": advisor, "appointments": listed})


async def cancel(request: web.Request) -> web.Response:
    """POST /api/schedule/bookings/{id}/cancel (admin): the slot is free again."""
    hub = request.app[HUB]
    identity = staff(request)
    booking_id = request.match_info["id"]
    outcome = hub.store.appointments.cancel(booking_id, hub.clock())
    if outcome == "unknown":
        return error(404, "no_booking", "no such booking")
    if outcome == "over":
        return error(409, "over", "this booking is already served, missed or cancelled")
    log.info("booking %s cancelled", booking_id, extra={"username": identity.user.username})
    return web.json_response({"booking": booking_id, "status": "cancelled"})


def sweep(hub: HubContext, now: datetime) -> None:
    """Mark no-shows and delete personal data that is due (run by hub.appointments.sweeper)."""
    settings = hub.config.appointments
    store = hub.store.appointments
    for booking_id in store.mark_no_shows(now, late_minutes=settings.late_minutes):
        log.info("booking %s not kept: a no-show", booking_id)
    deleted = store.delete_contacts(now, retention_days=settings.retention_days)
    if deleted:
        log.info("the contacts of %d bookings deleted", deleted)
