"""Alerts: opened and cleared by device states, silence and the app, mailed once through a real
SMTP server (aiosmtpd)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from hub.app import make_app
from hub.config import load_config
from hub.fleet.service import FLEET
from hub.hours import utc_iso
from hub.store import HubStore
from tests.hub.conftest import MONDAY_MORNING, FixedClock, add_kiosk
from tests.hub.test_fleet import Kiosk, Support, event, fleet_scenario, printer
from tests.peers.smtp import SmtpSink

CONTACT = "Liisa Lainaaja, 09 123 4567"


def alert_app(
    write_config: Callable[[str], Path], store: HubStore, clock: FixedClock, sink: SmtpSink
) -> web.Application:
    config = load_config(
        write_config(
            f'[smtp]\nhost = "127.0.0.1"\nport = {sink.port}\ntimeout_seconds = 5\n'
            "allow_plain_smtp_to_loopback = true\n"
            '[alerts]\nnotify_clear = ["kirjasto@example.fi"]\n'
            'notify_maintenance = ["huolto@example.fi", "tuki@example.fi"]\n'
        )
    )
    return make_app(config, store, clock=clock)


async def mails(sink: SmtpSink, count: int) -> list[tuple[list[str], str]]:
    """The first `count` mails the sink received, waiting (up to a deadline) for them."""
    async with asyncio.timeout(10):
        while len(sink.received) < count:
            await asyncio.sleep(0.02)
    return [(to, data.decode()) for to, data in sink.received]


async def open_alerts(support: Support) -> list[dict[str, Any]]:
    fleet = await support.get("/api/support/fleet")
    alerts: list[dict[str, Any]] = fleet["kiosks"][0]["open_alerts"]
    return alerts


def test_a_clear_alert_names_the_contact_and_is_mailed_once_to_library_staff(
    write_config: Callable[[str], Path], store: HubStore, clock: FixedClock, smtp_sink: SmtpSink
) -> None:
    smtp_sink.start()
    app = alert_app(write_config, store, clock, smtp_sink)

    async def body(kiosk: Kiosk, support: Support) -> None:
        store.db.execute("UPDATE kiosks SET contact = ?", [CONTACT])
        await kiosk.beat(devices=printer("clear", "media-empty"))
        await kiosk.beat(devices=printer("clear", "media-empty"))
        (alert,) = await open_alerts(support)
        assert alert["source"] == "device" and alert["device_id"] == "printer"
        assert alert["code"] == "media-empty" and alert["attention"] == "clear"
        assert alert["contact"] == CONTACT
        # A technician's alert afterwards: its mail comes second, so a repeat of the first
        # would have come before it.
        await kiosk.beat(devices=printer("maintenance", "toner-empty"))
        (first, second) = await mails(smtp_sink, 2)
        assert first[0] == ["kirjasto@example.fi"]
        assert "itakeskus-1" in first[1] and "Itäkeskus library" in first[1]
        assert "printer" in first[1] and "media-empty" in first[1]
        assert "Liisa" not in first[1] and "123 4567" not in first[1]
        assert second[0] == ["huolto@example.fi", "tuki@example.fi"]
        assert "toner-empty" in second[1]
        # The newer state superseded the paper alert; its own clears with attention none.
        (alert,) = await open_alerts(support)
        assert alert["code"] == "toner-empty" and alert["contact"] is None
        await kiosk.beat(devices=printer("none", None, state="online"))
        assert await open_alerts(support) == []
        detail = await support.get("/api/support/kiosks/itakeskus-1")
        assert [a["cleared_at"] is not None for a in detail["alerts"]] == [True, True]
        assert len(smtp_sink.received) == 2

    fleet_scenario(app, store, body)


def test_device_events_open_and_clear_alerts_and_a_late_one_changes_nothing(
    app: web.Application, store: HubStore
) -> None:
    def device(event_id: int, minute: int, attention: str, code: str | None) -> dict[str, Any]:
        return event(
            event_id,
            at=f"2025-01-13T07:{minute:02d}:00Z",
            kind="device",
            level="warning",
            device_id="card_reader",
            code=code,
            attention=attention,
            payload={"state": "offline" if code else "online"},
        )

    async def body(kiosk: Kiosk, support: Support) -> None:
        await kiosk.post("/api/kiosk/events", {"events": [device(1, 10, "suspend", "no-reader")]})
        (alert,) = await open_alerts(support)
        assert alert["device_id"] == "card_reader" and alert["attention"] == "suspend"
        await kiosk.post("/api/kiosk/events", {"events": [device(2, 20, "none", None)]})
        assert await open_alerts(support) == []
        await kiosk.post("/api/kiosk/events", {"events": [device(3, 15, "suspend", "no-reader")]})
        assert await open_alerts(support) == []
        detail = await support.get("/api/support/kiosks/itakeskus-1")
        assert [(h["state"], h["attention"]) for h in detail["device_history"]] == [
            ("online", "none"),
            ("offline", "suspend"),
            ("offline", "suspend"),
        ]

    fleet_scenario(app, store, body)


def test_a_silent_kiosk_goes_offline_and_its_next_heartbeat_clears_it(
    app: web.Application, store: HubStore, clock: FixedClock
) -> None:
    async def body(kiosk: Kiosk, support: Support) -> None:
        await kiosk.beat()
        clock.advance(minutes=2)
        app[FLEET].watch()
        assert await open_alerts(support) == []
        clock.advance(minutes=2)
        app[FLEET].watch()
        app[FLEET].watch()
        (alert,) = await open_alerts(support)
        assert alert["source"] == "offline" and alert["attention"] == "maintenance"
        await kiosk.beat()
        assert await open_alerts(support) == []

    fleet_scenario(app, store, body)


def test_a_revoked_kiosk_is_never_offline_and_its_offline_alert_is_cleared(
    app: web.Application, store: HubStore, clock: FixedClock
) -> None:
    async def body(kiosk: Kiosk, support: Support) -> None:
        await kiosk.beat()
        clock.advance(minutes=5)
        app[FLEET].watch()
        (alert,) = await open_alerts(support)
        assert alert["source"] == "offline"
        assert store.revoke_kiosk("itakeskus-1")
        app[FLEET].watch()
        assert await open_alerts(support) == []
        clock.advance(hours=2)
        app[FLEET].watch()
        assert await open_alerts(support) == []

    fleet_scenario(app, store, body)


def test_the_app_down_or_restarting_too_long_is_an_alert(
    app: web.Application, store: HubStore, clock: FixedClock
) -> None:
    async def body(kiosk: Kiosk, support: Support) -> None:
        await kiosk.beat(app={"state": "down", "since": None, "version": "0.9"})
        (alert,) = await open_alerts(support)
        assert (alert["source"], alert["code"]) == ("app", "down")
        await kiosk.beat()
        assert await open_alerts(support) == []
        restarting = {"state": "restarting", "since": "2025-01-13T07:59:00Z", "version": "0.9"}
        await kiosk.beat(app=restarting)
        assert await open_alerts(support) == []
        clock.advance(minutes=3)
        await kiosk.beat(app=restarting)
        (alert,) = await open_alerts(support)
        assert (alert["source"], alert["code"]) == ("app", "restarting")

    fleet_scenario(app, store, body)


def test_at_start_only_kiosks_silent_before_the_hub_stopped_are_offline(
    app: web.Application, store: HubStore, clock: FixedClock
) -> None:
    # The hub stopped at 08:30 and starts at 08:40: kallio-1 was beating until it stopped,
    # itakeskus-1 had been silent since 08:10.
    add_kiosk(store, "kallio-1")
    for kiosk_id, minutes in (("kallio-1", 30), ("itakeskus-1", 10)):
        store.db.execute(
            "INSERT INTO kiosk_status (kiosk_id, received_at, app_state) VALUES (?, ?, 'running')",
            [kiosk_id, utc_iso(MONDAY_MORNING.replace(minute=minutes))],
        )

    async def body(kiosk: Kiosk, support: Support) -> None:
        async with asyncio.timeout(10):
            while not app[FLEET].book.open_alerts():
                await asyncio.sleep(0.02)
        fleet = await support.get("/api/support/fleet")
        offline = {
            item["kiosk_id"]: [alert["source"] for alert in item["open_alerts"]]
            for item in fleet["kiosks"]
        }
        assert offline == {"itakeskus-1": ["offline"], "kallio-1": []}
        clock.advance(minutes=4)
        app[FLEET].watch()
        fleet = await support.get("/api/support/fleet")
        assert all(item["open_alerts"] for item in fleet["kiosks"])

    clock.advance(minutes=40)
    fleet_scenario(app, store, body)


def test_a_relay_that_is_down_never_holds_up_a_heartbeat(
    write_config: Callable[[str], Path], store: HubStore, clock: FixedClock, smtp_sink: SmtpSink
) -> None:
    app = alert_app(write_config, store, clock, smtp_sink)  # the sink is never started

    async def body(kiosk: Kiosk, support: Support) -> None:
        await kiosk.beat(devices=printer("clear", "media-empty"))
        assert len(await open_alerts(support)) == 1
        async with asyncio.timeout(10):
            while not app[FLEET].notifier.failed:  # type: ignore[union-attr]
                await asyncio.sleep(0.02)
        (row,) = store.db.execute("SELECT notified_at FROM alerts").fetchall()
        assert row == (None,)
        await kiosk.beat(devices=printer("clear", "media-empty"))

    fleet_scenario(app, store, body)
