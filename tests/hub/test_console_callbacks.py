"""Callbacks in the advisor console, in a real browser: a citizen's request sent from a kiosk
(sealed, through the submissions API, delivered by the hub) appears in the console's list
without its contact; the advisor claims it there and only then sees the phone number, the row
held by them; another advisor of the line sees who holds it and cannot take it; done closes it.

The hub runs on the test's loop with a fixed clock (Monday 10:00 in Helsinki: a "morning"
callback is due now); the advisor is headless Chromium logged in through the hub's form.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
from playwright.async_api import Page

from hub.app import make_app
from hub.config import HubConfig, load_config
from hub.delivery.service import DELIVERY
from hub.store import HubStore, open_configured
from tests.hub.conftest import FixedClock, add_kiosk, add_user, log_in, sealed_for, serving
from tests.hub.test_callbacks import callback_payload, kiosk_headers
from tests.peers.browser import needs_chromium
from tests.peers.console import advisor_console
from tests.video.conftest import DEADLINE

pytestmark = needs_chromium

LINES = '[lines.virka-info]\nadvisors = ["anna", "ben"]\n'
PHONE = "+358401234567"
REFERENCE = "TP-7K3M-2QXA"
SUBMISSION = "0123456789abcdef0123456789abcdef"


async def listed(http: aiohttp.ClientSession) -> list[dict[str, Any]]:
    response = await http.get("/api/advisor/callbacks")
    assert response.status == 200, await response.text()
    callbacks: list[dict[str, Any]] = (await response.json())["callbacks"]
    return callbacks


async def text(page: Page, selector: str) -> str:
    return await page.locator(selector).inner_text()


def test_a_callback_arrives_in_the_console_and_is_claimed_there(
    write_config: Callable[[str], Path], shots: Path
) -> None:
    config: HubConfig = load_config(write_config(LINES))
    store: HubStore = open_configured(config)
    add_user(store, "anna", "advisor")
    add_user(store, "ben", "advisor")
    token = add_kiosk(store, "itakeskus-1")
    app = make_app(config, store, clock=FixedClock())
    row = f".callback[data-callback='{REFERENCE}']"

    async def scenario() -> None:
        async with (
            serving(app) as base,
            advisor_console(base, strict=True, viewport={"width": 1400, "height": 1000}) as (
                page,
                problems,
            ),
            aiohttp.ClientSession() as kiosk,
            aiohttp.ClientSession(base_url=base, cookie_jar=aiohttp.CookieJar(unsafe=True)) as ben,
        ):
            await page.wait_for_selector("#callbacks-empty:not([hidden])")

            # The kiosk sends the request sealed, as its outbox does; the hub delivers it.
            payload = callback_payload(
                SUBMISSION, REFERENCE, callback={"contact": {"phone": PHONE}}
            )
            sent = await kiosk.post(
                f"{base}/api/kiosk/submissions",
                data=sealed_for(payload),
                headers=kiosk_headers(token, SUBMISSION),
            )
            assert sent.status in (200, 201, 202), await sent.text()
            worker = app[DELIVERY].worker
            assert worker is not None
            await worker.run_due()

            # It appears at the console's next look, without the contact.
            await page.wait_for_selector(row, timeout=DEADLINE * 1000)
            assert await page.get_attribute(row, "data-held") == "open"
            assert await page.get_attribute(row, "data-due") == "true"
            shown = await text(page, row)
            assert "Housing" in shown and "Finnish" in shown and "Morning" in shown
            assert "Due now" in shown and REFERENCE in shown and "Open" in shown
            assert PHONE not in await text(page, "body")

            await page.click(f"{row} button[data-action=claim]")
            await page.wait_for_selector(f"{row}[data-held=mine] .callback-contact")
            assert PHONE in await text(page, f"{row} .callback-contact")
            assert "You hold this" in await text(page, row)
            assert await page.get_attribute(f"{row} .callback-contact a", "href") == f"tel:{PHONE}"
            await page.screenshot(path=str(shots / "console-callback-claimed.png"), full_page=True)

            # ben, of the same line, sees anna hold it and cannot take it from her.
            csrf = await log_in(ben, "ben")
            [held] = await listed(ben)
            assert (held["id"], held["status"], held["claimed_by"]) == (
                REFERENCE,
                "claimed",
                "anna",
            )
            assert "contact" not in held
            taken = await ben.post(
                f"/api/advisor/callbacks/{REFERENCE}/claim",
                headers={"X-CSRF-Token": csrf},
            )
            assert taken.status == 409

            # Done: the row leaves the list (for both), and the contact the page.
            await page.click(f"{row} button[data-action=done]")
            await page.wait_for_selector(row, state="detached")
            await page.wait_for_selector("#callbacks-empty:not([hidden])")
            assert "Marked done" in await text(page, "#callbacks-said")
            assert PHONE not in await text(page, "body")
            assert await listed(ben) == []
            assert not problems, problems

    try:
        asyncio.run(scenario())
    finally:
        store.close()
