"""Staff login, logout, lock-out and CSRF; kiosk tokens."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient

from hub.config import HubConfig
from hub.store import HubStore
from tests.hub.conftest import (
    PASSWORD,
    FixedClock,
    add_kiosk,
    add_user,
    log_in,
    run_app,
)

Client = TestClient[web.Request, web.Application]
FAILED = "Wrong username or password, or the account is locked for a while."


async def try_login(client: Client, username: str, password: str) -> tuple[int, str]:
    response = await client.post(
        "/login", data={"username": username, "password": password}, allow_redirects=False
    )
    # The form gives back the typed username; apart from that every failure looks the same.
    page = (await response.text()).replace(f'value="{username}"', 'value="…"')
    return response.status, page


def test_the_login_form_is_plain_and_labelled(app: web.Application) -> None:
    async def scenario(client: Client) -> None:
        response = await client.get("/login")
        assert response.status == 200
        page = await response.text()
        assert '<label for="username">' in page and '<label for="password">' in page
        assert 'autocomplete="current-password"' in page
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]

    run_app(app, scenario)


def test_login_sets_a_strict_http_only_cookie_and_logout_ends_it(
    app: web.Application, store: HubStore
) -> None:
    add_user(store, "anna", "advisor")

    async def scenario(client: Client) -> None:
        response = await client.post(
            "/login", data={"username": "Anna", "password": PASSWORD}, allow_redirects=False
        )
        assert (response.status, response.headers["Location"]) == (303, "/advisor")
        cookie = response.headers["Set-Cookie"]
        assert cookie.startswith("hub-session=")
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
        session_id = response.cookies["hub-session"].value
        # Only the hash of the session id is stored.
        assert session_id not in str(list(store.db.query("SELECT * FROM sessions")))

        me = await client.get("/api/me")
        body = await me.json()
        assert (body["username"], body["role"]) == ("anna", "advisor")
        assert len(body["csrf_token"]) >= 40

        out = await client.post(
            "/logout", headers={"X-CSRF-Token": body["csrf_token"]}, allow_redirects=False
        )
        assert (out.status, out.headers["Location"]) == (303, "/login")
        assert store.db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 0
        assert (await client.get("/api/me")).status == 401
        # The old cookie is dead even if a browser kept it.
        client.session.cookie_jar.update_cookies({"hub-session": session_id})
        assert (await client.get("/api/me")).status == 401

    run_app(app, scenario)


def test_a_secure_config_sets_a_secure_host_only_cookie(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    from dataclasses import replace

    from hub.app import make_app

    add_user(store, "anna", "admin")
    secure = make_app(replace(config, cookie_secure=True), store, clock=clock)

    async def scenario(client: Client) -> None:
        status, _ = await try_login(client, "anna", PASSWORD)
        response = await client.post(
            "/login", data={"username": "anna", "password": PASSWORD}, allow_redirects=False
        )
        cookie = response.headers["Set-Cookie"]
        assert cookie.startswith("__Host-hub-session=") and "Secure" in cookie
        assert status == 303

    run_app(secure, scenario)


def test_wrong_passwords_lock_the_account_without_telling_it_exists(
    app: web.Application, store: HubStore, clock: FixedClock, config: HubConfig
) -> None:
    add_user(store, "anna", "support")

    async def scenario(client: Client) -> None:
        unknown = await try_login(client, "nobody", "whatever it is")
        assert unknown[0] == 200 and FAILED in unknown[1]
        for _ in range(config.max_failures):
            assert await try_login(client, "anna", "wrong password!") == unknown
        user = store.user("anna")
        assert user is not None and user.locked_until is not None
        # Locked: even the right password gets the very same answer.
        assert await try_login(client, "anna", PASSWORD) == unknown
        clock.advance(minutes=config.lockout_minutes - 1)
        assert await try_login(client, "anna", PASSWORD) == unknown
        clock.advance(minutes=1)
        status, _ = await try_login(client, "anna", PASSWORD)
        assert status == 303
        user = store.user("anna")
        assert user is not None and (user.failed_logins, user.locked_until) == (0, None)

    run_app(app, scenario)


def test_a_good_login_resets_the_failure_count(app: web.Application, store: HubStore) -> None:
    add_user(store, "anna", "support")

    async def scenario(client: Client) -> None:
        for _ in range(4):
            await try_login(client, "anna", "wrong password!")
        assert (await try_login(client, "anna", PASSWORD))[0] == 303
        await try_login(client, "anna", "wrong password!")
        user = store.user("anna")
        assert user is not None and (user.failed_logins, user.locked_until) == (1, None)

    run_app(app, scenario)


def test_a_disabled_account_cannot_log_in_and_loses_its_sessions(
    app: web.Application, store: HubStore
) -> None:
    add_user(store, "anna", "admin")

    async def scenario(client: Client) -> None:
        await log_in(client, "anna")
        store.disable_user("anna")
        assert (await client.get("/api/me")).status == 401
        status, page = await try_login(client, "anna", PASSWORD)
        assert status == 200 and FAILED in page

    run_app(app, scenario)


def test_a_cross_site_login_is_refused(app: web.Application, store: HubStore) -> None:
    add_user(store, "anna", "admin")

    async def scenario(client: Client) -> None:
        response = await client.post(
            "/login",
            data={"username": "anna", "password": PASSWORD},
            headers={"Origin": "https://evil.example"},
            allow_redirects=False,
        )
        assert response.status == 403
        same = await client.post(
            "/login",
            data={"username": "anna", "password": PASSWORD},
            headers={"Origin": str(client.make_url("")).rstrip("/")},
            allow_redirects=False,
        )
        assert same.status == 303

    run_app(app, scenario)


def test_csrf_token_missing_or_wrong_is_refused(app: web.Application, store: HubStore) -> None:
    add_user(store, "anna", "advisor")

    async def scenario(client: Client) -> None:
        token = await log_in(client, "anna")
        assert (await client.post("/logout", allow_redirects=False)).status == 403
        wrong = await client.post(
            "/logout", headers={"X-CSRF-Token": token[:-1] + "x"}, allow_redirects=False
        )
        assert wrong.status == 403
        assert "CSRF" in (await wrong.json())["error"]
        bad_form = await client.post("/logout", data={"csrf_token": "nope"}, allow_redirects=False)
        assert bad_form.status == 403
        assert (await client.get("/api/me")).status == 200  # still logged in
        good_form = await client.post("/logout", data={"csrf_token": token}, allow_redirects=False)
        assert good_form.status == 303

    run_app(app, scenario)


def test_kiosk_token_good_and_bad(app: web.Application, store: HubStore) -> None:
    token = add_kiosk(store, "itakeskus-1")
    add_kiosk(store, "kirjasto-10")

    async def hello(client: Client, headers: dict[str, str]) -> int:
        return (await client.post("/api/kiosk/hello", headers=headers)).status

    async def scenario(client: Client) -> None:
        good = {"Authorization": f"Bearer {token}", "X-Kiosk-Id": "itakeskus-1"}
        assert await hello(client, good) == 200
        assert await hello(client, {**good, "Authorization": f"Bearer {token}x"}) == 401
        assert await hello(client, {**good, "X-Kiosk-Id": "kirjasto-10"}) == 401
        assert await hello(client, {**good, "X-Kiosk-Id": "nowhere"}) == 401
        assert await hello(client, {"Authorization": f"Bearer {token}"}) == 401
        assert await hello(client, {**good, "Authorization": f"Basic {token}"}) == 401
        assert await hello(client, {}) == 401

    run_app(app, scenario)
