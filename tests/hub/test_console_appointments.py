"""Booked appointments and home callers in the advisor console, in a real browser.

A citizen books anna's slot at one kiosk (with a phone number for her), and uses the code at
another when the slot comes: the console announces them at once (a banner in a live region,
and a chime), today's appointments show them arrived, the queue and the ringing say it is a
booked appointment and where the citizen is. A citizen calling from home on /ws/home is shown
as "From home" in the queue, the ringing and the call.

The hub runs on the test's loop with a fixed clock the test moves; the advisor is headless
Chromium logged in through the hub's form; kiosks and the home caller are WebSocket clients.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
from playwright.async_api import Page

from hub.app import make_app
from hub.config import HubConfig, load_config
from hub.store import HubStore, open_configured
from tests.hub.conftest import FixedClock, add_kiosk, add_user, sealed_for, serving
from tests.peers.browser import needs_chromium
from tests.peers.console import advisor_console
from tests.video.conftest import DEADLINE

pytestmark = needs_chromium

LINES = '[lines.virka-info]\nadvisors = ["anna"]\n'
PHONE = "+358401234567"
VIEW = {"width": 1400, "height": 1000}


def kiosk_headers(token: str, kiosk_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "X-Kiosk-Id": kiosk_id}


async def expect(ws: aiohttp.ClientWebSocketResponse, kind: str) -> dict[str, Any]:
    """The next message of `kind` from the hub, skipping others, within the deadline."""

    async def read() -> dict[str, Any]:
        while True:
            frame = await ws.receive()
            assert frame.type is aiohttp.WSMsgType.TEXT, f"waiting for {kind}: {frame}"
            message: dict[str, Any] = json.loads(frame.data)
            if message["type"] == kind:
                return message

    return await asyncio.wait_for(read(), DEADLINE)


async def text(page: Page, selector: str) -> str:
    return await page.locator(selector).inner_text()


def hub_for(write_config: Callable[[str], Path]) -> tuple[HubConfig, HubStore]:
    config = load_config(write_config(LINES))
    store = open_configured(config)
    add_user(store, "anna", "advisor")
    return config, store


def test_an_appointments_citizen_is_announced_when_they_arrive(
    write_config: Callable[[str], Path], shots: Path
) -> None:
    config, store = hub_for(write_config)
    clock = FixedClock()
    booking_kiosk = add_kiosk(store, "kallio-1")
    calling_kiosk = add_kiosk(store, "itakeskus-1")
    start = clock.now + timedelta(hours=1)
    slot = store.appointments.add_slot(
        "anna", "virka-info", start, start + timedelta(minutes=20), by="anna", at=clock.now
    )
    app = make_app(config, store, clock=clock)
    row = "#appointment-rows tr"

    async def scenario() -> None:
        async with (
            serving(app) as base,
            aiohttp.ClientSession() as http,
        ):
            contact = base64.b64encode(sealed_for({"phone": PHONE})).decode()
            booked = await http.post(
                f"{base}/api/kiosk/bookings",
                json={
                    "slot": slot.id,
                    "language": "sv",
                    "topic": "housing",
                    "contact_sealed": contact,
                },
                headers=kiosk_headers(booking_kiosk, "kallio-1"),
            )
            assert booked.status == 201, await booked.text()
            code = (await booked.json())["code"]

            async with advisor_console(base, strict=True, viewport=VIEW) as (page, problems):
                # Today's appointments: hers, with the contact she may need.
                await page.wait_for_selector(f"{row}[data-status=booked]")
                listed = await text(page, row)
                assert "11.00–11.20" in listed  # Helsinki time
                assert "Housing" in listed and "Swedish" in listed and "Booked" in listed
                assert PHONE in listed
                assert await page.is_hidden("#arrival-box")

                clock.advance(minutes=55)  # the code's window is open
                ws = await http.ws_connect(
                    f"{base}/ws/kiosk", headers=kiosk_headers(calling_kiosk, "itakeskus-1")
                )
                await expect(ws, "hello")
                await ws.send_json({"type": "call", "booking": code, "language": "sv"})
                queued = await expect(ws, "queued")
                assert queued["booked"] is True

                # Announced at once, though she is away: a banner read out, and a chime.
                await page.wait_for_selector("#arrival-box:not([hidden])")
                assert await page.get_attribute("#arrival", "aria-live") == "assertive"
                said = await text(page, "#arrival-box")
                assert "Your appointment has arrived" in said
                assert "11.00" in said and "Housing" in said and "Swedish" in said
                assert "At kiosk: Itäkeskus 1, Itäkeskus library" in said
                agenda = await page.evaluate("agenda()")
                assert (agenda["arrivals"], agenda["chimes"]) == (1, 1)
                await page.wait_for_selector(f"{row}.arrived[data-status=arrived]")
                assert "Arrived" in await text(page, row)
                entry = "#queues tr.booked"
                await page.wait_for_selector(entry)
                queued_text = await text(page, entry)
                assert "Booked appointment" in queued_text
                assert "At kiosk: Itäkeskus 1, Itäkeskus library" in queued_text
                await page.screenshot(
                    path=str(shots / "console-appointment-arrived.png"), full_page=True
                )

                # Available: the booked call rings her, saying so.
                await page.click("#set-available")
                await page.wait_for_selector("#ringing:not([hidden])")
                assert await page.is_visible("#ring-booked")
                assert "Booked appointment" in await text(page, "#ring-booked")
                assert "At kiosk: Itäkeskus 1" in await text(page, "#ring-where")
                await page.click("#arrival-dismiss")
                assert await page.is_hidden("#arrival-box")
                await ws.close()
                assert not problems, problems

    try:
        asyncio.run(scenario())
    finally:
        store.close()


def test_a_caller_from_home_is_shown_as_from_home(
    write_config: Callable[[str], Path], shots: Path
) -> None:
    config, store = hub_for(write_config)
    app = make_app(config, store, clock=FixedClock())

    async def scenario() -> None:
        async with (
            serving(app) as base,
            advisor_console(base, strict=True, viewport=VIEW) as (page, problems),
            aiohttp.ClientSession() as http,
        ):
            await page.click("#set-available")
            await page.wait_for_selector("#set-available[aria-pressed=true]")
            home = await http.ws_connect(f"{base}/ws/home", headers={"Origin": base})
            await expect(home, "hello")
            await home.send_json({"type": "call", "line": "virka-info", "language": "fi"})
            await expect(home, "queued")

            # The queue and the ringing say where the caller is.
            entry = "#queues tr[data-channel=home]"
            await page.wait_for_selector(entry)
            assert "From home" in await text(page, entry)
            assert "At kiosk" not in await text(page, "#queues")
            await page.wait_for_selector("#ringing:not([hidden])")
            assert "From home" in await text(page, "#ring-where")
            assert await page.is_hidden("#ring-kiosk-row")
            assert await page.is_hidden("#ring-location-row")
            assert await page.is_hidden("#ring-booked")
            await page.screenshot(path=str(shots / "console-ringing-from-home.png"))

            await page.click("#accept")
            await expect(home, "connected")
            await page.wait_for_selector("#call:not([hidden])")
            assert "From home" in await text(page, "#call h2")
            assert await page.is_hidden("#call-location-part")
            await page.click("#hang-up")
            await expect(home, "ended")
            await page.wait_for_selector("#call", state="hidden")
            await home.close()
            assert not problems, problems

    try:
        asyncio.run(scenario())
    finally:
        store.close()
