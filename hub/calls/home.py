"""Video advice from home: the public socket `/ws/home` and its limits (docs/appointments.md).

A browser on the public page `/call` speaks the kiosk's side of docs/call-protocol.md: the
switchboard treats it as a citizen's end with channel "home", a random `home-<hex>` id for as
long as the socket lives, and no name or place (advisors see "from home"). Nothing logs in, so
what one client address may ask is bounded (`[home]` of hub.toml, hub.calls.limits): open
sockets (one more is closed with 1008), calls and booking codes per hour (`ended` with
`rate_limited`); the switchboard caps the home callers waiting on a line (`queue_full`).
"""

from __future__ import annotations

import logging
import secrets

from aiohttp import WSCloseCode, web

from hub.auth import PUBLIC, client_address
from hub.calls.desk import DESK, CallDesk, refusal
from hub.calls.model import Effects, Message, Party, home
from hub.calls.operations import booking_code, citizen_request
from hub.calls.ws import own_origin, serve, socket
from hub.context import HUB
from hub.route import Route

log = logging.getLogger(__name__)

#: The `ended` reason of a call over an address's hourly limit of calls or booking codes.
RATE_LIMITED = "rate_limited"
TOO_MANY_SOCKETS = b"too many open calls from this address"


def new_party() -> Party:
    """A home caller's party: random, so that nothing links two visits."""
    return home(f"home-{secrets.token_hex(16)}")


async def home_socket(request: web.Request) -> web.StreamResponse:
    hub = request.app[HUB]
    if not hub.config.home.enabled:
        return web.json_response({"error": "video advice from home is not offered"}, status=404)
    desk = request.app[DESK]
    ws = socket(desk)
    if not ws.can_prepare(request).ok:
        return web.json_response({"error": "a WebSocket upgrade is expected here"}, status=400)
    if "Origin" in request.headers and not own_origin(request):
        # Another site's page may not spend its visitors' addresses' share of calls.
        return web.json_response({"error": "cross-site WebSocket refused"}, status=403)
    address = client_address(request)
    limits = desk.home_limits
    await ws.prepare(request)
    if not limits.open_socket(address):
        log.info("home socket refused: too many open from one address")
        await ws.close(code=WSCloseCode.POLICY_VIOLATION, message=TOO_MANY_SOCKETS)
        return ws
    try:
        party = new_party()
        connection = await desk.attach(party, ws)
        connection.send(
            {
                "type": "hello",
                "ice_servers": hub.config.ice_servers(party.id, hub.clock()),
                "lines": desk.switchboard.service_lines,
                "resume_seconds": desk.switchboard.resume_seconds,
            }
        )
        desk.joined(connection, channel="home")
        log.info("home socket open")
        await serve(desk, connection, lambda m: home_request(desk, party, address, m))
        log.info("home socket closed")
    finally:
        limits.close_socket(address)
    return ws


def home_request(desk: CallDesk, me: Party, address: str, message: Message) -> Effects | None:
    """A home caller's message checked as the kiosk's, with a call counted against the address
    here, on the instance holding the socket: a call over the limit is refused at once."""
    citizen_request(desk.switchboard, desk.booked_call, me, message)
    if message.get("type") != "call":
        return None
    limits, now = desk.home_limits, desk.now()
    if not limits.calls.allow(address, now):
        return refusal(me, RATE_LIMITED)
    if booking_code(message) is not None and not limits.codes.allow(address, now):
        return refusal(me, RATE_LIMITED)
    return None


HOME_ROUTES: tuple[Route, ...] = (Route("GET", "/ws/home", home_socket, frozenset({PUBLIC})),)
