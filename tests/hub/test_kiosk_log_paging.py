"""The kiosk page of the support dashboard with a kiosk that has shipped hundreds of records: they
come 50 at a time, newest first, with Newer/Older links and a count; the search and level stay
in the address across pages, a reload and Back; the page stays a readable height.

The hub runs as its own process (`kiosk-hub serve`); the kiosk ships its records through the
kiosk API with its token; support staff use headless Chromium.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from nacl.public import PrivateKey
from playwright.async_api import Page

from hub.hours import utc_iso
from tests.peers.browser import chromium, log_in, needs_chromium, until
from tests.peers.hub import Hub
from tests.peers.smtp import free_port

pytestmark = needs_chromium

PASSWORD = "correct horse battery"
KIOSK = "itakeskus-1"
START = datetime(2025, 1, 13, 6, 0, tzinfo=UTC)
LOGS = 500
DEVICE_CHANGES = 30
#: One record in seven is a warning about paper: 71 of the 500.
PAPER = [i for i in range(1, LOGS + 1) if i % 7 == 0]
#: Well above 50 rows and the other panels at 1366 px wide (about 3,500 px).
MAX_HEIGHT = 6000


def record(i: int) -> dict[str, Any]:
    paper = i % 7 == 0
    return {
        "id": i,
        "at": utc_iso(START + timedelta(seconds=10 * i)),
        "level": "warning" if paper else "info",
        "kind": "log",
        "device_id": "printer" if paper else None,
        "session_id": None,
        "code": "media-low" if paper else None,
        "attention": None,
        "message": f"printer paper low (record {i})" if paper else f"heartbeat sent (record {i})",
        "payload": {},
    }


def device_change(i: int) -> dict[str, Any]:
    """A camera state change, after all the log records."""
    return {
        "id": LOGS + i,
        "at": utc_iso(START + timedelta(seconds=10 * (LOGS + i))),
        "level": "info",
        "kind": "device",
        "device_id": "camera",
        "session_id": None,
        "code": None,
        "attention": "none",
        "message": f"camera {'online' if i % 2 else 'busy'} (change {i})",
        "payload": {"state": "online" if i % 2 else "busy"},
    }


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[tuple[Hub, str]]:
    key_file = tmp_path / "sealing.key"
    key_file.write_text(base64.b64encode(bytes(PrivateKey.generate())).decode() + "\n")
    key_file.chmod(0o600)
    port = free_port()
    config = tmp_path / "hub.toml"
    config.write_text(
        f'[hub]\nlisten_port = {port}\ndata_dir = "{tmp_path / "hub"}"\ncookie_secure = false\n'
        f'[sealing]\nprivate_key_file = "{key_file}"\n'
    )
    found = Hub(config, port)
    found.cli("user", "add", "sanna", "--role", "support", stdin=PASSWORD + "\n")
    added = found.cli("kiosk", "add", KIOSK, "--name", "Itäkeskus 1", "--location", "Itäkeskus")
    token = added.strip().splitlines()[-1]
    found.start()
    yield found, token
    found.stop()


async def ship(hub: Hub, token: str) -> None:
    """The kiosk ships its records as kiosk-agent does, in batches of up to 500."""
    headers = {"Authorization": f"Bearer {token}", "X-Kiosk-Id": KIOSK}
    batches = [
        [record(i) for i in range(1, LOGS + 1)],
        [device_change(i) for i in range(1, DEVICE_CHANGES + 1)],
    ]
    async with aiohttp.ClientSession() as http:
        for batch in batches:
            async with http.post(
                f"{hub.url}/api/kiosk/events", json={"events": batch}, headers=headers
            ) as response:
                assert response.status == 200, await response.text()


async def shown(page: Page) -> list[str]:
    """The messages of the log rows on the page, top to bottom."""
    return await page.locator("#logs tbody tr td:last-child").all_inner_texts()


async def logs_at(page: Page, page_number: int, rows: int) -> None:
    await until(
        page,
        f"document.querySelector('#logs').dataset.page === '{page_number}'"
        f" && document.querySelector('#logs').dataset.count === '{rows}'",
    )


def test_log_records_come_a_page_at_a_time_and_the_search_survives_paging(
    hub: tuple[Hub, str], tmp_path: Path
) -> None:
    server, token = hub
    total = LOGS + DEVICE_CHANGES

    async def scenario() -> None:
        await ship(server, token)
        problems: list[str] = []
        async with chromium(viewport={"width": 1366, "height": 768}) as browser:
            page = await browser.new_page()
            page.on("pageerror", lambda e: problems.append(str(e)))
            await log_in(page, server.url, "sanna", PASSWORD, "/support")
            await page.goto(f"{server.url}/support/kiosks/{KIOSK}")
            await page.wait_for_selector("body[data-loaded=true]")

            # The newest 50, newest first, and how many there are.
            await logs_at(page, 1, 50)
            messages = await shown(page)
            assert messages[0] == "camera busy (change 30)"
            assert messages[DEVICE_CHANGES] == "heartbeat sent (record 500)"
            assert await page.text_content("#logs-range") == f"Records 1–50 of {total}"
            assert await page.get_attribute("[data-pager=logs] .newer", "href") is None
            height = await page.evaluate("document.body.scrollHeight")
            assert height < MAX_HEIGHT, height
            # The device history is paged too: 20 of its 30 changes.
            await until(page, "document.querySelector('#history').dataset.count === '20'")
            assert await page.text_content("#history-range") == "Changes 1–20 of 30"
            await page.screenshot(path=str(tmp_path / "kiosk-page.png"), full_page=True)

            # Older, from the pager under the table: the next 50.
            await page.click(".pager.bottom[data-pager=logs] .older")
            await logs_at(page, 2, 50)
            assert page.url.endswith("?page=2")
            assert await page.text_content("#logs-range") == f"Records 51–100 of {total}"
            assert (await shown(page))[0] == "heartbeat sent (record 480)"

            # A search, then Older: the second page of what matches, and nothing else.
            await page.fill("#log-q", "PAPER")
            await page.click("#log-search button[type=submit]")
            await logs_at(page, 1, 50)
            assert await page.text_content("#logs-range") == (
                f"Records 1–50 of {len(PAPER)} matching"
            )
            await page.click("[data-pager=logs]:not(.bottom) .older")
            await logs_at(page, 2, len(PAPER) - 50)
            assert page.url.endswith("?q=PAPER&page=2")
            expected = [f"printer paper low (record {i})" for i in reversed(PAPER)][50:]
            assert await shown(page) == expected
            assert await page.get_attribute("[data-pager=logs] .older", "href") is None

            # A reload and a copied link keep the search, the level and the page.
            await page.select_option("#log-level", "warning")
            await logs_at(page, 1, 50)
            await page.click("[data-pager=logs]:not(.bottom) .older")
            await logs_at(page, 2, len(PAPER) - 50)
            assert page.url.endswith("?q=PAPER&level=warning&page=2")
            await page.reload()
            await logs_at(page, 2, len(PAPER) - 50)
            assert await page.input_value("#log-q") == "PAPER"
            assert await page.input_value("#log-level") == "warning"
            assert await shown(page) == expected
            # Back goes to the first page of the same search.
            await page.go_back()
            await logs_at(page, 1, 50)
            assert page.url.endswith("?q=PAPER&level=warning")
            assert all("paper" in m for m in await shown(page))
            # The device history's Older keeps the log search, and the log links its page.
            await page.click("[data-pager=history] .older")
            await until(page, "document.querySelector('#history').dataset.count === '10'")
            assert await page.text_content("#history-range") == "Changes 21–30 of 30"
            assert page.url.endswith("?q=PAPER&level=warning&hpage=2")
            older = await page.get_attribute("[data-pager=logs] .older", "href")
            assert older is not None and older.endswith("?q=PAPER&level=warning&page=2&hpage=2")
            assert all("paper" in m for m in await shown(page))
            await page.screenshot(path=str(tmp_path / "kiosk-page-search.png"), full_page=True)
        assert not problems, problems

    asyncio.run(scenario())


def test_the_logs_api_pages_with_a_count_and_bounds_its_parameters(
    hub: tuple[Hub, str],
) -> None:
    server, token = hub

    async def scenario() -> None:
        await ship(server, token)
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(base_url=server.url, cookie_jar=jar) as http:
            async with http.post(
                "/login", data={"username": "sanna", "password": PASSWORD}, allow_redirects=False
            ) as response:
                assert response.status == 303
            base = f"/api/support/kiosks/{KIOSK}/logs"
            async with http.get(f"{base}?q=paper&limit=50&offset=50") as response:
                found = await response.json()
            assert found["total"] == len(PAPER) and found["offset"] == 50
            assert [r["message"] for r in found["records"]] == [
                f"printer paper low (record {i})" for i in reversed(PAPER)
            ][50:]
            for bad in ("offset=-1", "offset=x", "limit=0", "limit=1001"):
                async with http.get(f"{base}?{bad}") as response:
                    assert response.status == 400, bad
            async with http.get(f"/api/support/kiosks/{KIOSK}?history_limit=20") as response:
                detail = await response.json()
            assert detail["device_history_total"] == DEVICE_CHANGES
            assert len(detail["device_history"]) == 20
            assert detail["device_history"][0]["state"] == "busy"  # change 30, the newest

    asyncio.run(scenario())
