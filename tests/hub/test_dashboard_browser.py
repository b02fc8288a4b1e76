"""The support dashboard in a real browser: headless Chromium logs in as support staff and
reads the fleet, one kiosk and usage, fed the whole way through the kiosk API as kiosks do.

The hub runs on the test's loop on a free port with a fixed clock; each kiosk is an HTTP client
with its own token (heartbeats, events, usage, action results).
"""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import struct
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from playwright.async_api import Page

from hub.app import make_app
from hub.config import HubConfig
from hub.eservices import shipped
from hub.fleet.service import FLEET
from hub.hours import utc_iso
from hub.store import HubStore
from tests.hub.conftest import MONDAY_MORNING, PASSWORD, FixedClock, add_user, serving
from tests.peers.browser import chromium, log_in, needs_chromium, until, watch

pytestmark = needs_chromium

KIOSKS = {
    "itakeskus-1": ("Itäkeskus 1", "Itäkeskuksen kirjasto", "Itäkeskus info desk, ext. 101"),
    "kallio-1": ("Kallio 1", "Kallion kirjasto", "Kallio service desk, ext. 202"),
    "vuosaari-1": ("Vuosaari 1", "Vuosaaren kirjasto", "Vuosaari info desk, ext. 303"),
}
OUT_OF_PAPER = ("user_error", "clear", "media-empty")
#: An e-service of the catalogue the hub serves (the shipped one).
ESERVICE = shipped().catalogue.services[0]


def tiny_png(width: int = 8, height: int = 6) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x20\x60\xa0" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = chunk(b"IDAT", zlib.compress(rows))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + idat + chunk(b"IEND", b"")


class Kiosk:
    """One enrolled kiosk speaking the kiosk API."""

    def __init__(self, http: aiohttp.ClientSession, base: str, kiosk_id: str, token: str) -> None:
        self.http, self.base, self.kiosk_id = http, base, kiosk_id
        self.headers = {"Authorization": f"Bearer {token}", "X-Kiosk-Id": kiosk_id}
        self.event_id = 0

    async def post(self, path: str, body: dict[str, Any]) -> Any:
        async with self.http.post(self.base + path, json=body, headers=self.headers) as response:
            assert response.status == 200, await response.text()
            return await response.json()

    async def heartbeat(
        self, at: datetime, printer: tuple[str, str, str | None] = ("online", "none", None)
    ) -> list[dict[str, Any]]:
        state, attention, code = printer
        ok = {"state": "online", "attention": "none", "code": None, "since": None}
        body = {
            "sent_at": utc_iso(at),
            "app": {
                "state": "running",
                "since": utc_iso(at - timedelta(hours=2)),
                "version": "0.9.1",
            },
            "agent_version": "0.9.1",
            "session_active": False,
            "devices": {
                "printer": {"state": state, "attention": attention, "code": code, "since": None},
                "camera": ok,
                "cardreader": ok,
                "payment": ok,
            },
            "disk": {"free_bytes": 20 * 2**30, "total_bytes": 64 * 2**30},
            "memory": {"available_bytes": 3 * 2**30, "total_bytes": 8 * 2**30},
            "uptime_seconds": 7200,
            "last_self_test": {
                "at": utc_iso(at - timedelta(hours=1)),
                "results": {"printer": "ok"},
            },
        }
        actions: list[dict[str, Any]] = (await self.post("/api/kiosk/heartbeat", body))["actions"]
        return actions

    async def events(self, *events: tuple[datetime, str, str, str | None, str | None, str]) -> None:
        batch = []
        for at, level, kind, device_id, code, message in events:
            self.event_id += 1
            batch.append(
                {"id": self.event_id, "at": utc_iso(at), "level": level, "kind": kind,
                 "device_id": device_id, "session_id": None, "code": code,
                 "attention": "clear" if code == "media-empty" else None, "message": message,
                 "payload": {"state": "user_error"} if kind == "device" else {}}
            )  # fmt: skip
        await self.post("/api/kiosk/events", {"events": batch})


@dataclass
class Dashboard:
    base: str
    kiosks: dict[str, Kiosk]
    page: Page
    app: web.Application


@asynccontextmanager
async def dashboard(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> AsyncIterator[Dashboard]:
    """A hub with the three kiosks enrolled, their HTTP clients, and Chromium logged in as
    support staff through the login form (on the fleet view)."""
    from hub.accounts import enroll_kiosk

    add_user(store, "sanna", "support")
    tokens = {}
    for kiosk_id, (name, location, contact) in KIOSKS.items():
        tokens[kiosk_id] = enroll_kiosk(store, kiosk_id, name, location, at=MONDAY_MORNING)
        store.enrollment.set_contact(kiosk_id, contact)
    app = make_app(config, store, clock=clock)
    problems: list[str] = []
    async with (
        serving(app) as base,
        chromium(viewport={"width": 1366, "height": 768}, accept_downloads=True) as browser,
        aiohttp.ClientSession() as http,
    ):
        page = await browser.new_page()
        watch(page, problems)
        kiosks = {k: Kiosk(http, base, k, token) for k, token in tokens.items()}
        await log_in(page, base, "sanna", PASSWORD, "/support")
        yield Dashboard(base, kiosks, page, app)
    assert not problems, problems


async def rows(page: Page, table: str) -> list[str]:
    return [text.strip() for text in await page.locator(f"{table} tbody tr").all_inner_texts()]


async def kiosk_order(page: Page) -> list[str | None]:
    return [
        await row.get_attribute("data-kiosk") for row in await page.locator("#fleet tbody tr").all()
    ]


def test_the_fleet_view_shows_who_to_call_sorts_filters_and_keeps_both_on_refresh(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    async def scenario() -> None:
        async with dashboard(config, store, clock) as hub:
            page, kiosks = hub.page, hub.kiosks
            start = clock.now
            for kiosk in kiosks.values():
                await kiosk.heartbeat(start)
            clock.advance(minutes=5)  # Vuosaari falls silent
            await kiosks["itakeskus-1"].heartbeat(clock.now, OUT_OF_PAPER)
            await kiosks["kallio-1"].heartbeat(clock.now)
            hub.app[FLEET].watch()  # what the hub's watch task does every 30 s

            await page.reload()
            await page.wait_for_selector("body[data-loaded=true]")
            summary = await page.text_content("#summary") or ""
            assert "3 kiosks · 1 offline · 2 open alerts" in summary
            itakeskus = page.locator("tr[data-kiosk=itakeskus-1]")
            text = await itakeskus.inner_text()
            assert "Call library staff: Itäkeskus info desk, ext. 101" in text
            assert "printer: needs staff · out of paper (media-empty)" in text
            assert "Online" in text
            vuosaari = await page.locator("tr[data-kiosk=vuosaari-1]").inner_text()
            assert (
                "Offline" in vuosaari and "Kiosk offline" in vuosaari and "Technician" in vuosaari
            )
            assert "Online" in await page.locator("tr[data-kiosk=kallio-1]").inner_text()

            # Sorting: by name, then the other way; the header says which.
            await page.click("#fleet th[data-sort=name] button")
            assert await kiosk_order(page) == ["itakeskus-1", "kallio-1", "vuosaari-1"]
            assert await page.get_attribute("#fleet th[data-sort=name]", "aria-sort") == "ascending"
            await page.click("#fleet th[data-sort=name] button")
            assert await kiosk_order(page) == ["vuosaari-1", "kallio-1", "itakeskus-1"]

            # Filtering: text, only with alerts, offline only.
            await page.fill("#filter-text", "kallion")
            assert await kiosk_order(page) == ["kallio-1"]
            await page.fill("#filter-text", "")
            await page.check("#filter-alerts")
            assert await kiosk_order(page) == ["vuosaari-1", "itakeskus-1"]
            await page.check("#filter-offline")
            assert await kiosk_order(page) == ["vuosaari-1"]
            await page.uncheck("#filter-offline")

            # Kallio's printer runs out too; the next refresh shows it, sorted and filtered.
            clock.advance(seconds=30)
            await kiosks["kallio-1"].heartbeat(clock.now, OUT_OF_PAPER)
            refreshes = await page.evaluate("fleetState.refreshes")
            await until(page, f"fleetState.refreshes > {refreshes}")  # every 15 s
            assert await kiosk_order(page) == ["vuosaari-1", "kallio-1", "itakeskus-1"]
            assert await page.is_checked("#filter-alerts")
            assert "Call library staff: Kallio service desk, ext. 202" in (
                await page.locator("tr[data-kiosk=kallio-1]").inner_text()
            )
            assert "3 open alerts" in (await page.text_content("#summary") or "")

    asyncio.run(scenario())


def test_the_kiosk_page_searches_logs_and_shows_a_screenshot_the_kiosk_sent(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    async def scenario() -> None:
        async with dashboard(config, store, clock) as hub:
            page, kiosks = hub.page, hub.kiosks
            itakeskus = kiosks["itakeskus-1"]
            now = clock.now
            await itakeskus.events(
                (now - timedelta(minutes=30), "info", "log", None, None, "session ended"),
                (now - timedelta(minutes=20), "error", "device", "printer", "media-empty",
                 "printer out of paper"),
                (now - timedelta(minutes=19), "warning", "log", "printer", "media-empty",
                 "print job held: out of paper"),
                (now - timedelta(minutes=10), "info", "log", None, None, "self-test passed"),
            )  # fmt: skip
            await itakeskus.heartbeat(now, OUT_OF_PAPER)
            results = {"printer": "ok", "camera": "ok"}
            await itakeskus.post("/api/kiosk/self-test", {"at": utc_iso(now), "results": results})

            await page.goto(f"{hub.base}/support/kiosks/itakeskus-1")
            await page.wait_for_selector("body[data-loaded=true]")
            assert "Itäkeskus 1" in (await page.text_content("#kiosk-name") or "")
            facts = await page.inner_text("#kiosk-status")
            assert "0.9.1" in facts and "20 GB of 64 GB" in facts and "2 h 0 min" in facts
            assert "printer: ok, camera: ok" in facts
            alerts = await rows(page, "#alerts")
            assert any("Call library staff: Itäkeskus info desk" in row for row in alerts)
            assert any("media-empty" in row for row in await rows(page, "#history"))

            # Log search: all five (the self-test is one), then those about paper, then errors.
            await page.wait_for_selector("#logs[data-count='5']")
            await page.fill("#log-q", "paper")
            await page.click("#log-search button[type=submit]")
            await page.wait_for_selector("#logs[data-count='2']")
            assert all("paper" in row for row in await rows(page, "#logs"))
            await page.select_option("#log-level", "error")
            await page.wait_for_selector("#logs[data-count='1']")
            assert "printer out of paper" in (await rows(page, "#logs"))[0]

            # A cancelled action sends nothing; a confirmed one waits for the kiosk.
            await page.click("button[data-kind=restart-app]")
            assert "Restart the app on Itäkeskus 1" in (await page.text_content("#confirm") or "")
            await page.click("#confirm-no")
            assert await page.is_hidden("#confirm")
            await page.click("button[data-kind=screenshot]")
            assert "no citizen" in (await page.text_content("#confirm-text") or "")
            await page.click("#confirm-yes")
            await page.wait_for_selector("#actions tr[data-done=false]")
            assert len(await rows(page, "#actions")) == 1
            assert "waiting for the kiosk" in (await rows(page, "#actions"))[0]

            actions = await itakeskus.heartbeat(clock.now, OUT_OF_PAPER)
            assert [(a["kind"], a["requested_by"]) for a in actions] == [("screenshot", "sanna")]
            picture = tiny_png(8, 6)
            await itakeskus.post(
                f"/api/kiosk/actions/{actions[0]['id']}/result",
                {
                    "ok": True,
                    "message": "taken",
                    "screenshot_png": base64.b64encode(picture).decode(),
                },
            )
            await page.wait_for_selector("#actions tr[data-done=true]")
            await page.wait_for_selector("#screenshot:not([hidden])")
            await until(page, "document.querySelector('#screenshot-image').naturalWidth === 8")
            assert "OK" in (await rows(page, "#actions"))[0]

    asyncio.run(scenario())


def test_the_usage_page_draws_its_charts_and_downloads_the_same_period_as_csv(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    async def scenario() -> None:
        async with dashboard(config, store, clock) as hub:
            page, kiosks = hub.page, hub.kiosks
            usage_id = 0
            # Sessions on three days before the hub's today (2025-01-13), two services.
            for kiosk_id, days in (("itakeskus-1", (1, 2, 2, 5)), ("kallio-1", (2,))):
                usage = []
                for back in days:
                    at = MONDAY_MORNING - timedelta(days=back)
                    session = f"s{usage_id}"
                    for kind, service, value in (
                        ("session_start", None, None),
                        ("service_opened", "print", None),
                        ("outcome", "print", "printed:2"),
                        ("service_opened", "scan", None),
                        ("eservice_opened", ESERVICE.id, None),
                        ("session_end", None, "finished"),
                    ):
                        usage_id += 1
                        usage.append(
                            {"id": usage_id, "session_id": session, "kind": kind,
                             "service": service, "language": "fi", "value": value,
                             "duration_ms": 600_000 if kind == "session_end" else None,
                             "at": utc_iso(at)}
                        )  # fmt: skip
                stored = await kiosks[kiosk_id].post("/api/kiosk/usage", {"usage": usage})
                assert stored["stored"] == len(usage)

            await page.click("nav a[href='/support/usage']")
            await page.wait_for_selector("body[data-loaded=true]")
            # The hub's clock chooses the default period: the last 30 days to its today.
            assert await page.input_value("#from") == "2024-12-15"
            assert await page.input_value("#to") == "2025-01-13"
            per_kiosk = {
                r.split("\t")[0]: r.split("\t")[1:] for r in await rows(page, "#per-kiosk")
            }
            assert per_kiosk["Itäkeskus 1"][0] == "4" and per_kiosk["Kallio 1"][0] == "1"
            assert per_kiosk["Itäkeskus 1"][5] == "8"  # pages printed
            services = {
                r.split("\t")[0]: r.split("\t")[1:] for r in await rows(page, "#per-service")
            }
            assert services == {"Printing": ["5", "4", "1", "0"], "Scanning": ["5", "4", "1", "0"]}
            # E-services by the name the hub's catalogue gives them.
            eservices = {
                r.split("\t")[0]: r.split("\t")[1:] for r in await rows(page, "#per-eservice")
            }
            assert eservices == {ESERVICE.name("en"): ["5", "4", "1", "0"]}
            assert await page.locator("#chart-eservices svg rect.bar").count() == 1
            summary = await page.text_content("#summary") or ""
            assert "5 sessions, 10 service uses and 5 e-services opened on 3 kiosks" in summary

            bars = page.locator("#chart-days svg rect.bar")
            assert await bars.count() == 30
            values = [await bar.get_attribute("data-value") for bar in await bars.all()]
            assert [v for v in values if v != "0"] == ["1", "3", "1"]  # days 5, 2 and 1 back
            assert await page.locator("#chart-services svg rect.bar").count() == 2
            shares = page.locator("#chart-utilisation svg rect.bar")
            assert await shares.count() == 3
            assert await page.get_attribute("#chart-days svg", "role") == "img"

            async with page.expect_download() as waiting:
                await page.click("#csv")
            download = await waiting.value
            text = Path(await download.path()).read_text("utf-8")
            table = list(csv.reader(io.StringIO(text)))
            assert len(table) == 4  # a header, one row per kiosk
            assert {"Itäkeskus 1", "Kallio 1", "Vuosaari 1"} <= {
                cell for row in table for cell in row
            }
            assert "from=2024-12-15" in (await page.get_attribute("#csv", "href") or "")

    asyncio.run(scenario())
