"""A kiosk's update in its heartbeat (docs/updates.md): read strictly, stored, shown to support,
and its alerts: rolled-back and update-failed opened once and mailed, cleared by a later
success or a change of the version wanted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from hub.store import HubStore
from tests.hub.conftest import FixedClock
from tests.hub.test_alerts import alert_app, mails
from tests.hub.test_fleet import Kiosk, beat
from tests.hub.test_updates_api import Staff, updates_scenario
from tests.peers.smtp import SmtpSink

HEARTBEAT = "/api/kiosk/heartbeat"


def report(state: str, **fields: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"state": state, "at": "2026-12-07T02:14:03Z"}
    found.update(fields)
    return found


async def update_alerts(support: Staff, kiosk_id: str) -> list[dict[str, Any]]:
    seen = await support.call("GET", "/api/support/fleet")
    (item,) = [item for item in seen["kiosks"] if item["kiosk_id"] == kiosk_id]
    return [alert for alert in item["open_alerts"] if alert["source"] == "update"]


def test_a_report_is_stored_and_shown_and_an_older_agent_still_gets_its_answer(
    app: web.Application, store: HubStore
) -> None:
    async def body(admin: Staff, support: Staff, kiosks: dict[str, Kiosk]) -> None:
        await admin.call("PUT", "/api/admin/rollouts", {"target": "all", "version": "0.3.0"})
        kiosk = kiosks["pasila-1"]
        long_detail = "apt: E: " + "x" * 600 + "\x07"
        sent = report(
            "failed", installed="0.2.0", previous="0.1.0", wanted="0.3.0", detail=long_detail
        )
        answer = await kiosk.post(HEARTBEAT, beat(update=sent))
        assert answer["update"] == {"version": "0.3.0"} and answer["actions"] == []
        # An agent that sends no update (older ones) gets the same answer; its last report stays.
        answer = await kiosks["kallio-1"].post(HEARTBEAT, beat())
        assert answer["update"] == {"version": "0.3.0"}

        seen = await support.call("GET", "/api/support/updates")
        by_id = {item["kiosk_id"]: item for item in seen["kiosks"]}
        shown = by_id["pasila-1"]
        assert shown["state"] == "failed" and shown["installed"] == "0.2.0"
        assert shown["previous"] == "0.1.0" and shown["at"] == "2026-12-07T02:14:03.000Z"
        assert len(shown["detail"]) == 500 and shown["detail"].endswith("…")
        assert shown["reported_at"] is not None
        assert by_id["kallio-1"]["state"] is None and by_id["kallio-1"]["installed"] is None

        fleet = await support.call("GET", "/api/support/fleet")
        update = {item["kiosk_id"]: item["update"] for item in fleet["kiosks"]}
        assert update["pasila-1"]["state"] == "failed"
        assert update["pasila-1"]["wanted"] == "0.3.0"
        assert update["kallio-1"] == {
            "installed": None,
            "wanted": "0.3.0",
            "state": None,
            "detail": None,
            "at": None,
        }
        one = await support.call("GET", "/api/support/kiosks/pasila-1")
        assert one["kiosk"]["update"]["installed"] == "0.2.0"

    updates_scenario(app, store, body)


def test_a_report_that_breaks_the_protocol_is_refused_naming_the_field(
    app: web.Application, store: HubStore
) -> None:
    async def body(admin: Staff, support: Staff, kiosks: dict[str, Kiosk]) -> None:
        kiosk = kiosks["pasila-1"]
        for update, field in (
            (report("done"), "update.state"),
            ({"installed": "0.2.0"}, "update.state"),
            (report("updated", installed="latest"), "update.installed"),
            (report("updated", wanted="0.3.0\n"), "update.wanted"),
            (report("updated", previous="9" * 65), "update.previous"),
            (report("updated", at="yesterday"), "update.at"),
            ("updated", "update"),
        ):
            found = await kiosk.post(HEARTBEAT, beat(update=update), status=400)
            assert found["field"] == field, (update, found)
        seen = await support.call("GET", "/api/support/updates")
        assert all(item["state"] is None for item in seen["kiosks"])

    updates_scenario(app, store, body)


def test_a_rollback_is_alerted_once_with_its_reason_and_cleared_by_a_later_success(
    write_config: Callable[[str], Path], store: HubStore, clock: FixedClock, smtp_sink: SmtpSink
) -> None:
    smtp_sink.start()
    app = alert_app(write_config, store, clock, smtp_sink)

    async def body(admin: Staff, support: Staff, kiosks: dict[str, Kiosk]) -> None:
        await admin.call("PUT", "/api/admin/update-groups/pilot", {"kiosks": ["pasila-1"]})
        await admin.call(
            "PUT", "/api/admin/rollouts", {"target": "group:pilot", "version": "0.3.0"}
        )
        kiosk = kiosks["pasila-1"]
        rolled_back = report(
            "rolled-back",
            installed="0.2.0",
            previous="0.2.0",
            wanted="0.3.0",
            detail="the new version did not come up within 300 s",
        )
        for _ in range(3):
            await kiosk.post(HEARTBEAT, beat(update=rolled_back))
        (alert,) = await update_alerts(support, "pasila-1")
        assert alert["code"] == "rolled-back" and alert["attention"] == "maintenance"
        assert alert["detail"] == (
            "0.3.0 rolled back to 0.2.0: the new version did not come up within 300 s"
        )
        ((to, mail),) = await mails(smtp_sink, 1)
        assert to == ["huolto@example.fi", "tuki@example.fi"]
        assert "pasila-1" in mail and "rolled-back" in mail
        assert "0.3.0 rolled back to 0.2.0" in mail
        # Waiting for the next window changes nothing; success clears it.
        await kiosk.post(HEARTBEAT, beat(update=report("pending", wanted="0.3.0")))
        assert len(await update_alerts(support, "pasila-1")) == 1
        await kiosk.post(
            HEARTBEAT,
            beat(update=report("updated", installed="0.3.0", previous="0.2.0", wanted="0.3.0")),
        )
        assert await update_alerts(support, "pasila-1") == []
        assert len(smtp_sink.received) == 1
        # Other kiosks were never concerned.
        assert await update_alerts(support, "pasila-2") == []

    updates_scenario(app, store, body)


def test_a_failed_update_is_alerted_until_the_version_wanted_changes(
    app: web.Application, store: HubStore, clock: FixedClock
) -> None:
    async def body(admin: Staff, support: Staff, kiosks: dict[str, Kiosk]) -> None:
        await admin.call("PUT", "/api/admin/rollouts", {"target": "all", "version": "0.3.0"})
        kiosk = kiosks["kallio-1"]
        failed = report("failed", installed="0.2.0", wanted="0.3.0", detail="E: Unable to locate")
        await kiosk.post(HEARTBEAT, beat(update=failed))
        (alert,) = await update_alerts(support, "kallio-1")
        assert alert["code"] == "update-failed"
        assert alert["detail"] == "0.3.0 not installed, 0.2.0 kept: E: Unable to locate"
        # A rollback of the same version supersedes it: one alert, the newer.
        await kiosk.post(HEARTBEAT, beat(update={**failed, "state": "rolled-back"}))
        assert [a["code"] for a in await update_alerts(support, "kallio-1")] == ["rolled-back"]

        # The admin wants another version: the alert goes at once, and the kiosk's report about
        # the old one (sent before it heard) does not bring it back.
        clock.advance(minutes=5)
        await admin.call("PUT", "/api/admin/rollouts", {"target": "all", "version": "0.3.1"})
        assert await update_alerts(support, "kallio-1") == []
        answer = await kiosk.post(HEARTBEAT, beat(update=failed))
        assert answer["update"] == {"version": "0.3.1"}
        assert await update_alerts(support, "kallio-1") == []
        # A failure of the version wanted now is alerted again.
        await kiosk.post(HEARTBEAT, beat(update={**failed, "wanted": "0.3.1"}))
        assert [a["code"] for a in await update_alerts(support, "kallio-1")] == ["update-failed"]

    updates_scenario(app, store, body)
