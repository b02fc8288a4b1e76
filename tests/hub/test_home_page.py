"""The public home-call page: its files, the lines it lists, its headers and its rate limit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient

from hub.app import make_app
from hub.config import load_config
from hub.store import HubStore, open_configured
from tests.hub.conftest import FixedClock, add_kiosk, run_app

INTERPRETER_LINE = """
[lines.virka-info]
[lines.kansalaisneuvonta]
[lines.tulkki-fse]
name_fi = "Viittomakielen tulkkaus"
interpreting = "fse"
"""

Client = TestClient[web.Request, web.Application]


def _app(write_config: Callable[[str], Path], extra: str = "") -> tuple[web.Application, HubStore]:
    config = load_config(write_config(extra))
    store = open_configured(config)
    return make_app(config, store, clock=FixedClock()), store


def test_the_page_and_its_files_are_public_with_a_strict_policy(
    write_config: Callable[[str], Path],
) -> None:
    app, store = _app(write_config)

    async def scenario(client: Client) -> None:
        page = await client.get("/call")
        assert page.status == 200
        assert page.content_type == "text/html"
        text = await page.text()
        assert '<html lang="fi">' in text
        assert '<script src="/static/call.js" defer></script>' in text
        policy = page.headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self'" in policy and "unsafe" not in policy
        assert "frame-ancestors 'none'" in policy
        assert page.headers["Permissions-Policy"].startswith("camera=(self), microphone=(self)")
        assert page.headers["X-Frame-Options"] == "DENY"
        assert page.headers["X-Content-Type-Options"] == "nosniff"

        script = await client.get("/static/call.js")
        assert script.status == 200
        assert "javascript" in script.content_type
        assert "/ws/home" in await script.text()
        style = await client.get("/static/call.css")
        assert (style.status, style.content_type) == (200, "text/css")

    try:
        run_app(app, scenario)
    finally:
        store.close()


def test_the_home_lines_are_the_citizens_lines_with_their_status(
    write_config: Callable[[str], Path],
) -> None:
    app, store = _app(write_config, INTERPRETER_LINE)
    token = add_kiosk(store)

    async def scenario(client: Client) -> None:
        response = await client.get("/api/home/lines")
        assert response.status == 200
        body = await response.json()
        ids = [line["id"] for line in body["lines"]]
        assert ids == ["virka-info", "kansalaisneuvonta"]  # no interpreter line
        virka = body["lines"][0]
        assert virka["phone"] == "+358 9 310 11111"
        assert virka["name"]["sv"] == "Virka-info"
        # Monday 10:00 in Helsinki: open, but nobody signed in.
        assert virka["open_now"] is True
        assert virka["status"]["state"] == "unstaffed"
        assert set(virka["status"]) >= {"advisors_free", "waiting", "estimated_wait_s"}
        assert body["at"] == "2025-01-13T08:00:00.000Z"

        # The kiosk's own listing is the same, from the same code.
        kiosk = await client.get(
            "/api/lines",
            headers={"Authorization": f"Bearer {token}", "X-Kiosk-Id": "itakeskus-1"},
        )
        assert [line for line in (await kiosk.json())["lines"]] == body["lines"]

    try:
        run_app(app, scenario)
    finally:
        store.close()


def test_one_address_asking_too_often_is_told_to_wait(
    write_config: Callable[[str], Path],
) -> None:
    app, store = _app(write_config, "[home]\npage_requests_per_address_per_minute = 5\n")

    async def scenario(client: Client) -> None:
        paths = ["/call", "/static/call.js", "/static/call.css", "/api/home/lines", "/call"]
        for path in paths:
            assert (await client.get(path)).status == 200, path
        for path in ["/api/home/lines", "/call", "/static/call.css"]:
            refused = await client.get(path)
            assert refused.status == 429, path
            assert 1 <= int(refused.headers["Retry-After"]) <= 60
            assert (await refused.json())["code"] == "rate_limited"
        # A header naming another address changes nothing: the peer is no trusted proxy.
        other = await client.get("/call", headers={"X-Forwarded-For": "198.51.100.7"})
        assert other.status == 429
        # Staff pages are not counted against the page's limit.
        assert (await client.get("/login")).status == 200

    try:
        run_app(app, scenario)
    finally:
        store.close()


def test_a_trusted_proxy_s_clients_are_counted_one_by_one(
    write_config: Callable[[str], Path],
) -> None:
    extra = (
        '[access]\ntrusted_proxies = ["127.0.0.1/32"]\n'
        "[home]\npage_requests_per_address_per_minute = 2\n"
    )
    app, store = _app(write_config, extra)

    async def scenario(client: Client) -> None:
        one = {"X-Forwarded-For": "203.0.113.5"}
        two = {"X-Forwarded-For": "203.0.113.6"}
        assert [(await client.get("/call", headers=one)).status for _ in range(3)] == [
            200,
            200,
            429,
        ]
        assert (await client.get("/call", headers=two)).status == 200

    try:
        run_app(app, scenario)
    finally:
        store.close()


def test_the_page_is_not_there_when_home_calls_are_off(
    write_config: Callable[[str], Path],
) -> None:
    app, store = _app(write_config, "[home]\nenabled = false\n")

    async def scenario(client: Client) -> None:
        for path in ["/call", "/static/call.js", "/static/call.css", "/api/home/lines"]:
            assert (await client.get(path)).status == 404, path

    try:
        run_app(app, scenario)
    finally:
        store.close()
