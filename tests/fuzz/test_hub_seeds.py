"""The cases every run tries first, whatever the fuzzing draws: the kinds of input that have
broken the hub before (nesting 100 000 deep, NaN, out-of-range times and numbers, digits that
are not decimal, undecodable credentials, a message type that is a list), each sent to every
route or socket it applies to, with the same checks as the fuzzing's own cases."""

from __future__ import annotations

import json
import math
from typing import Any

import aiohttp
import pytest

from hub.auth import KIOSK
from hub.routes import ROUTES, Route, logout
from tests.fuzz.site import KIOSK_ID, Site, path_with
from tests.fuzz.tally import tried
from tests.fuzz.test_hub_routes import (
    BODIES,
    HOSTILE_CREDENTIALS,
    NOW,
    _label,
    _params,
    check_hub,
    check_reads,
    reproducer,
)

POSTS = [route for route in ROUTES if route.method == "POST" and route.handler is not logout]
GETS = [route for route in ROUTES if route.method == "GET" and not route.path.startswith("/ws/")]
DEEP = b"[" * 100_000
#: Query values that have given 500s: times out of range, digits int() refuses.
QUERIES = [
    [("from", "0001-01-01"), ("to", "9999-12-31")],
    [("to", "9999-12-31")],
    [("limit", "²"), ("offset", "²"), ("history_limit", "²"), ("history_offset", "³")],
    [("limit", "9" * 30), ("offset", "9" * 30), ("level", "\x00")],
    [("status", "\u2028"), ("q", "\x00" * 3)],
]


def _path(route: Route) -> str:
    return path_with(route.path, dict.fromkeys(_params(route), KIOSK_ID))


def _send(site: Site, who: str, route: Route, **request: Any) -> None:
    request = {"path": _path(route), "query": [], "headers": {}, "body": None, **request}
    answer = site.run(
        site.send(
            who,
            route.method,
            request["path"],
            query=request["query"],
            headers=request["headers"],
            body=request["body"],
        )
    )
    tried("hub seeds")
    what = reproducer(who, route, request, answer)
    assert answer.status < 500, what
    check_hub(site, what)
    if 200 <= answer.status < 300 and route.method == "POST":
        check_reads(site, what)


@pytest.mark.parametrize("route", POSTS, ids=_label)
def test_nesting_deeper_than_any_parser_takes(site: Site, route: Route) -> None:
    headers = {"Content-Type": "application/json"}
    _send(site, site.caller(route.allowed), route, headers=headers, body=DEEP)


@pytest.mark.parametrize("route", GETS, ids=_label)
@pytest.mark.parametrize("query", QUERIES, ids=range(len(QUERIES)))
def test_query_values_out_of_range(site: Site, route: Route, query: list[tuple[str, str]]) -> None:
    _send(site, site.caller(route.allowed), route, query=query)


@pytest.mark.parametrize("route", ROUTES, ids=_label)
@pytest.mark.parametrize("credentials", HOSTILE_CREDENTIALS, ids=range(len(HOSTILE_CREDENTIALS)))
def test_credentials_that_are_not_text(
    site: Site, route: Route, credentials: dict[str, bytes]
) -> None:
    path = _path(route)
    status = site.run(site.send_raw(route.method, path, credentials, b"{}"))
    tried("hub seeds")
    assert status < 500, f"{route.method} {path} headers={credentials!r} -> {status}"
    check_hub(site, f"{route.method} {path} headers={credentials!r}")


def _json(value: Any) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


EVENT = BODIES["/api/kiosk/events"]["events"][0]
USAGE = BODIES["/api/kiosk/usage"]["usage"][0]
#: Values a kiosk may send that a page of the support desk must still show afterwards.
STORED = {
    "an event payload with NaN": (
        "/api/kiosk/events",
        {"events": [{**EVENT, "id": 9001, "payload": {"x": math.nan}}]},
    ),
    "an event at year 1": (
        "/api/kiosk/events",
        {"events": [{**EVENT, "id": 9002, "at": "0001-01-01T00:00:00+01:00"}]},
    ),
    "an event at year 9999": (
        "/api/kiosk/events",
        {"events": [{**EVENT, "id": 9003, "at": "9999-12-31T23:59:59-01:00"}]},
    ),
    "a printed count of ²": (
        "/api/kiosk/usage",
        {"usage": [{**USAGE, "id": 9001, "value": "printed:²"}]},
    ),
    "a duration of 2**63-1": (
        "/api/kiosk/usage",
        {"usage": [{**USAGE, "id": 9002, "duration_ms": 2**63 - 1}]},
    ),
    "a heartbeat with Infinity": (
        "/api/kiosk/heartbeat",
        {**BODIES["/api/kiosk/heartbeat"], "uptime_seconds": math.inf, "sent_at": NOW},
    ),
    "a device code with a newline": (
        "/api/kiosk/heartbeat",
        {
            **BODIES["/api/kiosk/heartbeat"],
            "devices": {"printer": {"state": "error", "code": "jam\nSubject: x"}},
        },
    ),
}


@pytest.mark.parametrize("case", STORED.values(), ids=STORED.keys())
def test_what_a_kiosk_stores_every_page_can_show(site: Site, case: tuple[str, Any]) -> None:
    path, body = case
    route = next(r for r in ROUTES if r.method == "POST" and r.path == path)
    headers = {"Content-Type": "application/json"}
    _send(site, KIOSK, route, headers=headers, body=_json(body))
    check_reads(site, f"POST {path} {body!r:.300}")


SOCKET_MESSAGES = {
    "a type that is a list": '{"type": ["call"], "id": 1}',
    "a type that is an object": '{"type": {"a": 1}}',
    "a type that is a number": '{"type": 1e999}',
    "NaN": '{"type": "rate", "call": "x", "stars": NaN}',
    "nesting 20 000 deep": "[" * 20_000,
    "a call id that is a list": '{"type": "hang_up", "call": ["x"]}',
    "not JSON": "{",
}


async def _socket_case(site: Site, path: str, headers: dict[str, str], text: str) -> str | None:
    who = KIOSK if path == "/ws/kiosk" else "advisor"
    async with site.clients[who].ws_connect(site.url + path, headers=headers) as socket:
        await socket.send_str(text)
        await socket.send_str('{"type": "ping", "id": "still-there"}')
        while True:
            frame = await socket.receive(timeout=20)
            if frame.type is not aiohttp.WSMsgType.TEXT:
                return f"closed with {socket.close_code} ({frame.type.name}, {frame.extra!r})"
            if json.loads(frame.data) == {"type": "pong", "id": "still-there"}:
                return None


@pytest.mark.parametrize("path", ["/ws/kiosk", "/ws/advisor"])
@pytest.mark.parametrize("text", SOCKET_MESSAGES.values(), ids=SOCKET_MESSAGES.keys())
def test_a_socket_outlives_any_message(site: Site, path: str, text: str) -> None:
    headers = site.headers(KIOSK) if path == "/ws/kiosk" else {"Origin": site.url}
    problem = site.run(_socket_case(site, path, headers, text))
    tried("hub seeds")
    assert problem is None, f"{path}: sent {text[:100]!r}: the socket {problem}"
    check_hub(site, f"{path} {text[:100]!r}")
