"""The call WebSockets: `/ws/kiosk` and `/ws/advisor`, as docs/call-protocol.md describes them.

The access middleware has already checked the credential (route table in hub.routes); the
advisor's handler also checks the `Origin` header, since browsers send no CSRF token on a
WebSocket. Each handler turns a message into one switchboard operation through the app's
`CallDesk` (hub.calls.desk), which delivers what follows, and gives the desk a check of its
credential, so that the socket closes when the session or token ends.

A message that is not a JSON object with a text `type` (invalid JSON, NaN, nested deeper than
`MAX_DEPTH`, a list) gets an `error` and the socket stays; nothing a message holds drops it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web

from hub.accounts import same
from hub.auth import kiosk, staff
from hub.calls import Effects, Message, Party, advisor
from hub.calls import kiosk as kiosk_party
from hub.calls.desk import DESK, CallDesk, Connection, error
from hub.context import HUB
from hub.hours import utc_iso

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 64 * 1024
#: Deeper than any message of the protocol (an ICE candidate is two levels).
MAX_DEPTH = 16
#: A booking code is 8 digits; spaces and a little more are allowed, nothing long.
MAX_CODE_CHARS = 32
SIGNALS = frozenset({"offer", "answer", "ice"})
KIOSK_TYPES = SIGNALS | {"call", "cancel", "hang_up", "rate"}
ADVISOR_TYPES = SIGNALS | {"available", "accept", "decline", "transfer", "hang_up"}
#: A third person in the call (docs/call-three-party.md).
GUEST_TYPES = frozenset({"invite", "cancel_invite", "leave"})


class BadRequest(ValueError):
    """A message the socket layer refuses before the switchboard sees it."""


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
        }
    )
    desk.run(
        lambda: desk.switchboard.kiosk_connected(
            record.kiosk_id, name=record.name, location=record.location
        ),
        connection,
        None,
    )
    log.info("kiosk socket open", extra={"kiosk_id": record.kiosk_id})
    await serve(desk, connection, lambda m: citizen_request(desk, party, m))
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
            "line_names": {line.id: line.name_fi for line in hub.config.lines},
            "line_kinds": {
                line.id: "interpreter" if line.interpreting else "service"
                for line in hub.config.lines
            },
            "username": username,
            "ping_seconds": desk.heartbeat_s,
        }
    )
    desk.run(lambda: desk.switchboard.advisor_connected(username), connection, None)
    log.info("advisor socket open", extra={"username": username})
    await serve(desk, connection, lambda m: _advisor_request(desk, username, m))
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


async def serve(
    desk: CallDesk, connection: Connection, handle: Callable[[Message], Callable[[], Effects]]
) -> None:
    """Read messages until the socket closes or its heartbeat is lost; then the party is gone."""
    try:
        async for frame in connection.ws:
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
                operation = handle(message)
                desk.run(operation, connection, request_id)
            except BadRequest as refused:
                connection.send(error(str(refused), request_id))
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


def _field(message: Message, name: str, kind: type | tuple[type, ...] = str) -> Any:
    value = message.get(name)
    if not isinstance(value, kind) or (kind is str and not value):
        raise BadRequest(f"{message.get('type')} needs {name}")
    return value


def booking_code(message: Message) -> str | None:
    """The booking code a `call` carries (digits, spaces allowed), None without one."""
    code = message.get("booking")
    if code is None:
        return None
    if not isinstance(code, str) or not code.strip() or len(code) > MAX_CODE_CHARS:
        raise BadRequest("booking must be the booking code (text)")
    return code


def citizen_request(desk: CallDesk, me: Party, message: Message) -> Callable[[], Effects]:
    """A kiosk's or home caller's message as one operation of the desk."""
    sb = desk.switchboard
    kiosk_id = me.id
    kind = message.get("type")
    if kind not in KIOSK_TYPES:
        raise BadRequest(f"unknown message type {kind!r}")
    if kind == "call":
        code = booking_code(message)
        if code is not None:
            # The booking says the line; the language the citizen chose, else the booking's.
            language = message.get("language")
            chosen = language if isinstance(language, str) else ""
            return lambda: desk.booked_call(me, code, chosen)
        line, language = _field(message, "line"), _field(message, "language")
        return lambda: sb.request_call(kiosk_id, line, language)[1]
    call = _field(message, "call")
    if kind == "cancel":
        return lambda: sb.cancel(kiosk_id, call)
    if kind == "hang_up":
        return lambda: sb.hang_up(me, call)
    if kind == "rate":
        stars = message.get("stars")
        return lambda: sb.rate(kiosk_id, call, stars)  # type: ignore[arg-type]  # checked there
    if kind in SIGNALS:
        return lambda: sb.relay(me, call, message)
    raise BadRequest(f"unknown message type {kind!r}")


def _advisor_request(desk: CallDesk, username: str, message: Message) -> Callable[[], Effects]:
    sb = desk.switchboard
    kind = message.get("type")
    if kind not in ADVISOR_TYPES | GUEST_TYPES:
        raise BadRequest(f"unknown message type {kind!r}")
    me = advisor(username)
    if kind == "available":
        available = _field(message, "available", bool)
        return lambda: sb.set_available(username, available)
    call = _field(message, "call")
    if kind == "accept":
        return lambda: sb.accept(username, call)
    if kind == "decline":
        return lambda: sb.decline(username, call)
    if kind == "transfer":
        line = _field(message, "line")
        return lambda: sb.transfer(username, call, line)
    if kind == "hang_up":
        return lambda: sb.hang_up(me, call)
    if kind == "invite":
        line, reason = _field(message, "line"), _field(message, "reason")
        return lambda: sb.invite(username, call, line, reason)
    if kind == "cancel_invite":
        return lambda: sb.cancel_invite(username, call)
    if kind == "leave":
        return lambda: sb.leave(username, call)
    if kind in SIGNALS:
        return lambda: sb.relay(me, call, message)
    raise BadRequest(f"unknown message type {kind!r}")
