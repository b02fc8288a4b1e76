"""The rollout API (docs/updates.md "Rollout (hub)"): an admin sets libraries, pilot groups and
versions; support reads where each kiosk stands; each kiosk's heartbeat answer carries the
version wanted for it. On the real app and a real database (SQLite, or PostgreSQL)."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from hub.store import HubStore
from tests.hub.conftest import FixedClock, add_kiosk, add_user, run_app
from tests.hub.test_fleet import Kiosk
from tests.hub.test_schedule import Staff

Client = TestClient[web.Request, web.Application]
KIOSKS = ("pasila-1", "pasila-2", "kallio-1")


def updates_scenario(app: web.Application, store: HubStore, body: Any) -> None:
    """Run `body(admin, support, kiosks)` with three kiosks, admin `paa` and support `tuki`."""
    add_user(store, "paa", "admin")
    add_user(store, "tuki", "support")
    tokens = {kiosk_id: add_kiosk(store, kiosk_id) for kiosk_id in KIOSKS}

    async def scenario(client: Client) -> None:
        admin = await Staff.login(client, "paa")
        support = await Staff.login(client, "tuki")
        kiosks = {kiosk_id: Kiosk(client, kiosk_id, token) for kiosk_id, token in tokens.items()}
        try:
            await body(admin, support, kiosks)
        finally:
            await admin.close()
            await support.close()

    run_app(app, scenario)


async def wanted(kiosk: Kiosk, **update: Any) -> str | None:
    """The version the hub answers the kiosk's heartbeat with."""
    from tests.hub.test_fleet import beat

    body = beat(update=update) if update else beat()
    answer = await kiosk.post("/api/kiosk/heartbeat", body)
    return None if answer["update"] is None else str(answer["update"]["version"])


async def place(admin: Staff) -> None:
    """pasila-1 and pasila-2 in library pasila, kallio-1 in kallio; pasila-1 in group pilot."""
    for kiosk_id in KIOSKS:
        library = kiosk_id.split("-")[0]
        found = await admin.call(
            "PUT", f"/api/admin/kiosks/{kiosk_id}/library", {"library": library}
        )
        assert found == {"kiosk_id": kiosk_id, "library": library}
    group = await admin.call("PUT", "/api/admin/update-groups/pilot", {"kiosks": ["pasila-1"]})
    assert group == {"name": "pilot", "kiosks": ["pasila-1"]}


def test_a_version_for_a_group_reaches_only_its_kiosks_and_falls_back_when_taken_away(
    app: web.Application, store: HubStore, clock: FixedClock
) -> None:
    async def body(admin: Staff, support: Staff, kiosks: dict[str, Kiosk]) -> None:
        assert [await wanted(kiosks[k]) for k in KIOSKS] == [None, None, None]
        await place(admin)
        await admin.call("PUT", "/api/admin/rollouts", {"target": "all", "version": "0.2.0"})
        clock.advance(seconds=1)
        await admin.call(
            "PUT", "/api/admin/rollouts", {"target": "library:pasila", "version": "0.2.1"}
        )
        clock.advance(seconds=1)
        set_ = await admin.call(
            "PUT", "/api/admin/rollouts", {"target": "group:pilot", "version": "0.3.0~rc1"}
        )
        assert set_["target"] == "group:pilot" and set_["version"] == "0.3.0~rc1"
        assert set_["set_by"] == "paa" and set_["kiosks"] == 1
        assert [await wanted(kiosks[k]) for k in KIOSKS] == ["0.3.0~rc1", "0.2.1", "0.2.0"]

        seen = await support.call("GET", "/api/support/updates")
        by_id = {item["kiosk_id"]: item for item in seen["kiosks"]}
        assert by_id["pasila-1"]["wanted_from"] == "group:pilot"
        assert by_id["pasila-1"]["groups"] == ["pilot"]
        assert by_id["pasila-2"]["wanted_from"] == "library:pasila"
        assert by_id["kallio-1"]["wanted_from"] == "all"
        assert by_id["kallio-1"]["library"] == "kallio" and by_id["kallio-1"]["state"] is None
        counts = {item["target"]: item["kiosks"] for item in seen["rollouts"]}
        assert counts == {"all": 1, "library:pasila": 1, "group:pilot": 1}
        assert seen["groups"] == [{"name": "pilot", "kiosks": ["pasila-1"]}]
        assert seen["libraries"] == [
            {"library": "kallio", "kiosks": 1},
            {"library": "pasila", "kiosks": 2},
        ]

        # Taken away, each falls back to the next target; none left: nothing wanted.
        await admin.call("DELETE", "/api/admin/rollouts/group:pilot", status=204)
        await admin.call("DELETE", "/api/admin/rollouts/group:pilot", status=404)
        assert await wanted(kiosks["pasila-1"]) == "0.2.1"
        await admin.call("PUT", "/api/admin/kiosks/pasila-1/library", {"library": ""})
        assert await wanted(kiosks["pasila-1"]) == "0.2.0"
        await admin.call("DELETE", "/api/admin/rollouts/all", status=204)
        assert await wanted(kiosks["pasila-1"]) is None
        assert await wanted(kiosks["pasila-2"]) == "0.2.1"

        # A group emptied or deleted takes its version with it.
        await admin.call(
            "PUT", "/api/admin/rollouts", {"target": "group:pilot", "version": "0.3.0"}
        )
        assert await wanted(kiosks["pasila-1"]) == "0.3.0"
        await admin.call("DELETE", "/api/admin/update-groups/pilot", status=204)
        assert await wanted(kiosks["pasila-1"]) is None
        seen = await support.call("GET", "/api/support/updates")
        assert [item["target"] for item in seen["rollouts"]] == ["library:pasila"]
        assert seen["groups"] == []

    updates_scenario(app, store, body)


def test_among_several_groups_the_version_set_last_wins(
    app: web.Application, store: HubStore, clock: FixedClock
) -> None:
    async def body(admin: Staff, support: Staff, kiosks: dict[str, Kiosk]) -> None:
        await admin.call("PUT", "/api/admin/update-groups/early", {"kiosks": ["pasila-1"]})
        await admin.call(
            "PUT", "/api/admin/update-groups/late", {"kiosks": ["pasila-1", "kallio-1"]}
        )
        await admin.call("PUT", "/api/admin/rollouts", {"target": "group:late", "version": "1.0"})
        clock.advance(minutes=1)
        await admin.call("PUT", "/api/admin/rollouts", {"target": "group:early", "version": "1.1"})
        assert await wanted(kiosks["pasila-1"]) == "1.1"
        clock.advance(minutes=1)
        await admin.call("PUT", "/api/admin/rollouts", {"target": "group:late", "version": "1.2"})
        assert await wanted(kiosks["pasila-1"]) == "1.2"
        assert await wanted(kiosks["kallio-1"]) == "1.2"
        assert await wanted(kiosks["pasila-2"]) is None

    updates_scenario(app, store, body)


def test_bad_targets_versions_and_members_are_refused_naming_the_field(
    app: web.Application, store: HubStore
) -> None:
    async def body(admin: Staff, support: Staff, kiosks: dict[str, Kiosk]) -> None:
        async def refused(method: str, path: str, sent: object, field: str) -> str:
            found = await admin.call(method, path, sent, status=422)
            assert found["code"] == "refused" and found["field"] == field, found
            return str(found["error"])

        put = "/api/admin/rollouts"
        assert "group" in await refused(
            "PUT", put, {"target": "everyone", "version": "1"}, "target"
        )
        assert "no group nobody" in await refused(
            "PUT", put, {"target": "group:nobody", "version": "1.0"}, "target"
        )
        assert "no kiosk is in library tikkurila" in await refused(
            "PUT", put, {"target": "library:tikkurila", "version": "1.0"}, "target"
        )
        for version in ("v1.0", "", "1.0 beta", "1" * 65, 1, None, "1:2.0"):
            await refused("PUT", put, {"target": "all", "version": version}, "version")
        assert "no kiosk ghost-9" in await refused(
            "PUT",
            "/api/admin/update-groups/pilot",
            {"kiosks": ["pasila-1", "ghost-9"]},
            "kiosks[1]",
        )
        await refused("PUT", "/api/admin/update-groups/Pilot!", {"kiosks": []}, "name")
        await refused("PUT", "/api/admin/kiosks/pasila-1/library", {"library": "Pä"}, "library")
        await admin.call("PUT", "/api/admin/kiosks/ghost-9/library", {"library": "x"}, status=404)
        await admin.call("PUT", put, [1, 2], status=400)
        await admin.call("DELETE", "/api/admin/update-groups/pilot", status=404)
        # Nothing of it was stored.
        seen = await support.call("GET", "/api/support/updates")
        assert seen["rollouts"] == [] and seen["groups"] == [] and seen["libraries"] == []

    updates_scenario(app, store, body)


def test_only_an_admin_changes_rollouts_and_only_with_the_csrf_token(
    app: web.Application, store: HubStore
) -> None:
    async def body(admin: Staff, support: Staff, kiosks: dict[str, Kiosk]) -> None:
        sent = {"target": "all", "version": "1.0"}
        await support.call("PUT", "/api/admin/rollouts", sent, status=403)
        await admin.call("PUT", "/api/admin/rollouts", sent, status=403, csrf=False)
        assert (await support.call("GET", "/api/support/updates"))["rollouts"] == []
        assert await wanted(kiosks["kallio-1"]) is None
        await admin.call("PUT", "/api/admin/rollouts", sent)
        assert await wanted(kiosks["kallio-1"]) == "1.0"

    updates_scenario(app, store, body)
