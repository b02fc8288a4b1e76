"""Who is asking, and may they: the access middleware that enforces the route table.

A request is a staff member's (a session cookie from /login), a kiosk's (`Authorization: Bearer
<token>` with `X-Kiosk-Id`), or nobody's. Each route lists who may use it; the middleware answers
401 when a route needs a credential and none (or a bad one) came, 403 when the credential is of
the wrong kind or role, and 403 when a staff member's state-changing request lacks the session's
CSRF token (header `X-CSRF-Token` or form field `csrf_token`). A credential whose bytes are not
UTF-8 is no credential. The client's address (`client_address`) is the peer's, or what a
configured trusted proxy says in X-Forwarded-For; the middleware puts it on the request's log lines.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from http.cookies import CookieError

from aiohttp import web

from hub.accounts import KIOSK_ID, kiosk_for_token, new_secret, same, sha256_hex
from hub.context import ACCESS, HUB, HubContext
from hub.hours import utc_iso
from hub.logs import CLIENT
from hub.store import ROLES, KioskRecord, User

log = logging.getLogger(__name__)

PUBLIC = "public"
KIOSK = "kiosk"
STAFF = frozenset(ROLES)
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class StaffIdentity:
    user: User
    csrf_token: str
    session_hash: str

    @property
    def kind(self) -> str:
        return self.user.role


@dataclass(frozen=True)
class KioskIdentity:
    kiosk: KioskRecord

    @property
    def kind(self) -> str:
        return KIOSK


Identity = StaffIdentity | KioskIdentity
_IDENTITY = web.RequestKey("identity", object)


def current(request: web.Request) -> Identity | None:
    """Whoever the access middleware found behind the request, if anyone."""
    found = request.get(_IDENTITY)
    return found if isinstance(found, StaffIdentity | KioskIdentity) else None


def staff(request: web.Request) -> StaffIdentity:
    """The staff member behind a request to a staff-only route."""
    found = request.get(_IDENTITY)
    if not isinstance(found, StaffIdentity):
        raise web.HTTPUnauthorized()
    return found


def kiosk(request: web.Request) -> KioskIdentity:
    """The kiosk behind a request to a kiosk-only route."""
    found = request.get(_IDENTITY)
    if not isinstance(found, KioskIdentity):
        raise web.HTTPUnauthorized()
    return found


def identify(request: web.Request) -> Identity | None:
    hub = request.app[HUB]
    authorization = request.headers.get("Authorization", "")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        kiosk_id = request.headers.get("X-Kiosk-Id", "")
        if scheme.lower() != "bearer" or not token.strip() or not _readable(token, kiosk_id):
            return None
        found = kiosk_for_token(hub.store, kiosk_id, token.strip())
        if found is None:
            shown = kiosk_id if KIOSK_ID.fullmatch(kiosk_id) else "(not a kiosk id)"
            log.info("kiosk token refused", extra={"kiosk_id": shown})
        return KioskIdentity(found) if found else None
    try:
        session_id = request.cookies.get(hub.cookie_name)
    except (CookieError, ValueError):
        return None
    if not session_id or not _readable(session_id):
        return None
    session_hash = sha256_hex(session_id)
    session = hub.store.session(session_hash, now=utc_iso(hub.clock()))
    return StaffIdentity(session.user, session.csrf_token, session_hash) if session else None


def _readable(*texts: str) -> bool:
    """The header values were UTF-8 (aiohttp keeps other bytes as lone surrogates)."""
    try:
        for text in texts:
            text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_CLIENT = web.RequestKey("client", str)


def client_address(request: web.Request) -> str:
    """The address of whoever sent the request: the peer's, or, when the peer is a trusted
    proxy ([access] trusted_proxies), the nearest address in X-Forwarded-For that is not."""
    known = request.get(_CLIENT)
    if isinstance(known, str):
        return known
    address = request.remote or ""
    proxies = request.app[HUB].config.access.trusted_proxies
    if proxies and _among(address, proxies):
        hops = [
            hop.strip()
            for value in request.headers.getall("X-Forwarded-For", [])
            for hop in value.split(",")
        ]
        for hop in reversed(hops):
            try:
                parsed = ipaddress.ip_address(hop)
            except ValueError:
                break  # not an address: believe no further than the proxy that added it
            address = str(parsed)
            if not _among(address, proxies):
                break
    request[_CLIENT] = address
    return address


def _among(
    address: str, networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in networks)


def _refuse(request: web.Request, status: int, message: str) -> web.Response:
    if "text/html" in request.headers.get("Accept", ""):
        link = ' <a href="/login">Kirjaudu / Log in</a>' if status == 401 else ""
        body = f"<!doctype html><title>{status}</title><p>{message}.{link}</p>"
        return web.Response(status=status, text=body, content_type="text/html")
    response = web.json_response({"error": message}, status=status)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="kiosk-hub"'
    return response


@web.middleware
async def access_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    token = CLIENT.set(client_address(request))
    try:
        return await _checked(request, handler)
    finally:
        CLIENT.reset(token)


async def _checked(request: web.Request, handler: Handler) -> web.StreamResponse:
    route = request.match_info.route
    resource = route.resource
    if resource is None:  # no such path or method: let aiohttp answer 404 or 405
        return await handler(request)
    allowed = request.app[ACCESS].get((route.method, resource.canonical))
    if allowed is None:  # a route outside the table: nobody may use it
        return _refuse(request, 403, "forbidden")
    identity = identify(request)
    if identity is not None:
        request[_IDENTITY] = identity
    if PUBLIC in allowed:
        return await handler(request)
    if identity is None:
        return _refuse(request, 401, "login required")
    if identity.kind not in allowed:
        log.info(
            "forbidden", extra={"path": resource.canonical, "role": identity.kind, "status": 403}
        )
        return _refuse(request, 403, "forbidden")
    if (
        isinstance(identity, StaffIdentity)
        and request.method in UNSAFE_METHODS
        and not await _csrf_ok(request, identity)
    ):
        return _refuse(request, 403, "missing or wrong CSRF token")
    return await handler(request)


async def _csrf_ok(request: web.Request, identity: StaffIdentity) -> bool:
    given = request.headers.get(CSRF_HEADER, "")
    if not given and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        form = await request.post()
        field = form.get(CSRF_FIELD, "")
        given = field if isinstance(field, str) else ""
    return bool(given) and same(given, identity.csrf_token)


def start_session(hub: HubContext, response: web.StreamResponse, user: User) -> str:
    """Store a new session for `user`, set its cookie on `response`; returns its CSRF token."""
    session_id, csrf_token = new_secret(), new_secret()
    now = hub.clock()
    lifetime = timedelta(hours=hub.config.session_hours)
    hub.store.add_session(
        sha256_hex(session_id),
        user.username,
        csrf_token,
        at=utc_iso(now),
        expires_at=utc_iso(now + lifetime),
    )
    response.set_cookie(
        hub.cookie_name,
        session_id,
        max_age=int(lifetime.total_seconds()),
        path="/",
        secure=hub.config.cookie_secure,
        httponly=True,
        samesite="Strict",
    )
    return csrf_token


def end_session(hub: HubContext, response: web.StreamResponse, identity: StaffIdentity) -> None:
    hub.store.delete_session(identity.session_hash)
    response.del_cookie(
        hub.cookie_name,
        path="/",
        secure=hub.config.cookie_secure,
        httponly=True,
        samesite="Strict",
    )


def same_origin(request: web.Request) -> bool:
    """False when the browser says the request comes from another site's page."""
    origin = request.headers.get("Origin")
    if origin is None:
        return request.headers.get("Sec-Fetch-Site", "same-origin") in ("same-origin", "none")
    public = request.app[HUB].config.public_url.rstrip("/")
    return origin in (public, f"{request.scheme}://{request.host}")
