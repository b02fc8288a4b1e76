"""What the JSON routes answer: lines by a fixed clock, the kiosk's hello, the admin's users."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from aiohttp import web
from aiohttp.test_utils import TestClient
from argon2 import PasswordHasher

from hub import accounts
from hub.app import make_app
from hub.calls.ice import TurnServer
from hub.config import HubConfig
from hub.store import HubStore
from tests.hub.conftest import PASSWORD, FixedClock, add_kiosk, add_user, log_in, run_app

Client = TestClient[web.Request, web.Application]
KIOSK_ID = "itakeskus-1"


def kiosk_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "X-Kiosk-Id": KIOSK_ID}


def test_lines_are_open_on_a_weekday_morning_and_closed_at_night(
    app: web.Application, store: HubStore, clock: FixedClock
) -> None:
    token = add_kiosk(store, KIOSK_ID)

    async def scenario(client: Client) -> None:
        response = await client.get("/api/lines", headers=kiosk_headers(token))
        body = await response.json()
        virka = body["lines"][0]
        assert virka["id"] == "virka-info"
        assert virka["name"] == {"fi": "Virka-info", "sv": "Virka-info", "en": "Virka-info"}
        assert virka["phone"] == "+358 9 310 11111"
        assert virka["languages"] == ["fi", "sv", "en"]
        assert (virka["open_now"], virka["next_opening"]) == (True, None)
        assert body["lines"][1]["description"]["sv"].startswith("Statens rådgivning")

        clock.now = datetime(2025, 1, 17, 18, 0, tzinfo=UTC)  # Friday 20:00 in Helsinki
        body = await (await client.get("/api/lines", headers=kiosk_headers(token))).json()
        assert [line["open_now"] for line in body["lines"]] == [False, False]
        assert body["lines"][0]["next_opening"] == "2025-01-20T09:00:00+02:00"

    run_app(app, scenario)


def test_lines_say_what_a_callback_may_be_about_and_where_calls_from_home_go(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    """What a kiosk needs where a call would dead-end, and the public address for its note."""
    token = add_kiosk(store, KIOSK_ID)
    public = replace(config, public_url="https://neuvonta.example.fi/")

    async def scenario(client: Client) -> None:
        body = await (await client.get("/api/lines", headers=kiosk_headers(token))).json()
        assert [topic["id"] for topic in body["callback_topics"]][-1] == "other"
        assert body["callback_topics"][0]["name"]["sv"] == "Förmåner och stöd"
        assert [time["id"] for time in body["times_of_day"]] == ["morning", "afternoon", "any"]
        assert body["long_wait_s"] == 15 * 60
        assert (body["home_calls"], body["home_url"]) == (
            True,
            "https://neuvonta.example.fi/call",
        )

    run_app(make_app(public, store, clock=clock), scenario)
    off = replace(public, home=replace(public.home, enabled=False))

    async def without_home(client: Client) -> None:
        body = await (await client.get("/api/lines", headers=kiosk_headers(token))).json()
        assert (body["home_calls"], body["home_url"]) == (False, None)

    run_app(make_app(off, store, clock=clock), without_home)


def test_kiosk_hello_records_last_seen_and_gives_the_ice_servers(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    token = add_kiosk(store, KIOSK_ID)
    turn = TurnServer("turn:turn.example.fi:3478", "kiosk", "s3cret")
    app = make_app(
        replace(config, stun=("stun:stun.example.fi",), turn=(turn,)), store, clock=clock
    )

    async def scenario(client: Client) -> None:
        response = await client.post("/api/kiosk/hello", headers=kiosk_headers(token))
        assert await response.json() == {
            "kiosk_id": KIOSK_ID,
            "name": "Itäkeskus 1",
            "location": "Itäkeskus library",
            "ice_servers": [
                {"urls": ["stun:stun.example.fi"]},
                {"urls": [turn.url], "username": "kiosk", "credential": "s3cret"},
            ],
        }
        record = store.kiosk(KIOSK_ID)
        assert record is not None and record.last_seen == "2025-01-13T08:00:00.000Z"

    run_app(app, scenario)


def test_admin_lists_users_without_their_hashes(app: web.Application, store: HubStore) -> None:
    add_user(store, "root", "admin")
    add_user(store, "anna", "advisor")
    store.login_failed("anna", locked_until="2999-01-01T00:00:00.000Z")

    async def scenario(client: Client) -> None:
        await log_in(client, "root")
        body = await (await client.get("/api/admin/users")).json()
        assert [(u["username"], u["role"], u["locked"]) for u in body["users"]] == [
            ("anna", "advisor", True),
            ("root", "admin", False),
        ]
        assert "argon2" not in str(body)

    run_app(app, scenario)


def test_healthz_says_ok_and_nothing_more(app: web.Application) -> None:
    async def scenario(client: Client) -> None:
        response = await client.get("/healthz")
        assert (response.status, await response.json()) == (200, {"status": "ok"})

    run_app(app, scenario)


def test_a_password_hashed_with_old_parameters_is_rehashed_at_login(
    app: web.Application, store: HubStore
) -> None:
    old = PasswordHasher(time_cost=1, memory_cost=2048, parallelism=1)
    store.add_user("anna", "support", old.hash(PASSWORD), at="2025-01-13T08:00:00.000Z")

    async def scenario(client: Client) -> None:
        await log_in(client, "anna")

    run_app(app, scenario)
    user = store.user("anna")
    assert user is not None
    assert not accounts.hasher.check_needs_rehash(user.password_hash)
    assert "m=2048" not in user.password_hash
