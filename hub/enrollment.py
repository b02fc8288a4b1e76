"""Enrolling a kiosk with a one-time code (docs/provisioning.md).

An admin makes a code for a kiosk id (`kiosk-hub kiosk enroll-code`, or POST
/api/admin/enrollment-codes); a technician types it into `kiosk-provision` on the new box, which
sends it to POST /api/enroll and gets back the kiosk's id, token and the hub's public key.
A code is 16 characters from an alphabet without look-alikes (no 0/O, 1/I/L), written as four
groups of four: about 79 bits, typeable, too many to guess. Only its SHA-256 hash is stored; it
works once and only until it expires, and a used or expired code is refused with a message that
says so. A kiosk that is already enrolled gets a new token (a replaced box): its old token stops
working.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiohttp import web

from hub.accounts import new_secret, sha256_hex
from hub.auth import PUBLIC, staff
from hub.context import HUB
from hub.delivery.keys import public_key_text
from hub.delivery.service import DELIVERY
from hub.hours import utc_iso
from hub.intake import BadJson, clean_text, has_control, json_body
from hub.route import Route
from hub.store import HubStore
from hub.store.enrollment import EnrollmentCode

log = logging.getLogger(__name__)

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
GROUPS, GROUP_LENGTH = 4, 4
DEFAULT_HOURS = 24
MAX_HOURS = 24 * 30
#: What the kiosk's own config accepts as [kiosk] id (kiosk/config.py), so that the enrolled id
#: can be written into the kiosk's kiosk.toml as it is.
KIOSK_ID = re.compile(r"[a-z0-9-]{1,64}")
MAX_TEXT = 200

UNKNOWN = "this enrollment code is not known to the hub: check it, or ask an admin for a new one"


@dataclass(frozen=True)
class NewCode:
    code: str
    kiosk_id: str
    expires_at: str


def normalise(code: str) -> str:
    """The code as stored: upper case, spaces and dashes dropped (as a person may type it)."""
    return re.sub(r"[\s-]", "", code).upper()


def _new_code() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_LENGTH))
    return "-".join(chars[i : i + GROUP_LENGTH] for i in range(0, len(chars), GROUP_LENGTH))


def make_code(
    store: HubStore,
    kiosk_id: str,
    *,
    name: str,
    location: str,
    contact: str | None,
    created_by: str,
    at: datetime,
    hours: int = DEFAULT_HOURS,
) -> NewCode:
    """Store a new code for `kiosk_id` and return it; shown only now. ValueError names a bad
    argument. The kiosk's earlier unused codes stop working."""
    if not KIOSK_ID.fullmatch(kiosk_id):
        raise ValueError("the kiosk id must be 1 to 64 of a-z, 0-9 and - (as the kiosk's config)")
    for label, value in (("name", name), ("location", location), ("contact", contact or "")):
        if len(value) > MAX_TEXT or (label != "contact" and not value.strip()):
            raise ValueError(f"the {label} must be 1 to {MAX_TEXT} characters")
        if has_control(value):
            raise ValueError(f"the {label} must be one line without control characters")
    if not 1 <= hours <= MAX_HOURS:
        raise ValueError(f"the code must be valid for 1 to {MAX_HOURS} hours")
    code = _new_code()
    expires_at = utc_iso(at + timedelta(hours=hours))
    row = EnrollmentCode(
        kiosk_id=kiosk_id,
        name=name.strip(),
        location=location.strip(),
        contact=(contact or "").strip() or None,
        created_by=created_by,
        created_at=utc_iso(at),
        expires_at=expires_at,
        used_at=None,
    )
    store.enrollment.add(sha256_hex(normalise(code)), row)
    log.info("enrollment code made", extra={"kiosk_id": kiosk_id, "username": created_by})
    return NewCode(code, kiosk_id, expires_at)


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": message, "code": code}, status=status)


async def enroll(request: web.Request) -> web.Response:
    """Trade a one-time code for the kiosk's id, a new token and the hub's public key."""
    hub = request.app[HUB]
    try:
        body = await json_body(request)
    except BadJson:
        body = None
    given = body.get("code") if isinstance(body, dict) else None
    if not isinstance(given, str) or not given.strip() or len(given) > 64:
        return _error(400, "bad-request", 'the body must be JSON: {"code": "XXXX-XXXX-XXXX-XXXX"}')
    token = new_secret()
    outcome, code = hub.store.enrollment.redeem(
        sha256_hex(normalise(given)), sha256_hex(token), at=utc_iso(hub.clock())
    )
    if outcome == "unknown" or code is None:
        log.info("enrollment refused", extra={"reason": "unknown"})
        return _error(404, "unknown-code", UNKNOWN)
    if outcome == "used":
        log.info("enrollment refused", extra={"kiosk_id": code.kiosk_id, "reason": "used"})
        return _error(
            410,
            "code-used",
            f"this enrollment code was already used at {code.used_at}: "
            "ask an admin for a new one (kiosk-hub kiosk enroll-code)",
        )
    if outcome == "expired":
        log.info("enrollment refused", extra={"kiosk_id": code.kiosk_id, "reason": "expired"})
        return _error(
            410,
            "code-expired",
            f"this enrollment code expired at {code.expires_at}: "
            "ask an admin for a new one (kiosk-hub kiosk enroll-code)",
        )
    key = request.app[DELIVERY].key
    log.info("kiosk enrolled", extra={"kiosk_id": code.kiosk_id})
    return web.json_response(
        {
            "kiosk_id": code.kiosk_id,
            "token": token,
            "hub_public_key": public_key_text(key) if key is not None else "",
            "name": code.name,
            "location": code.location,
        }
    )


async def create_code(request: web.Request) -> web.Response:
    """An admin makes a code: {"kiosk_id", "name", "location", "contact"?, "hours"?}."""
    hub = request.app[HUB]
    identity = staff(request)
    try:
        body = await json_body(request)
    except BadJson:
        body = None
    if not isinstance(body, dict):
        return _error(400, "bad-request", "the body must be a JSON object")
    fields = {key: body.get(key) for key in ("kiosk_id", "name", "location")}
    contact, hours = body.get("contact"), body.get("hours", DEFAULT_HOURS)
    if not all(isinstance(value, str) for value in fields.values()):
        return _error(400, "bad-request", "kiosk_id, name and location are required text")
    if contact is not None and not isinstance(contact, str):
        return _error(400, "bad-request", "contact must be text")
    if not isinstance(hours, int) or isinstance(hours, bool):
        return _error(400, "bad-request", "hours must be a whole number")
    # Names go into the kiosk's config, its mails' headers and every page: one line each.
    for label in ("name", "location"):
        clean_text(fields[label], label)
    if contact is not None:
        clean_text(contact, "contact")
    try:
        made = make_code(
            hub.store,
            str(fields["kiosk_id"]),
            name=str(fields["name"]),
            location=str(fields["location"]),
            contact=contact,
            created_by=identity.user.username,
            at=hub.clock(),
            hours=hours,
        )
    except ValueError as exc:
        return _error(400, "bad-request", str(exc))
    return web.json_response(
        {"code": made.code, "kiosk_id": made.kiosk_id, "expires_at": made.expires_at}, status=201
    )


async def list_codes(request: web.Request) -> web.Response:
    """The codes made so far (never the codes themselves): whom for, by whom, used or not."""
    codes = request.app[HUB].store.enrollment.codes()
    return web.json_response(
        {
            "codes": [
                {
                    "kiosk_id": code.kiosk_id,
                    "name": code.name,
                    "location": code.location,
                    "created_by": code.created_by,
                    "created_at": code.created_at,
                    "expires_at": code.expires_at,
                    "used_at": code.used_at,
                }
                for code in codes
            ]
        }
    )


ADMIN = frozenset({"admin"})

ENROLLMENT_ROUTES: tuple[Route, ...] = (
    # Public: the one-time code in the body is the credential.
    Route("POST", "/api/enroll", enroll, frozenset({PUBLIC})),
    Route("POST", "/api/admin/enrollment-codes", create_code, ADMIN),
    Route("GET", "/api/admin/enrollment-codes", list_codes, ADMIN),
)
