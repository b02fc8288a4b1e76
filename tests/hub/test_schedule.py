"""Advisors' schedules: who may add, list and remove which slots (docs/appointments.md)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from hub.config import HubConfig, load_config
from hub.hours import utc_iso
from hub.store import HubStore
from tests.hub.conftest import FixedClock, add_kiosk, add_user, log_in, run_app

Client = TestClient[web.Request, web.Application]

#: anna and ben answer Virka-info, carl Kansalaisneuvonta; root is an admin.
LINES = (
    '[lines.virka-info]\nadvisors = ["anna", "ben"]\n'
    '[lines.kansalaisneuvonta]\nadvisors = ["carl"]\n'
)
#: Tuesday 14 January 2025, 10:00 in Helsinki: the day after the fixed clock's Monday.
TUESDAY_TEN = datetime(2025, 1, 14, 8, 0, tzinfo=UTC)
WEEK = "2025-W03"


@pytest.fixture
def config(write_config: Callable[[str], Path]) -> HubConfig:
    return load_config(write_config(LINES))


@pytest.fixture
def people(store: HubStore) -> None:
    for name in ("anna", "ben", "carl"):
        add_user(store, name, "advisor")
    add_user(store, "root", "admin")


class Staff:
    """A logged-in staff member's browser, with its own cookies."""

    def __init__(self, session: aiohttp.ClientSession, csrf: str) -> None:
        self.session = session
        self.csrf = csrf

    @classmethod
    async def login(cls, client: Client, username: str) -> Staff:
        jar = aiohttp.CookieJar(unsafe=True)
        session = aiohttp.ClientSession(base_url=client.make_url("/"), cookie_jar=jar)
        return cls(session, await log_in(session, username))

    async def call(
        self, method: str, path: str, body: object = None, *, status: int = 200, csrf: bool = True
    ) -> Any:
        headers = {"X-CSRF-Token": self.csrf} if csrf else {}
        async with self.session.request(method, path, json=body, headers=headers) as response:
            assert response.status == status, await response.text()
            if response.content_type == "application/json":
                return await response.json()
            return await response.text()

    async def get(self, path: str, *, status: int = 200) -> Any:
        return await self.call("GET", path, status=status)

    async def post(self, path: str, body: object = None, *, status: int = 200) -> Any:
        return await self.call("POST", path, body, status=status)

    async def delete(self, path: str, *, status: int = 204) -> Any:
        return await self.call("DELETE", path, status=status)

    async def add_slot(
        self, starts_at: datetime, line: str = "virka-info", *, status: int = 201, **more: object
    ) -> Any:
        body = {"line": line, "starts_at": utc_iso(starts_at), **more}
        return await self.post("/api/schedule/slots", body, status=status)

    async def close(self) -> None:
        await self.session.close()


Scene = Callable[[Client, dict[str, Staff]], Awaitable[None]]


def with_staff(app: web.Application, scene: Scene, *names: str) -> None:
    """Run `scene` with each of `names` logged in in a browser of their own."""

    async def scenario(client: Client) -> None:
        staff = {name: await Staff.login(client, name) for name in names}
        try:
            await scene(client, staff)
        finally:
            for member in staff.values():
                await member.close()

    run_app(app, scenario)


def kiosk_headers(token: str, kiosk_id: str = "itakeskus-1") -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "X-Kiosk-Id": kiosk_id}


def test_an_advisor_adds_lists_and_removes_slots_of_their_own(
    app: web.Application, people: None
) -> None:
    async def scene(client: Client, staff: dict[str, Staff]) -> None:
        anna = staff["anna"]
        slot = await anna.add_slot(TUESDAY_TEN)
        assert slot["advisor"] == "anna" and slot["line"] == "virka-info"
        assert slot["starts_at"] == "2025-01-14T08:00:00.000Z"
        assert slot["ends_at"] == "2025-01-14T08:20:00.000Z"  # [appointments] slot_minutes
        assert slot["booking"] is None
        longer = await anna.add_slot(TUESDAY_TEN + timedelta(hours=1), minutes=45)
        assert longer["ends_at"] == "2025-01-14T09:45:00.000Z"

        week = await anna.get(f"/api/schedule?week={WEEK}")
        assert (week["week"], week["advisor"], week["lines"]) == (WEEK, "anna", ["virka-info"])
        assert week["slot_minutes"] == 20
        assert [s["id"] for s in week["slots"]] == [slot["id"], longer["id"]]
        # Without a week: this week (the fixed clock's Monday is in it).
        assert (await anna.get("/api/schedule"))["week"] == WEEK
        assert (await anna.get("/api/schedule?week=2025-W04"))["slots"] == []

        await anna.delete(f"/api/schedule/slots/{slot['id']}")
        week = await anna.get(f"/api/schedule?week={WEEK}")
        assert [s["id"] for s in week["slots"]] == [longer["id"]]
        await anna.delete(f"/api/schedule/slots/{slot['id']}", status=404)

    with_staff(app, scene, "anna")


def test_an_advisor_may_not_touch_another_advisors_slots_nor_a_line_they_do_not_answer(
    app: web.Application, people: None, store: HubStore
) -> None:
    token = add_kiosk(store)

    async def scene(client: Client, staff: dict[str, Staff]) -> None:
        anna, ben, carl = staff["anna"], staff["ben"], staff["carl"]
        refused = await anna.add_slot(TUESDAY_TEN, "kansalaisneuvonta", status=422)
        assert refused["field"] == "line"
        await carl.add_slot(TUESDAY_TEN, "virka-info", status=422)
        await anna.add_slot(TUESDAY_TEN, status=403, advisor="ben")
        await anna.get(f"/api/schedule?week={WEEK}&advisor=ben", status=403)

        bens = await ben.add_slot(TUESDAY_TEN)
        await anna.delete(f"/api/schedule/slots/{bens['id']}", status=403)
        assert (await anna.get(f"/api/schedule?week={WEEK}"))["slots"] == []
        assert [s["id"] for s in (await ben.get(f"/api/schedule?week={WEEK}"))["slots"]] == [
            bens["id"]
        ]
        # A write without the session's CSRF token is refused before it is read.
        await anna.call(
            "POST",
            "/api/schedule/slots",
            {"line": "virka-info", "starts_at": utc_iso(TUESDAY_TEN)},
            status=403,
            csrf=False,
        )
        await ben.call("DELETE", f"/api/schedule/slots/{bens['id']}", status=403, csrf=False)
        # Kiosks and strangers have no schedule.
        response = await client.get("/api/schedule", headers=kiosk_headers(token))
        assert response.status == 403
        async with (
            aiohttp.ClientSession(base_url=client.make_url("/")) as stranger,
            stranger.get("/api/schedule") as response,
        ):
            assert response.status == 401

    with_staff(app, scene, "anna", "ben", "carl")


def test_an_admin_manages_any_advisors_slots_on_the_lines_they_answer(
    app: web.Application, people: None
) -> None:
    async def scene(client: Client, staff: dict[str, Staff]) -> None:
        root, anna = staff["root"], staff["anna"]
        for_ben = await root.add_slot(TUESDAY_TEN, advisor="ben")
        assert for_ben["advisor"] == "ben"
        refused = await root.add_slot(TUESDAY_TEN, advisor="carl", status=422)
        assert refused["field"] == "line"
        assert (await root.add_slot(TUESDAY_TEN, status=422))["field"] == "advisor"
        for_carl = await root.add_slot(TUESDAY_TEN, "kansalaisneuvonta", advisor="carl")

        week = await root.get(f"/api/schedule?week={WEEK}&advisor=ben")
        assert week["advisors"] == ["anna", "ben", "carl"]
        assert [s["id"] for s in week["slots"]] == [for_ben["id"]]
        week = await root.get(f"/api/schedule?week={WEEK}&advisor=carl")
        assert week["lines"] == ["kansalaisneuvonta"]
        assert [s["id"] for s in week["slots"]] == [for_carl["id"]]

        annas = await anna.add_slot(TUESDAY_TEN)
        await root.delete(f"/api/schedule/slots/{annas['id']}")
        await root.delete(f"/api/schedule/slots/{for_ben['id']}")
        assert (await root.get(f"/api/schedule?week={WEEK}&advisor=anna"))["slots"] == []

    with_staff(app, scene, "root", "anna")


def test_overlapping_past_and_malformed_slots_are_refused_naming_the_field(
    app: web.Application, people: None, clock: FixedClock
) -> None:
    async def scene(client: Client, staff: dict[str, Staff]) -> None:
        anna, ben = staff["anna"], staff["ben"]
        await anna.add_slot(TUESDAY_TEN)
        overlap = await anna.add_slot(TUESDAY_TEN + timedelta(minutes=10), status=422)
        assert overlap["field"] == "starts_at" and "overlaps" in overlap["error"]
        await anna.add_slot(TUESDAY_TEN - timedelta(minutes=10), status=422)
        # Back to back is no overlap, and another advisor's time is theirs.
        await anna.add_slot(TUESDAY_TEN + timedelta(minutes=20))
        await ben.add_slot(TUESDAY_TEN)

        past = await anna.add_slot(clock.now - timedelta(minutes=1), status=422)
        assert past["field"] == "starts_at"
        for starts_at in ("tomorrow", "2025-01-14T10:00:00", 1736841600):
            body = {"line": "virka-info", "starts_at": starts_at}
            refused = await anna.post("/api/schedule/slots", body, status=422)
            assert refused["field"] == "starts_at"
        for minutes in (0, 4, 241, "20", True):
            refused = await anna.add_slot(
                TUESDAY_TEN + timedelta(days=1), status=422, minutes=minutes
            )
            assert refused["field"] == "minutes"
        assert (await anna.get("/api/schedule?week=W3", status=422))["field"] == "week"

    with_staff(app, scene, "anna", "ben")
