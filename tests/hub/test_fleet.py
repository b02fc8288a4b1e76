"""Fleet health, kiosk side and support's API: heartbeats, events, usage, actions, self-tests,
on the real app and a real SQLite file."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestClient

from hub.fleet.service import FLEET
from hub.store import HubStore
from tests.hub.conftest import FixedClock, add_kiosk, add_user, log_in, run_app

Client = TestClient[web.Request, web.Application]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def beat(**changes: Any) -> dict[str, Any]:
    """A heartbeat as kiosk-agent sends it."""
    body: dict[str, Any] = {
        "sent_at": "2025-01-13T08:00:00Z",
        "app": {"state": "running", "since": "2025-01-13T07:00:00Z", "version": "0.9"},
        "agent_version": "0.9",
        "session_active": False,
        "devices": {
            "printer": {"state": "online", "attention": "none", "code": None, "since": None}
        },
        "disk": {"free_bytes": 10**10, "total_bytes": 6 * 10**10},
        "memory": {"available_bytes": 2 * 10**9, "total_bytes": 8 * 10**9},
        "uptime_seconds": 3600,
        "last_self_test": None,
    }
    body.update(changes)
    return body


def printer(attention: str, code: str | None, state: str = "degraded") -> dict[str, Any]:
    return {"printer": {"state": state, "attention": attention, "code": code, "since": None}}


def event(event_id: int, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": event_id,
        "at": f"2025-01-13T07:{event_id % 60:02d}:00Z",
        "level": "info",
        "kind": "log",
        "device_id": None,
        "session_id": None,
        "code": None,
        "attention": None,
        "message": f"message {event_id}",
        "payload": {},
    }
    body.update(changes)
    return body


class Kiosk:
    """One enrolled kiosk talking to the hub with its token."""

    def __init__(self, client: Client, kiosk_id: str, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}", "X-Kiosk-Id": kiosk_id}

    async def post(self, path: str, body: object, status: int = 200) -> Any:
        data = io.BytesIO(json.dumps(body).encode())  # big bodies too, as the agent sends them
        headers = {**self.headers, "Content-Type": "application/json"}
        response = await self.client.post(path, data=data, headers=headers)
        assert response.status == status, await response.text()
        return await response.json()

    async def beat(self, **changes: Any) -> list[dict[str, Any]]:
        answer = await self.post("/api/kiosk/heartbeat", beat(**changes))
        actions: list[dict[str, Any]] = answer["actions"]
        return actions


class Support:
    """A logged-in support member's browser."""

    def __init__(self, session: aiohttp.ClientSession, csrf: str) -> None:
        self.session = session
        self.csrf = csrf

    @classmethod
    async def login(cls, client: Client, username: str = "tuki") -> Support:
        jar = aiohttp.CookieJar(unsafe=True)
        session = aiohttp.ClientSession(base_url=client.make_url("/"), cookie_jar=jar)
        return cls(session, await log_in(session, username))

    async def get(self, path: str, status: int = 200) -> Any:
        async with self.session.get(path) as response:
            assert response.status == status, await response.text()
            return await response.json() if status == 200 else None

    async def post(self, path: str, body: object, status: int = 202) -> Any:
        headers = {"X-CSRF-Token": self.csrf}
        async with self.session.post(path, json=body, headers=headers) as response:
            assert response.status == status, await response.text()
            return await response.json()

    async def close(self) -> None:
        await self.session.close()


def fleet_scenario(app: web.Application, store: HubStore, body: Any) -> None:
    """Run `body(kiosk, support)` with kiosk itakeskus-1 and support member `tuki`."""
    add_user(store, "tuki", "support")
    token = add_kiosk(store, "itakeskus-1")

    async def scenario(client: Client) -> None:
        support = await Support.login(client)
        try:
            await body(Kiosk(client, "itakeskus-1", token), support)
        finally:
            await support.close()

    run_app(app, scenario)


def test_a_heartbeat_shows_the_kiosk_online_with_its_devices(
    app: web.Application, store: HubStore, clock: FixedClock
) -> None:
    async def body(kiosk: Kiosk, support: Support) -> None:
        fleet = await support.get("/api/support/fleet")
        (item,) = fleet["kiosks"]
        assert item["online"] is False and item["last_heartbeat"] is None
        assert await kiosk.beat(session_active=True) == []
        (item,) = (await support.get("/api/support/fleet"))["kiosks"]
        assert item["online"] is True
        assert item["app_state"] == "running" and item["version"] == "0.9"
        assert item["session_active"] is True
        assert item["devices"] == {
            "printer": {"state": "online", "attention": "none", "code": None}
        }
        assert item["location"] == "Itäkeskus library"
        detail = await support.get("/api/support/kiosks/itakeskus-1")
        assert detail["kiosk"]["disk"] == {"free_bytes": 10**10, "total_bytes": 6 * 10**10}
        assert detail["kiosk"]["uptime_s"] == 3600
        clock.advance(minutes=4)
        (item,) = (await support.get("/api/support/fleet"))["kiosks"]
        assert item["online"] is False
        await support.get("/api/support/kiosks/nobody", status=404)

    fleet_scenario(app, store, body)


def test_event_batches_are_stored_once_and_searchable(
    app: web.Application, store: HubStore
) -> None:
    async def body(kiosk: Kiosk, support: Support) -> None:
        batch = {
            "events": [
                event(1),
                event(2, level="error", kind="print", code="media-empty", message="Out of paper"),
                event(3, level="warning", message="disk getting full"),
            ]
        }
        assert await kiosk.post("/api/kiosk/events", batch) == {"stored": 3, "duplicates": 0}
        assert await kiosk.post("/api/kiosk/events", batch) == {"stored": 0, "duplicates": 3}
        more = {"events": [event(3), event(4)]}
        assert await kiosk.post("/api/kiosk/events", more) == {"stored": 1, "duplicates": 1}
        logs = await support.get("/api/support/kiosks/itakeskus-1/logs")
        assert [record["message"] for record in logs["records"]] == [
            "message 4",
            "disk getting full",
            "Out of paper",
            "message 1",
        ]
        warned = await support.get("/api/support/kiosks/itakeskus-1/logs?level=warning")
        assert {record["level"] for record in warned["records"]} == {"warning", "error"}
        found = await support.get("/api/support/kiosks/itakeskus-1/logs?q=MEDIA")
        assert [record["code"] for record in found["records"]] == ["media-empty"]
        limited = await support.get("/api/support/kiosks/itakeskus-1/logs?limit=1")
        assert len(limited["records"]) == 1
        await support.get("/api/support/kiosks/itakeskus-1/logs?level=loud", status=400)

    fleet_scenario(app, store, body)


def test_a_malformed_body_is_refused_naming_the_field(
    app: web.Application, store: HubStore
) -> None:
    async def body(kiosk: Kiosk, support: Support) -> None:
        refused = await kiosk.post(
            "/api/kiosk/events", {"events": [event(1), event(2, at="yesterday")]}, status=400
        )
        assert refused["field"] == "events[1].at"
        refused = await kiosk.post(
            "/api/kiosk/heartbeat", beat(app={"state": "sleeping"}), status=400
        )
        assert refused["field"] == "app.state"
        refused = await kiosk.post("/api/kiosk/usage", {"usage": "many"}, status=400)
        assert refused["field"] == "usage"
        too_many = {"events": [event(n) for n in range(1, 502)]}
        refused = await kiosk.post("/api/kiosk/events", too_many, status=400)
        assert "at most 500" in refused["error"]
        response = await kiosk.client.post(
            "/api/kiosk/heartbeat", data=b"{not json", headers=kiosk.headers
        )
        assert response.status == 400
        # Nothing of the refused batch was stored.
        assert (await support.get("/api/support/kiosks/itakeskus-1/logs"))["records"] == []

    fleet_scenario(app, store, body)


def test_usage_batches_are_stored_once(app: web.Application, store: HubStore) -> None:
    rows = [
        {"id": 1, "session_id": "s1", "kind": "session_start", "service": None,
         "language": "fi", "value": None, "duration_ms": None, "at": "2025-01-13T08:00:00Z"},
        {"id": 2, "session_id": "s1", "kind": "service_opened", "service": "print",
         "language": "fi", "value": None, "duration_ms": None, "at": "2025-01-13T08:01:00Z"},
    ]  # fmt: skip

    async def body(kiosk: Kiosk, support: Support) -> None:
        assert await kiosk.post("/api/kiosk/usage", {"usage": rows}) == {
            "stored": 2,
            "duplicates": 0,
        }
        assert await kiosk.post("/api/kiosk/usage", {"usage": rows}) == {
            "stored": 0,
            "duplicates": 2,
        }

    fleet_scenario(app, store, body)


def test_an_action_goes_out_with_the_next_heartbeat_once_and_its_result_is_kept(
    app: web.Application, store: HubStore
) -> None:
    add_user(store, "neuvoja", "advisor")

    async def body(kiosk: Kiosk, support: Support) -> None:
        asked = await support.post(
            "/api/support/kiosks/itakeskus-1/actions", {"kind": "screenshot"}
        )
        await support.post(
            "/api/support/kiosks/itakeskus-1/actions", {"kind": "reboot"}, status=400
        )
        actions = await kiosk.beat()
        assert actions == [
            {"id": asked["id"], "kind": "screenshot", "device_id": None, "requested_by": "tuki"}
        ]
        assert await kiosk.beat() == []
        result = {"ok": True, "message": "", "screenshot_png": base64.b64encode(PNG).decode()}
        await kiosk.post(f"/api/kiosk/actions/{asked['id']}/result", result)
        detail = await support.get("/api/support/kiosks/itakeskus-1")
        (action,) = detail["actions"]
        assert action["requested_by"] == "tuki" and action["ok"] is True
        assert action["has_screenshot"] is True and action["done_at"] is not None
        async with support.session.get(f"/api/support/actions/{asked['id']}/screenshot") as got:
            assert got.status == 200 and got.content_type == "image/png"
            assert await got.read() == PNG
        advisor = await Support.login(kiosk.client, "neuvoja")
        try:
            async with advisor.session.get(f"/api/support/actions/{asked['id']}/screenshot") as got:
                assert got.status == 403
        finally:
            await advisor.close()
        # A screen-sized image arrives in many pieces; all of it is kept.
        big = PNG + bytes(range(256)) * 12_000
        second = await support.post(
            "/api/support/kiosks/itakeskus-1/actions", {"kind": "screenshot"}
        )
        await kiosk.beat()
        result = {"ok": True, "screenshot_png": base64.b64encode(big).decode()}
        await kiosk.post(f"/api/kiosk/actions/{second['id']}/result", result)
        async with support.session.get(f"/api/support/actions/{second['id']}/screenshot") as got:
            assert await got.read() == big
        not_png = {"ok": True, "screenshot_png": base64.b64encode(b"GIF89a").decode()}
        refused = await kiosk.post(f"/api/kiosk/actions/{asked['id']}/result", not_png, 400)
        assert refused["field"] == "screenshot_png"

    fleet_scenario(app, store, body)


def test_another_kiosks_action_cannot_be_answered(app: web.Application, store: HubStore) -> None:
    other = add_kiosk(store, "kallio-1")

    async def body(kiosk: Kiosk, support: Support) -> None:
        asked = await support.post("/api/support/kiosks/itakeskus-1/actions", {"kind": "self-test"})
        intruder = Kiosk(kiosk.client, "kallio-1", other)
        await intruder.post(f"/api/kiosk/actions/{asked['id']}/result", {"ok": True}, 404)
        assert await intruder.beat() == []

    fleet_scenario(app, store, body)


def test_a_self_test_report_is_kept_and_logged(app: web.Application, store: HubStore) -> None:
    async def body(kiosk: Kiosk, support: Support) -> None:
        report = {
            "at": "2025-01-13T07:55:00Z",
            "results": {"printer": "ok", "camera": "failed: no frames"},
        }
        assert await kiosk.post("/api/kiosk/self-test", report) == {}
        detail = await support.get("/api/support/kiosks/itakeskus-1")
        # Times are kept in the hub's one format (UTC, milliseconds).
        assert detail["kiosk"]["last_self_test"] == {**report, "at": "2025-01-13T07:55:00.000Z"}
        logs = await support.get("/api/support/kiosks/itakeskus-1/logs?level=warning")
        (record,) = logs["records"]
        assert record["kind"] == "self-test" and "camera: failed: no frames" in record["message"]

    fleet_scenario(app, store, body)


def test_the_self_test_in_a_heartbeat_is_shown_and_kept_by_later_ones(
    app: web.Application, store: HubStore
) -> None:
    async def body(kiosk: Kiosk, support: Support) -> None:
        report = {"at": "2025-01-13T07:55:00Z", "results": {"printer": "failed: paper: out"}}
        await kiosk.beat(last_self_test=report)
        detail = await support.get("/api/support/kiosks/itakeskus-1")
        assert detail["kiosk"]["last_self_test"]["results"] == report["results"]
        await kiosk.beat(last_self_test=None)  # a heartbeat without one keeps it
        detail = await support.get("/api/support/kiosks/itakeskus-1")
        assert detail["kiosk"]["last_self_test"]["results"] == report["results"]

    fleet_scenario(app, store, body)


def test_the_fleet_state_survives_a_restart(
    app: web.Application, store: HubStore, clock: FixedClock
) -> None:
    async def body(kiosk: Kiosk, support: Support) -> None:
        await kiosk.beat(devices=printer("clear", "media-empty"))
        await support.post("/api/support/kiosks/itakeskus-1/actions", {"kind": "restart-app"})
        # A fresh view of the same database, as a restarted hub has.
        fleet = app[FLEET]
        fleet.load()
        assert [alert.code for alert in fleet.book.open_alerts()] == ["media-empty"]
        (action,) = await kiosk.beat(devices=printer("clear", "media-empty"))
        assert action["kind"] == "restart-app"
        assert len((await support.get("/api/support/kiosks/itakeskus-1"))["alerts"]) == 1

    fleet_scenario(app, store, body)
