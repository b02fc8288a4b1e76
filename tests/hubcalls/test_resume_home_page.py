"""A call from home survives its hub: a citizen on the home page in Chromium and the advisor's
console in another, in a call through one `kiosk-hub serve`, which is SIGKILLed mid-call and
started again on the same port and database. The home page's new socket has a new id: the
call's own id gives the call back to it. Video goes on both ways, and the call's one record,
once the citizen hangs up, is an answered call from home.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page

from hub import accounts
from hub.config import load_config
from hub.store import open_configured
from tests.hub.conftest import QUICK_HASHER
from tests.peers.browser import chromium, needs_chromium, until
from tests.peers.console import advisor_console
from tests.video.conftest import DEADLINE
from tests.video.resilience_peers import HubProcess, free_port, write_hub

pytestmark = needs_chromium


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "hasher", QUICK_HASHER)


async def decoded(page: Page) -> int:
    stats: dict[str, Any] = await page.evaluate("callStats()")
    return int(stats["videoFramesDecoded"])


async def both_decode(home: Page, console: Page, more: int) -> None:
    """Each page decodes `more` frames of the other's camera beyond what it had."""
    had = await decoded(home), await decoded(console)
    loop = asyncio.get_running_loop()
    give_up = loop.time() + DEADLINE
    while not (await decoded(home) > had[0] + more and await decoded(console) > had[1] + more):
        assert loop.time() < give_up, (
            f"frames: {had} then {await decoded(home)}, {await decoded(console)}"
        )
        await asyncio.sleep(0.2)


def test_a_home_call_carries_on_through_a_hub_killed_and_started_again(tmp_path: Path) -> None:
    port = free_port()
    path, _ = write_hub(tmp_path / "hub", port)
    hub = HubProcess(path, port, tmp_path / "hub.log")
    hub.start()

    async def scenario() -> None:
        async with (
            advisor_console(hub.url) as (console, console_problems),
            chromium(locale="fi-FI") as context,
        ):
            await console.click("#set-available")
            await console.wait_for_selector("#set-available[aria-pressed=true]")
            home = await context.new_page()
            problems: list[str] = []
            home.on("pageerror", lambda e: problems.append(str(e)))
            await home.goto(f"{hub.url}/call")
            await home.click("#lines button[data-line=virka-info]")
            await home.wait_for_selector("body[data-step=consent]")
            await home.click("#allow-camera")
            await home.click("#call:not([hidden])")
            await console.wait_for_selector("#ringing:not([hidden])", timeout=DEADLINE * 1000)
            await console.click("#accept")
            await home.wait_for_selector("body[data-step=call]")
            call = await home.evaluate("window.homeCall.call")
            await both_decode(home, console, 10)

            hub.signal(signal.SIGKILL)
            hub.wait()
            await until(home, "window.homeCall.resuming !== null")
            await console.wait_for_selector("body[data-socket=closed]")
            await both_decode(home, console, 15)  # peer to peer, with no hub at all

            hub.start()
            await until(home, "window.homeCall.resuming === null", DEADLINE)
            await until(console, "window.consoleState.resuming === null", DEADLINE)
            assert await home.evaluate("window.homeCall.call") == call
            assert await home.get_attribute("body", "data-step") == "call"
            assert await console.evaluate("window.consoleState.call !== null")
            await both_decode(home, console, 30)

            await home.click("#hang-up")
            await home.wait_for_selector("body[data-step=ended]")
            assert await home.text_content("#ended-reason") == "Lopetit puhelun."
            await console.wait_for_selector("body[data-state=idle]")
            assert not problems, problems
            assert not console_problems, console_problems

    try:
        asyncio.run(asyncio.wait_for(scenario(), 5 * DEADLINE))
        store = open_configured(load_config(path))
        try:
            [record] = store.call_records()
        finally:
            store.close()
        assert (record["kiosk_id"], record["outcome"], record["reason"]) == (
            "home",
            "answered",
            "kiosk_hung_up",
        )
    finally:
        hub.stop()
