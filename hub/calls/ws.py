"""The call WebSockets: `/ws/kiosk` and `/ws/advisor`, as docs/call-protocol.md describes them.

The access middleware has already checked the credential (route table in hub.routes); the
advisor's handler also checks the `Origin` header, since browsers send no CSRF token on a
WebSocket. Each handler turns a message into one switchboard operation through the app's
`CallDesk` (hub.calls.desk), which runs it wherever the switchboard is hosted (hub.cluster)
and delivers what follows, and gives the desk a check of its credential, so that the socket
closes when the session or token ends. A message is checked here, on the instance holding the
socket, before it becomes an operation (hub.calls.operations).

A message that is not a JSON object with a text `type` (invalid JSON, NaN, nested deeper than
`MAX_DEPTH`, a list) gets an `error` and the socket stays; nothing a message holds drops it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from aiohttp import WSCloseCode, WSMsgType, web

from hub.accounts import same
from hub.auth import kiosk, staff
from hub.calls import Effects, Message, Party, advisor
from hub.calls import kiosk as kiosk_party
from hub.calls.connection import Connection
from hub.calls.desk import DESK, CallDesk, error
from hub.calls.operations import (
    ADVISOR_TYPES,
    GUEST_TYPES,
    KIOSK_TYPES,
    MAX_CODE_CHARS,
    SIGNALS,
    BadRequest,
    advisor_request,
    booking_code,
    citizen_request,
)
from hub.context import HUB
from hub.hours import utc_iso

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 64 * 1024
#: Deeper than any message of the protocol (an ICE candidate is two levels).
MAX_DEPTH = 16
__all__ = [
    "ADVISOR_TYPES",
    "GUEST_TYPES",
    "KIOSK_TYPES",
    "MAX_CODE_CHARS",
    "SIGNALS",
    "BadRequest",
    "booking_code",
]


async def kiosk_socket(request: web.Request) -> web.StreamResponse:
    record = kiosk(request).kiosk
    desk = request.app[DESK]
    ws = socket(desk)
    if not ws.can_prepare(request).ok:
        return web.json_response({"error": "a WebSocket upgrade is expected here"}, status=400)
    await ws.prepare(request)
    party = kiosk_party(record.kiosk_id)
    hub = request.app[HUB]

    def token_holds() -> bool:
        now = hub.store.kiosk(record.kiosk_id)
        return now is not None and not now.revoked and same(now.token_hash, record.token_hash)

    connection = await desk.attach(party, ws, token_holds)
    connection.send(
        {
            "type": "hello",
            "ice_servers": hub.config.ice_servers(record.kiosk_id, hub.clock()),
            # Interpreter lines are for advisors to invite, not for citizens to call.
            "lines": desk.switchboard.service_lines,
            "resume_seconds": desk.switchboard.resume_seconds,
        }
    )
    desk.joined(connection, name=record.name, location=record.location)
    log.info("kiosk socket open", extra={"kiosk_id": record.kiosk_id})
    await serve(desk, connection, lambda m: checked(desk, party, m))
    log.info("kiosk socket closed", extra={"kiosk_id": record.kiosk_id})
    return ws


async def advisor_socket(request: web.Request) -> web.StreamResponse:
    identity = staff(request)
    username = identity.user.username
    desk = request.app[DESK]
    hub = request.app[HUB]
    ws = socket(desk)
    if not ws.can_prepare(request).ok:
        return web.json_response({"error": "a WebSocket upgrade is expected here"}, status=400)
    if not own_origin(request):
        log.info("advisor socket from another origin refused", extra={"username": username})
        return web.json_response({"error": "cross-site WebSocket refused"}, status=403)
    if not any(username in line.advisors for line in hub.config.lines):
        return web.json_response({"error": f"{username} answers no service line"}, status=403)
    await ws.prepare(request)
    party = advisor(username)

    def session_holds() -> bool:
        session = hub.store.session(identity.session_hash, now=utc_iso(hub.clock()))
        return session is not None and session.user.role == identity.user.role

    connection = await desk.attach(party, ws, session_holds)
    connection.send(
        {
            "type": "hello",
            "ice_servers": hub.config.ice_servers(username, hub.clock()),
            "lines": desk.switchboard.lines,
            "resume_seconds": desk.switchboard.resume_seconds,
            "line_names": {line.id: line.name_fi for line in hub.config.lines},
            "line_kinds": {
                line.id: "interpreter" if line.interpreting else "service"
                for line in hub.config.lines
            },
            "username": username,
            "ping_seconds": desk.heartbeat_s,
        }
    )
    desk.joined(connection)
    log.info("advisor socket open", extra={"username": username})
    await serve(desk, connection, lambda m: checked(desk, party, m))
    log.info("advisor socket closed", extra={"username": username})
    return ws


def socket(desk: CallDesk) -> web.WebSocketResponse:
    return web.WebSocketResponse(heartbeat=desk.heartbeat_s, max_msg_size=MAX_MESSAGE_BYTES)


def own_origin(request: web.Request) -> bool:
    """The browser's page is the hub's own: public_url, or the address it was reached at."""
    origin = request.headers.get("Origin")
    if not origin:
        return False
    public = request.app[HUB].config.public_url.rstrip("/")
    return origin in (public, f"{request.scheme}://{request.host}")


Screen = Callable[[Message], Effects | None]
"""A socket's check of a message: `BadRequest` when it is wrong, effects to carry out here
when it is refused before the switchboard (a limit of the home socket), else None."""


def checked(desk: CallDesk, me: Party, message: Message) -> Effects | None:
    """A kiosk's or advisor's message checked as the switchboard's operation would read it."""
    if me.kind == "advisor":
        advisor_request(desk.switchboard, me.id, message)
    else:
        citizen_request(desk.switchboard, desk.booked_call, me, message)
    return None


async def serve(desk: CallDesk, connection: Connection, screen: Screen) -> None:
    """Read messages until the socket closes or its heartbeat is lost; then the party left:
    gone when the client closed the socket itself, away when it was lost."""
    ws = connection.ws
    try:
        while True:
            frame = await ws.receive()
            if frame.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
                if frame.type is WSMsgType.CLOSE and frame.data != WSCloseCode.ABNORMAL_CLOSURE:
                    connection.goodbye = True  # the client's own close frame
                break
            if not desk.valid(connection):
                break
            if frame.type is not WSMsgType.TEXT:
                if frame.type is WSMsgType.BINARY:
                    connection.send(error("text frames only: one JSON object each"))
                elif frame.type is WSMsgType.ERROR:  # too big, say: aiohttp closes it, with why
                    log.info("call socket failed", extra={"error": str(frame.data)})
                continue
            request_id: object = None
            try:
                message = parse_message(frame.data)
                request_id = message.get("id")
                if message.get("type") == "ping":
                    # The other end checking that the hub still answers (browsers cannot see
                    # WebSocket pings): answered by the socket layer, nothing else changes.
                    connection.send({"type": "pong", "id": request_id})
                    continue
                refused = screen(message)
                if refused is not None:
                    desk.carry_out(refused)
                else:
                    desk.said(connection, message)
            except BadRequest as refused_message:
                connection.send(error(str(refused_message), request_id))
            except Exception:
                # A bug met by an odd message: that message fails, the socket and its call stay.
                log.exception("a %s message could not be handled", connection.party.kind)
                connection.send(error("the hub could not handle this message", request_id))
    finally:
        desk.detach(connection)
        await connection.close()


def parse_message(text: str) -> Message:
    """A message's JSON object, or `BadRequest` saying what is wrong with the text."""
    try:
        message = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise BadRequest(f"nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:
        raise BadRequest(str(exc) if isinstance(exc, BadRequest) else "not JSON") from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise BadRequest("a message must be a JSON object with a type (text)")
    if _depth(message) > MAX_DEPTH:
        raise BadRequest(f"nested deeper than {MAX_DEPTH} levels")
    return message


def _no_constant(name: str) -> object:
    raise BadRequest(f"{name} is not a number JSON allows")


def _depth(value: object) -> int:
    deepest, level = 0, [value]
    while level and deepest <= MAX_DEPTH:
        deepest += 1
        level = [
            item
            for container in level
            if isinstance(container, dict | list)
            for item in (container.values() if isinstance(container, dict) else container)
            if isinstance(item, dict | list)
        ]
    return deepest
