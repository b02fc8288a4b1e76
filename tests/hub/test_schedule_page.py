"""The schedule's week view (/advisor/schedule) in a real browser: an advisor reaches it from the
console, sees their week with a booked slot marked, adds a slot by line, day and time, removes
a free one, moves between weeks and makes their private calendar feed's address; an admin picks
the advisor whose week it is.

The hub runs on the test's loop with a fixed clock (Monday 13 January 2025, 10:00 in Helsinki);
what the page did is checked in the hub's own schedule API.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
from playwright.async_api import Page
from yarl import URL

from hub.app import make_app
from hub.config import HubConfig, load_config
from hub.store import HubStore, open_configured
from tests.hub.conftest import PASSWORD, FixedClock, add_kiosk, add_user, log_in, serving
from tests.peers.browser import chromium, needs_chromium, until, watch
from tests.peers.browser import log_in as browser_log_in
from tests.peers.console import advisor_console

pytestmark = needs_chromium

LINES = (
    '[lines.virka-info]\nadvisors = ["anna", "ben"]\n'
    '[lines.kansalaisneuvonta]\nadvisors = ["anna"]\n'
)
VIEW = {"width": 1400, "height": 1000}
WEEK = "2025-W03"


def hub_for(write_config: Callable[[str], Path]) -> tuple[HubConfig, HubStore]:
    config = load_config(write_config(LINES))
    store = open_configured(config)
    for name in ("anna", "ben"):
        add_user(store, name, "advisor")
    add_user(store, "root", "admin")
    return config, store


async def week_of(http: aiohttp.ClientSession, advisor: str) -> list[dict[str, Any]]:
    response = await http.get("/api/schedule", params={"week": WEEK, "advisor": advisor})
    assert response.status == 200, await response.text()
    slots: list[dict[str, Any]] = (await response.json())["slots"]
    return slots


async def text(page: Page, selector: str) -> str:
    return await page.locator(selector).inner_text()


async def add(page: Page, line: str, day: int, time: str) -> None:
    await page.select_option("#slot-line", line)
    await page.select_option("#slot-day", str(day))
    await page.fill("#slot-time", time)
    await page.click("#add-slot-button")


def test_an_advisor_adds_and_removes_a_slot_in_the_week_view(
    write_config: Callable[[str], Path], shots: Path
) -> None:
    config, store = hub_for(write_config)
    clock = FixedClock()
    # Tuesday 10:00 Helsinki, booked by a citizen at a kiosk.
    tuesday = clock.now + timedelta(days=1)
    booked = store.appointments.add_slot(
        "anna", "virka-info", tuesday, tuesday + timedelta(minutes=20), by="anna", at=clock.now
    )
    token = add_kiosk(store, "kallio-1")
    app = make_app(config, store, clock=clock)

    async def scenario() -> None:
        async with (
            serving(app) as base,
            aiohttp.ClientSession(base_url=base, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http,
        ):
            made = await http.post(
                "/api/kiosk/bookings",
                json={"slot": booked.id, "language": "fi", "topic": "taxes"},
                headers={"Authorization": f"Bearer {token}", "X-Kiosk-Id": "kallio-1"},
            )
            assert made.status == 201, await made.text()
            await log_in(http, "anna")

            async with advisor_console(base, strict=True, viewport=VIEW) as (page, problems):
                await page.click("#to-schedule")
                await page.wait_for_url(f"{base}/advisor/schedule")
                await page.wait_for_selector("body[data-loaded=true]")
                assert await page.get_attribute("body", "data-week") == WEEK
                assert "Week 3" in await text(page, "#week-title")
                assert await page.is_hidden("#advisor-choice")  # an advisor's own week
                assert await page.text_content("#slot-minutes") == "20"
                lines = await page.eval_on_selector_all(
                    "#slot-line option", "os => os.map(o => o.value)"
                )
                assert lines == ["virka-info", "kansalaisneuvonta"]

                # The booked slot: on Tuesday at 10:00, marked, and not removable.
                mark = f".day[data-day='1'] .slot[data-slot='{booked.id}']"
                await page.wait_for_selector(f"{mark}.booked")
                shown = await text(page, mark)
                assert "10:00–10:20" in shown and "Booked" in shown
                assert await page.locator(f"{mark} .remove").count() == 0

                # A slot on Wednesday at 11:00 Helsinki, on the other line.
                await add(page, "kansalaisneuvonta", 2, "11:00")
                added = ".day[data-day='2'] .slot.free"
                await page.wait_for_selector(added)
                assert "11:00–11:20" in await text(page, added)
                assert "Added" in await text(page, "#status")
                [slot] = [s for s in await week_of(http, "anna") if s["booking"] is None]
                assert (slot["line"], slot["starts_at"], slot["ends_at"]) == (
                    "kansalaisneuvonta",
                    "2025-01-15T09:00:00.000Z",
                    "2025-01-15T09:20:00.000Z",
                )

                # One overlapping it is refused, and the page says why.
                await add(page, "virka-info", 2, "11:10")
                await page.wait_for_selector("#status.bad")
                assert "Not added" in await text(page, "#status")
                assert len(await week_of(http, "anna")) == 2

                await page.screenshot(path=str(shots / "schedule-week.png"), full_page=True)

                # Removed: gone from the page and from the hub.
                await page.click(f"{added} .remove")
                await page.wait_for_selector(added, state="detached")
                assert "Removed" in await text(page, "#status")
                assert [s["id"] for s in await week_of(http, "anna")] == [booked.id]

                # The next week is empty; back again shows the booked slot.
                await page.click("#next-week")
                await page.wait_for_selector("body[data-week='2025-W04']")
                assert await page.locator(".slot").count() == 0
                await page.click("#prev-week")
                await page.wait_for_selector(f"body[data-week='{WEEK}'] {mark}")

                # The private feed's address, made and copied; it serves the calendar.
                await page.click("#make-feed")
                await page.wait_for_selector("#copy-feed:not([disabled])")
                url = await page.input_value("#feed-url")
                assert "/calendar/" in url and url.endswith(".ics")
                await page.click("#copy-feed")
                await page.wait_for_selector("#feed-status:has-text('Copied')")
                feed = await http.get(URL(url).path)
                assert feed.status == 200
                assert "BEGIN:VCALENDAR" in await feed.text()
                # The refused overlap is the only request that failed.
                assert problems == [f"422 {base}/api/schedule/slots"], problems

    try:
        asyncio.run(scenario())
    finally:
        store.close()


def test_an_admin_cancels_a_booking_and_adds_a_slot_for_another_advisor(
    write_config: Callable[[str], Path],
) -> None:
    config, store = hub_for(write_config)
    clock = FixedClock()
    tuesday = clock.now + timedelta(days=1)
    booked = store.appointments.add_slot(
        "anna", "virka-info", tuesday, tuesday + timedelta(minutes=20), by="anna", at=clock.now
    )
    token = add_kiosk(store, "kallio-1")
    app = make_app(config, store, clock=clock)

    async def scenario() -> None:
        async with (
            serving(app) as base,
            chromium(viewport=VIEW) as browser,
            aiohttp.ClientSession(base_url=base, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http,
        ):
            made = await http.post(
                "/api/kiosk/bookings",
                json={"slot": booked.id, "language": "sv", "topic": "housing"},
                headers={"Authorization": f"Bearer {token}", "X-Kiosk-Id": "kallio-1"},
            )
            assert made.status == 201, await made.text()
            page = await browser.new_page()
            problems: list[str] = []
            watch(page, problems)
            await browser_log_in(page, base, "root", PASSWORD, "/api/me")
            await page.goto(f"{base}/advisor/schedule")
            await page.wait_for_selector("body[data-loaded=true]")
            assert await page.is_visible("#advisor-choice")
            assert await page.is_hidden("#to-console")  # the console is the advisors'
            advisors = await page.eval_on_selector_all(
                "#advisor option", "os => os.map(o => o.value)"
            )
            assert advisors == ["anna", "ben"]
            assert await page.input_value("#advisor") == "anna"  # the first, at first

            # anna's booked slot: an admin may cancel the booking, and the slot is free again.
            mark = f".slot[data-slot='{booked.id}']"
            await page.wait_for_selector(f"{mark}.booked .cancel")
            page.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
            await page.click(f"{mark} .cancel")
            await page.wait_for_selector(f"{mark}.free .remove")
            assert "Booking cancelled" in await text(page, "#status")

            await page.select_option("#advisor", "ben")
            # ben answers one line only: only that one is offered.
            await until(page, "document.querySelectorAll('#slot-line option').length === 1")
            assert await page.input_value("#slot-line") == "virka-info"
            await add(page, "virka-info", 4, "09:40")
            await page.wait_for_selector(".day[data-day='4'] .slot.free")

            await log_in(http, "root")
            [slot] = await week_of(http, "ben")
            assert (slot["line"], slot["starts_at"]) == ("virka-info", "2025-01-17T07:40:00.000Z")
            [free] = await week_of(http, "anna")
            assert (free["id"], free["booking"]) == (booked.id, None)
            assert not problems, problems

    try:
        asyncio.run(scenario())
    finally:
        store.close()
