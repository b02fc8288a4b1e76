"""Every route of the app against every kind of caller, as the route table declares."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from hub.app import make_app
from hub.auth import KIOSK, PUBLIC
from hub.config import HubConfig
from hub.context import ACCESS
from hub.store import ROLES, HubStore
from tests.hub.conftest import FixedClock, add_kiosk, add_user, log_in, run_app

Client = TestClient[web.Request, web.Application]
CALLERS = (*ROLES, KIOSK)
#: A concrete path for each route with a variable part (the router refuses "{" in a path).
SAMPLE_PATHS = {
    "/api/support/submissions/{id}/retry": f"/api/support/submissions/{'0' * 32}/retry",
    "/api/kiosk/actions/{id}/result": f"/api/kiosk/actions/{'0' * 32}/result",
    "/api/support/kiosks/{kiosk_id}": "/api/support/kiosks/itakeskus-1",
    "/api/support/kiosks/{kiosk_id}/logs": "/api/support/kiosks/itakeskus-1/logs",
    "/api/support/kiosks/{kiosk_id}/actions": "/api/support/kiosks/itakeskus-1/actions",
    "/api/support/actions/{id}/screenshot": f"/api/support/actions/{'0' * 32}/screenshot",
    "/support/kiosks/{kiosk_id}": "/support/kiosks/itakeskus-1",
    "/api/schedule/slots/{id}": "/api/schedule/slots/0123456789abcdef",
    "/api/schedule/bookings/{id}/cancel": "/api/schedule/bookings/0123456789abcdef/cancel",
    "/calendar/{token}.ics": "/calendar/not-a-token.ics",
    "/api/advisor/callbacks/{id}/claim": "/api/advisor/callbacks/TP-7K3M-2QXA/claim",
    "/api/advisor/callbacks/{id}/release": "/api/advisor/callbacks/TP-7K3M-2QXA/release",
    "/api/advisor/callbacks/{id}/done": "/api/advisor/callbacks/TP-7K3M-2QXA/done",
    "/api/advisor/callbacks/{id}/no-answer": "/api/advisor/callbacks/TP-7K3M-2QXA/no-answer",
    "/api/admin/rollouts/{target}": "/api/admin/rollouts/group:pilot",
    "/api/admin/update-groups/{name}": "/api/admin/update-groups/pilot",
    "/api/admin/kiosks/{kiosk_id}/library": "/api/admin/kiosks/itakeskus-1/library",
}


@pytest.fixture
def app(config: HubConfig, store: HubStore, clock: FixedClock) -> web.Application:
    """With /metrics on a port said to be private: then every public route answers anyone."""
    private = replace(config, metrics=replace(config.metrics, private_port=True))
    return make_app(private, store, clock=clock)


def declared_routes(app: web.Application) -> list[tuple[str, str, frozenset[str]]]:
    """Every route the router serves, with who may use it; fails on a route not in the table."""
    found = []
    for route in app.router.routes():
        path = route.resource.canonical if route.resource else ""
        allowed = app[ACCESS].get((route.method, path))
        assert allowed is not None, f"{route.method} {path} is not in the route table"
        found.append((route.method, path, allowed))
    return found


def test_every_route_refuses_the_wrong_caller_and_serves_the_right_one(
    app: web.Application, store: HubStore
) -> None:
    for role in ROLES:
        add_user(store, role, role)  # one account per role, named after it
    token = add_kiosk(store, "itakeskus-1")
    kiosk_headers = {"Authorization": f"Bearer {token}", "X-Kiosk-Id": "itakeskus-1"}
    routes = declared_routes(app)
    assert {(method, path) for method, path, _ in routes} >= {
        ("GET", "/healthz"), ("GET", "/login"), ("POST", "/login"), ("POST", "/logout"),
        ("GET", "/api/me"), ("GET", "/api/lines"), ("POST", "/api/kiosk/hello"),
        ("GET", "/api/admin/users"), ("GET", "/ws/kiosk"), ("GET", "/ws/advisor"),
        ("GET", "/advisor"),
    }  # fmt: skip

    async def scenario(client: Client) -> None:
        # One logged-in browser (its own cookie jar) per role; a logout logs it in again.
        browsers: dict[str, tuple[aiohttp.ClientSession, str]] = {}

        async def browser(role: str) -> tuple[aiohttp.ClientSession, str]:
            if role not in browsers:
                jar = aiohttp.CookieJar(unsafe=True)
                session = aiohttp.ClientSession(base_url=client.make_url("/"), cookie_jar=jar)
                browsers[role] = (session, await log_in(session, role))
            return browsers[role]

        async def as_caller(caller: str | None, method: str, path: str) -> int:
            if caller is None or caller == KIOSK:
                headers = kiosk_headers if caller == KIOSK else {}
                response = await client.request(
                    method, path, headers=headers, allow_redirects=False
                )
                return response.status
            session, csrf = await browser(caller)
            response = await session.request(
                method, path, headers={"X-CSRF-Token": csrf}, allow_redirects=False
            )
            if path == "/logout" and response.status == 303:
                await browsers.pop(caller)[0].close()
            return response.status

        try:
            await check_every_route(as_caller)
        finally:
            for session, _csrf in browsers.values():
                await session.close()

    async def check_every_route(
        as_caller: Callable[[str | None, str, str], Awaitable[int]],
    ) -> None:
        for method, canonical, allowed in routes:
            path = SAMPLE_PATHS.get(canonical, canonical)
            anonymous = await as_caller(None, method, path)
            if PUBLIC in allowed:
                assert anonymous not in (401, 403), f"{method} {path} anonymous: {anonymous}"
            else:
                assert anonymous == 401, f"{method} {path} anonymous: {anonymous}"
            for caller in CALLERS:
                status = await as_caller(caller, method, path)
                if caller in allowed or PUBLIC in allowed:
                    assert status not in (401, 403), f"{method} {path} as {caller}: {status}"
                else:
                    assert status == 403, f"{method} {path} as {caller}: {status}"

    run_app(app, scenario)


def test_an_unknown_path_is_404_whoever_asks(app: web.Application) -> None:
    async def scenario(client: Client) -> None:
        assert (await client.get("/api/nothing")).status == 404
        assert (await client.put("/api/me")).status == 405

    run_app(app, scenario)
