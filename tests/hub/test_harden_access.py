"""Hostile callers against the hub app: credentials whose bytes are not UTF-8, call-socket
messages that are not what the protocol says (deep nesting, NaN, a `type` that is not text),
/metrics without its token, lock-outs per address and account, and what the log says of whom."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from hub.app import make_app
from hub.config import ConfigError, HubConfig, load_config
from hub.logs import setup_logging
from hub.store import HubStore
from tests.hub.conftest import PASSWORD, FixedClock, add_kiosk, add_user, log_in, run_app
from tests.hub.test_ws import lines_config

Client = TestClient[web.Request, web.Application]
FAILED = "Wrong username or password, or the account is locked for a while."
PROXIED = '[access]\ntrusted_proxies = ["127.0.0.1"]\n'


async def raw_request(client: Client, head: bytes) -> int:
    """Send `head` (a request line and headers, as bytes) and return the response's status."""
    assert client.server.port is not None
    reader, writer = await asyncio.open_connection("127.0.0.1", client.server.port)
    try:
        writer.write(head + b"Host: 127.0.0.1\r\nConnection: close\r\n\r\n")
        await writer.drain()
        status_line = await reader.readline()
        return int(status_line.split()[1])
    finally:
        writer.close()


def test_credentials_that_are_not_utf8_are_no_credentials(
    app: web.Application, store: HubStore
) -> None:
    token = add_kiosk(store, "itakeskus-1")

    async def scenario(client: Client) -> None:
        bad_cookie = b"Cookie: hub-session=\xff\xfe\xc3(\r\n"
        bad_bearer = b"Authorization: Bearer \xff\xfe" + token.encode() + b"\r\n"
        kiosk_id = b"X-Kiosk-Id: itakeskus-1\r\n"
        bad_id = b"Authorization: Bearer " + token.encode() + b"\r\nX-Kiosk-Id: \xff\r\n"
        assert await raw_request(client, b"GET /api/me HTTP/1.1\r\n" + bad_cookie) == 401
        assert await raw_request(client, b"GET /healthz HTTP/1.1\r\n" + bad_cookie) == 200
        assert await raw_request(client, b"GET /login HTTP/1.1\r\n" + bad_bearer) == 200
        lines = b"GET /api/lines HTTP/1.1\r\n"
        assert await raw_request(client, lines + bad_bearer + kiosk_id) == 401
        assert await raw_request(client, lines + bad_id) == 401
        csrf = b"X-CSRF-Token: \xff\r\n" + bad_cookie
        assert await raw_request(client, b"POST /logout HTTP/1.1\r\n" + csrf) == 401
        metrics = b"GET /metrics HTTP/1.1\r\nAuthorization: Bearer \xff\r\n"
        assert await raw_request(client, metrics) == 401
        # The right credentials still work after all that.
        good = {"Authorization": f"Bearer {token}", "X-Kiosk-Id": "itakeskus-1"}
        assert (await client.get("/api/lines", headers=good)).status == 200

    run_app(app, scenario)


def test_a_logged_in_staff_member_with_a_non_utf8_csrf_header_is_refused(
    app: web.Application, store: HubStore
) -> None:
    add_user(store, "anna", "support")

    async def scenario(client: Client) -> None:
        await log_in(client, "anna")
        cookie = client.session.cookie_jar.filter_cookies(client.make_url("/"))["hub-session"]
        head = (
            b"POST /logout HTTP/1.1\r\nX-CSRF-Token: \xff\xfe\r\n"
            + f"Cookie: hub-session={cookie.value}\r\n".encode()
        )
        assert await raw_request(client, head) == 403

    run_app(app, scenario)


HOSTILE: list[tuple[str, str]] = [
    ("[" * 60_000, "nested"),
    ('{"type": "ping", "id": ' + "[" * 40 + "]" * 40 + "}", "nested"),
    ('{"type": ["call"]}', "type"),
    ('{"type": {"call": 1}}', "type"),
    ('{"type": 5}', "type"),
    ("[1, 2]", "type"),
    ('"call"', "type"),
    ("{not json", "not JSON"),
    ('{"type": "call", "line": NaN, "language": "fi"}', "NaN"),
    ('{"type": "ping", "id": Infinity}', "Infinity"),
    ('{"type": "rate", "call": "x", "stars": [[1]]}', ""),
    ('{"type": "call", "line": {"a": 1}, "language": ["fi"]}', ""),
]


async def answers_every_hostile_message(ws: aiohttp.ClientWebSocketResponse) -> None:
    for text, says in HOSTILE:
        await ws.send_str(text)
        while True:
            message = await ws.receive_json(timeout=30)
            if message["type"] == "error":
                break
        assert says in message["message"], (text[:60], message)
    await ws.send_json({"type": "ping", "id": 7})
    assert (await ws.receive_json(timeout=30)) == {"type": "pong", "id": 7}


def test_hostile_messages_on_the_call_sockets_get_errors_and_the_sockets_stay(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    token = add_kiosk(store, "itakeskus-1")
    add_user(store, "anna", "advisor")
    app = make_app(lines_config(config, virka_info=["anna"]), store, clock=clock)

    async def scenario(client: Client) -> None:
        headers = {"Authorization": f"Bearer {token}", "X-Kiosk-Id": "itakeskus-1"}
        kiosk = await client.ws_connect("/ws/kiosk", headers=headers)
        assert (await kiosk.receive_json(timeout=30))["type"] == "hello"
        await answers_every_hostile_message(kiosk)
        await log_in(client, "anna")
        origin = str(client.make_url("")).rstrip("/")
        advisor = await client.ws_connect("/ws/advisor", headers={"Origin": origin})
        assert (await advisor.receive_json(timeout=30))["type"] == "hello"
        await answers_every_hostile_message(advisor)
        # Too big for a message at all: closed as such (1009), and the hub answers on.
        await kiosk.send_str("[" * 100_000)
        frame = await kiosk.receive(timeout=30)
        while frame.type is aiohttp.WSMsgType.TEXT:
            frame = await kiosk.receive(timeout=30)
        assert frame.type is aiohttp.WSMsgType.CLOSE
        assert frame.data == aiohttp.WSCloseCode.MESSAGE_TOO_BIG
        assert (await client.get("/healthz")).status == 200
        await advisor.close()

    run_app(app, scenario)


def test_metrics_want_the_token_even_from_loopback(app: web.Application) -> None:
    async def scenario(client: Client) -> None:
        response = await client.get("/metrics")
        assert response.status == 401
        assert "Bearer" in response.headers["WWW-Authenticate"]

    run_app(app, scenario)


def test_metrics_on_a_port_said_to_be_private_need_no_token(
    write_config: Callable[[str], Path], store: HubStore, clock: FixedClock
) -> None:
    config = load_config(write_config("[metrics]\nprivate_port = true\n"))

    async def scenario(client: Client) -> None:
        assert (await client.get("/metrics")).status == 200

    run_app(make_app(config, store, clock=clock), scenario)


async def try_login(client: Client, source: str, password: str) -> tuple[int, str]:
    response = await client.post(
        "/login",
        data={"username": "anna", "password": password},
        headers={"X-Forwarded-For": source},
        allow_redirects=False,
    )
    return response.status, await response.text()


def test_a_lock_out_holds_for_the_address_it_came_from_only(
    write_config: Callable[[str], Path], store: HubStore, clock: FixedClock
) -> None:
    config = load_config(write_config(PROXIED))
    add_user(store, "anna", "advisor")

    async def scenario(client: Client) -> None:
        for _ in range(config.max_failures):
            assert (await try_login(client, "203.0.113.7", "wrong password!"))[0] == 200
        status, text = await try_login(client, "203.0.113.7", PASSWORD)
        assert status == 200 and FAILED in text
        status, _ = await try_login(client, "198.51.100.2", PASSWORD)
        assert status == 303
        clock.advance(minutes=config.lockout_minutes)
        assert (await try_login(client, "203.0.113.7", PASSWORD))[0] == 303

    run_app(make_app(config, store, clock=clock), scenario)


def test_one_address_may_try_so_often_then_waits(
    write_config: Callable[[str], Path], store: HubStore, clock: FixedClock
) -> None:
    config = load_config(write_config(PROXIED + "login_attempts_per_minute = 3\n"))
    add_user(store, "anna", "advisor")

    async def scenario(client: Client) -> None:
        for _ in range(3):
            assert (await try_login(client, "203.0.113.7", "wrong password!"))[0] == 200
        response = await client.post(
            "/login",
            data={"username": "anna", "password": PASSWORD},
            headers={"X-Forwarded-For": "203.0.113.7"},
            allow_redirects=False,
        )
        assert response.status == 429
        assert 1 <= int(response.headers["Retry-After"]) <= 60
        assert (await try_login(client, "198.51.100.2", PASSWORD))[0] == 303

    run_app(make_app(config, store, clock=clock), scenario)


def log_of(run: Callable[[io.StringIO], None]) -> list[dict[str, Any]]:
    stream = io.StringIO()
    handler = setup_logging("INFO", stream)
    try:
        run(stream)
    finally:
        logging.getLogger().removeHandler(handler)
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_log_lines_name_the_client_and_failed_logins_without_their_secrets(
    write_config: Callable[[str], Path], store: HubStore, clock: FixedClock
) -> None:
    config = load_config(write_config(PROXIED))
    token = add_kiosk(store, "itakeskus-1")

    async def scenario(client: Client) -> None:
        wrong = {"Authorization": "Bearer not-the-token-at-all", "X-Kiosk-Id": "itakeskus-1"}
        headers = {**wrong, "X-Forwarded-For": "192.0.2.10, 203.0.113.7"}
        assert (await client.post("/api/kiosk/hello", headers=headers)).status == 401
        response = await client.post(
            "/login",
            data={"username": "nobody-here", "password": "a secret typed in"},
            headers={"X-Forwarded-For": "198.51.100.2"},
            allow_redirects=False,
        )
        assert response.status == 200
        good = {"Authorization": f"Bearer {token}", "X-Kiosk-Id": "itakeskus-1"}
        spoofed = {**good, "X-Forwarded-For": "not an address, 192.0.2.99"}
        assert (await client.post("/api/kiosk/hello", headers=spoofed)).status == 200

    lines = log_of(lambda _: run_app(make_app(config, store, clock=clock), scenario))
    text = json.dumps(lines)
    assert "not-the-token-at-all" not in text and "a secret typed in" not in text
    assert token not in text and "nobody-here" not in text
    refused = next(line for line in lines if line["msg"] == "kiosk token refused")
    assert (refused["kiosk_id"], refused["client"]) == ("itakeskus-1", "203.0.113.7")
    unknown = next(line for line in lines if line["msg"] == "login for an unknown account")
    assert unknown["client"] == "198.51.100.2"
    hello = next(line for line in lines if line["msg"] == "kiosk hello")
    assert hello["client"] == "192.0.2.99"


def test_without_a_trusted_proxy_forwarded_addresses_are_not_believed(
    app: web.Application, store: HubStore
) -> None:
    token = add_kiosk(store, "itakeskus-1")

    async def scenario(client: Client) -> None:
        headers = {
            "Authorization": f"Bearer {token}",
            "X-Kiosk-Id": "itakeskus-1",
            "X-Forwarded-For": "192.0.2.99",
        }
        assert (await client.post("/api/kiosk/hello", headers=headers)).status == 200

    lines = log_of(lambda _: run_app(app, scenario))
    hello = next(line for line in lines if line["msg"] == "kiosk hello")
    assert hello["client"] == "127.0.0.1"


@pytest.mark.parametrize(
    "access",
    [
        'trusted_proxies = ["a proxy"]',
        'trusted_proxies = "127.0.0.1"',
        "login_attempts_per_minute = 0",
        "login_queue = true",
        "nobody_knows = 1",
    ],
)
def test_access_settings_are_checked(write_config: Callable[[str], Path], access: str) -> None:
    with pytest.raises(ConfigError, match=r"access\."):
        load_config(write_config(f"[access]\n{access}\n"))


def test_access_settings_are_read(write_config: Callable[[str], Path]) -> None:
    config = load_config(
        write_config(
            '[access]\ntrusted_proxies = ["127.0.0.1", "10.0.0.0/24"]\n'
            "login_attempts_per_minute = 5\nlogin_queue = 3\n[metrics]\nprivate_port = true\n"
        )
    )
    assert [str(network) for network in config.access.trusted_proxies] == [
        "127.0.0.1/32",
        "10.0.0.0/24",
    ]
    assert (config.access.login_attempts_per_minute, config.access.login_queue) == (5, 3)
    assert config.metrics.private_port is True
