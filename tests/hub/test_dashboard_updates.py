"""The Updates page in a real browser against `kiosk-hub serve` as a process: kiosks enrolled
with the hub's own command send heartbeats with their real tokens, each carrying one state of
its last update; support staff read every state in words (the rolled-back one with its reason,
first and marked), filter by state, and find no controls; the fleet and kiosk pages show the
versions and the state too.

Screenshots of each page go under the test's tmp path (their paths are printed).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from playwright.async_api import Page

from hub.hours import utc_iso
from tests.conftest import HUB_KEY
from tests.peers.browser import chromium, log_in, needs_chromium, watch
from tests.peers.hub import Hub, configured_hub
from tests.peers.smtp import free_port

pytestmark = needs_chromium

PASSWORD = "correct horse battery staple 42"
#: kiosk id → (name, library): Pasila's first two are the pilot group.
KIOSKS = {
    "pasila-1": ("Pasila 1", "pasila"),
    "pasila-2": ("Pasila 2", "pasila"),
    "pasila-3": ("Pasila 3", "pasila"),
    "kallio-1": ("Kallio 1", "kallio"),
    "kallio-2": ("Kallio 2", "kallio"),
    "kallio-3": ("Kallio 3", "kallio"),
    "vuosaari-1": ("Vuosaari 1", "vuosaari"),
    "vuosaari-2": ("Vuosaari 2", "vuosaari"),
    "vuosaari-3": ("Vuosaari 3", "vuosaari"),
}
ROLLED_BACK = "0.3.0 did not report ready within 300 s; 0.2.0 put back"
APT_FAILED = "E: Version '0.3.0' for 'kiosk' was not found"
#: kiosk id → its heartbeat's `update` (None: an agent that sends none), and what the page says.
REPORTS: dict[str, tuple[dict[str, Any] | None, str]] = {
    "pasila-1": (
        {"installed": "0.2.0", "previous": "0.2.0", "wanted": "0.3.0", "state": "rolled-back",
         "detail": ROLLED_BACK},
        f"Rolled back to 0.2.0: {ROLLED_BACK}",
    ),
    "pasila-2": (
        {"installed": "0.3.0", "previous": "0.2.0", "wanted": "0.3.0", "state": "updated"},
        "Updated 0.2.0 → 0.3.0",
    ),
    "pasila-3": (
        {"installed": "0.2.0", "wanted": "0.3.0", "state": "waiting-for-session"},
        "Waiting: a customer is using the kiosk",
    ),
    "kallio-1": (
        {"installed": "0.2.0", "wanted": "0.3.0", "state": "pending",
         "detail": "outside the maintenance window 02:00-05:00"},
        "Waiting for the maintenance window 02:00–05:00 to install 0.3.0",
    ),
    "kallio-2": (
        {"installed": "0.2.0", "wanted": "0.3.0", "state": "installing"},
        "Installing 0.3.0",
    ),
    "kallio-3": (
        {"installed": "0.3.0", "previous": "0.2.0", "wanted": "0.3.0", "state": "checking"},
        "Installed 0.3.0; waiting for it to start",
    ),
    "vuosaari-1": (
        {"installed": "0.2.0", "wanted": "0.3.0", "state": "failed", "detail": APT_FAILED},
        f"Update to 0.3.0 failed, nothing changed: {APT_FAILED}",
    ),
    "vuosaari-2": ({"installed": "0.3.0", "state": "up-to-date"}, "Up to date (0.3.0)"),
    "vuosaari-3": (None, "The kiosk has not reported an update state"),
}  # fmt: skip


class Kiosk:
    """One enrolled kiosk speaking the kiosk API with its own token."""

    def __init__(self, http: aiohttp.ClientSession, base: str, kiosk_id: str, token: str) -> None:
        self.http, self.base, self.kiosk_id = http, base, kiosk_id
        self.headers = {"Authorization": f"Bearer {token}", "X-Kiosk-Id": kiosk_id}

    async def heartbeat(self, update: dict[str, Any] | None) -> Any:
        """Send a heartbeat carrying `update`; the hub's answer's `update`."""
        now = datetime.now(UTC)
        ok = {"state": "online", "attention": "none", "code": None, "since": None}
        body: dict[str, Any] = {
            "sent_at": utc_iso(now),
            "app": {"state": "running", "since": utc_iso(now - timedelta(hours=1)),
                    "version": (update or {}).get("installed") or "0.2.0"},
            "agent_version": "0.2.0",
            "session_active": bool(update and update["state"] == "waiting-for-session"),
            "devices": {"printer": ok},
            "uptime_seconds": 3600,
        }  # fmt: skip
        if update is not None:
            body["update"] = {**update, "at": utc_iso(now - timedelta(minutes=5))}
        async with self.http.post(
            f"{self.base}/api/kiosk/heartbeat", json=body, headers=self.headers
        ) as response:
            assert response.status == 200, await response.text()
            return (await response.json())["update"]


class Staff:
    """A staff member's HTTP session (login cookie and CSRF token), for setting things up."""

    def __init__(self, http: aiohttp.ClientSession, base: str, csrf: str) -> None:
        self.http, self.base, self.csrf = http, base, csrf

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        async with self.http.request(
            method, self.base + path, json=body, headers={"X-CSRF-Token": self.csrf}
        ) as response:
            assert response.status in (200, 204), f"{method} {path}: {await response.text()}"
            return await response.json() if response.status == 200 else None


@pytest.fixture
def hub_process(tmp_path: Path) -> Iterator[tuple[Hub, dict[str, str]]]:
    """A hub process with the kiosks enrolled (tokens by kiosk id), an admin `root` and a
    support user `sanna`."""
    running = configured_hub(tmp_path, bytes(HUB_KEY), free_port())
    tokens = {}
    for kiosk_id, (name, library) in KIOSKS.items():
        out = running.cli("kiosk", "add", kiosk_id, "--name", name, "--location", library.title())
        tokens[kiosk_id] = out.strip().splitlines()[-1]
    running.cli("user", "add", "root", "--role", "admin", stdin=PASSWORD + "\n")
    running.cli("user", "add", "sanna", "--role", "support", stdin=PASSWORD + "\n")
    running.start()
    try:
        yield running, tokens
    finally:
        running.stop()


@dataclass
class Fleet:
    base: str
    kiosks: dict[str, Kiosk]
    admin: Staff
    page: Page


@asynccontextmanager
async def fleet(
    hub: Hub, tokens: dict[str, str], user: str, lands_on: str, refused: tuple[str, ...] = ()
) -> AsyncIterator[Fleet]:
    """The kiosks' clients, the admin's API session (libraries set), and Chromium logged in as
    `user` through the login form; the page must show no script error or failed request but
    the 422s of `refused` (ends of paths) that the test asks for."""
    problems: list[str] = []
    jar = aiohttp.CookieJar(unsafe=True)
    async with (
        aiohttp.ClientSession() as http,
        aiohttp.ClientSession(cookie_jar=jar) as admin_http,
        chromium(viewport={"width": 1366, "height": 768}) as browser,
    ):
        login = {"username": "root", "password": PASSWORD}
        async with admin_http.post(f"{hub.url}/login", data=login, allow_redirects=False) as r:
            assert r.status == 303
        async with admin_http.get(f"{hub.url}/api/me") as r:
            admin = Staff(admin_http, hub.url, (await r.json())["csrf_token"])
        for kiosk_id, (_, library) in KIOSKS.items():
            await admin.call("PUT", f"/api/admin/kiosks/{kiosk_id}/library", {"library": library})
        kiosks = {k: Kiosk(http, hub.url, k, token) for k, token in tokens.items()}
        page = await browser.new_page()
        watch(page, problems)
        await log_in(page, hub.url, user, PASSWORD, lands_on)
        yield Fleet(hub.url, kiosks, admin, page)
    unexpected = [
        p for p in problems if not (refused and p.startswith("422 ") and p.endswith(refused))
    ]
    assert not unexpected, unexpected


async def shot(page: Page, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


async def kiosk_rows(page: Page) -> list[str | None]:
    return [
        await r.get_attribute("data-kiosk") for r in await page.locator("#kiosks tbody tr").all()
    ]


def test_support_reads_each_update_state_in_words_filters_them_and_has_no_controls(
    hub_process: tuple[Hub, dict[str, str]], tmp_path: Path
) -> None:
    running, tokens = hub_process

    async def scenario() -> None:
        async with fleet(running, tokens, "sanna", "/support") as f:
            page, admin = f.page, f.admin
            await admin.call("PUT", "/api/admin/rollouts", {"target": "all", "version": "0.2.0"})
            for target in ("library:kallio", "library:pasila", "library:vuosaari"):
                await admin.call(
                    "PUT", "/api/admin/rollouts", {"target": target, "version": "0.3.0"}
                )
            group = {"kiosks": ["pasila-1", "pasila-2"]}
            await admin.call("PUT", "/api/admin/update-groups/pilot", group)
            await admin.call(
                "PUT", "/api/admin/rollouts", {"target": "group:pilot", "version": "0.3.0"}
            )
            for kiosk_id, (update, _) in REPORTS.items():
                await f.kiosks[kiosk_id].heartbeat(update)

            # The fleet view links to the page; the page lists each state in words.
            await page.wait_for_selector("body[data-loaded=true]")
            await page.click("nav a[href='/support/updates']")
            await page.wait_for_selector("body[data-page=updates][data-loaded=true]")
            for kiosk_id, (update, words) in REPORTS.items():
                row = page.locator(f"#kiosks tr[data-kiosk='{kiosk_id}']")
                text = await row.inner_text()
                assert words in text, (kiosk_id, text)
                state = update["state"] if update else "none"
                assert await row.get_attribute("data-state") == state
            pilot = await page.locator("#kiosks tr[data-kiosk='pasila-1']").inner_text()
            assert "pilot" in pilot and "from pilot group pilot" in pilot and "pasila" in pilot
            assert "not installed yet" not in pilot  # the rollback says why
            waiting = await page.locator("#kiosks tr[data-kiosk='kallio-1']").inner_text()
            assert "0.3.0 not installed yet" in waiting
            # Rolled back and failed come first, marked by more than a colour.
            order = await kiosk_rows(page)
            assert order[:2] == ["pasila-1", "vuosaari-1"], order
            for kiosk_id in order[:2]:
                row = page.locator(f"#kiosks tr[data-kiosk='{kiosk_id}']")
                assert "problem" in (await row.get_attribute("class") or "")
                assert "✕" in await row.locator(".badge").inner_text()
            summary = await page.text_content("#summary") or ""
            assert (
                "9 kiosks · 5 versions set · 2 rolled back or failed · 2 waiting · 2 updating"
                in summary
            )
            rollouts = await page.locator("#rollouts tbody tr").all_inner_texts()
            assert any("pilot group pilot" in r and "0.3.0" in r and "root" in r for r in rollouts)

            # Support staff see no controls, and no way to change anything.
            assert await page.get_attribute("body", "data-admin") == "false"
            assert await page.is_hidden("#admin")
            assert await page.locator("button.take-away").count() == 0
            await shot(page, tmp_path, "updates-support")
            await page.set_viewport_size({"width": 1024, "height": 768})
            await shot(page, tmp_path, "updates-support-narrow")
            await page.set_viewport_size({"width": 1366, "height": 768})

            await page.select_option("#filter-state", "problem")
            assert await kiosk_rows(page) == ["pasila-1", "vuosaari-1"]
            await page.select_option("#filter-state", "waiting")
            assert sorted(await kiosk_rows(page)) == ["kallio-1", "pasila-3"]
            await page.select_option("#filter-state", "never")
            assert await kiosk_rows(page) == ["vuosaari-3"]
            await page.select_option("#filter-state", "")
            assert len(await kiosk_rows(page)) == len(KIOSKS)
            # A link can open the page on the ones that need a technician.
            await page.goto(f"{f.base}/support/updates?state=problem")
            await page.wait_for_selector("body[data-loaded=true]")
            assert await kiosk_rows(page) == ["pasila-1", "vuosaari-1"]
            assert await page.input_value("#filter-state") == "problem"

            # The fleet view: each kiosk's update in a column, the rollback also as an alert.
            await page.click("nav a[href='/support']")
            await page.wait_for_selector("body[data-page=fleet][data-loaded=true]")
            row = await page.locator("#fleet tr[data-kiosk='pasila-1']").inner_text()
            assert "Rolled back" in row and "0.2.0 → wants 0.3.0" in row and ROLLED_BACK in row
            assert "Update rolled back" in row
            updated = await page.locator("#fleet tr[data-kiosk='pasila-2'] td.update").inner_text()
            assert "Updated" in updated and "0.3.0" in updated
            await shot(page, tmp_path, "fleet-support")

            # The kiosk page: installed and wanted version, the last update.
            await page.goto(f"{f.base}/support/kiosks/pasila-1")
            await page.wait_for_selector("body[data-loaded=true]")
            facts = await page.inner_text("#kiosk-status")
            assert "0.2.0 (wanted: 0.3.0)" in facts
            assert f"Rolled back to 0.2.0: {ROLLED_BACK}" in facts
            await shot(page, tmp_path, "kiosk-support")

    asyncio.run(scenario())
