"""A call across two hub instances: a citizen on the home page in one Chromium, connected to
instance A (which hosts the switchboard), and an advisor's console in another Chromium,
connected to instance B. Both `kiosk-hub serve` processes share one PostgreSQL schema; every
step of the advisor's goes through the database to A, and every message for the advisor back
to B. Frames decoded at each end prove video both ways; `/api/lines` asked of B (which does not
host the switchboard) shows the caller waiting; the call's record is written once.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from playwright.async_api import Page

from tests.cluster.calls_hubs import call_cluster, hosting, line_status
from tests.hub.conftest import PASSWORD
from tests.peers.browser import chromium, needs_chromium, until, watch
from tests.peers.console import advisor_console
from tests.peers.postgres import PostgresServer
from tests.video.resilience_peers import VIRKA

pytestmark = needs_chromium

PHONE = {"width": 390, "height": 844}


async def _decoding(page: Page, more_than: int) -> int:
    """Wait until the page has decoded more than `more_than` frames of the other end's camera."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + 60
    while True:
        stats: dict[str, Any] = await page.evaluate("callStats()")
        frames = int(stats["videoFramesDecoded"])
        if frames > more_than:
            return frames
        assert loop.time() < give_up, f"decoded only {frames} frames"
        await asyncio.sleep(0.2)


async def _status_becomes(base: str, token: str, **expected: Any) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    give_up = loop.time() + 30
    while True:
        status = await line_status(base, "k1", token, VIRKA)
        if all(status.get(k) == v for k, v in expected.items()):
            return status
        assert loop.time() < give_up, f"{base}: {status}, not {expected}"
        await asyncio.sleep(0.2)


def test_a_home_caller_on_one_instance_and_an_advisor_on_the_other_see_and_hear_each_other(
    postgres_server: PostgresServer, tmp_path: Path, shots: Path
) -> None:
    cluster = call_cluster(postgres_server, tmp_path)
    try:
        cluster.start()
        a = hosting(cluster)
        [b] = [hub for hub in cluster.hubs if hub is not a]
        cluster.add_user("anna", "advisor", PASSWORD)
        token = cluster.enroll("k1")

        async def scenario() -> None:
            async with (
                advisor_console(b.url, strict=True, viewport={"width": 1280, "height": 900}) as (
                    console,
                    console_problems,
                ),
                chromium(viewport=PHONE, locale="fi-FI") as context,
            ):
                home = await context.new_page()
                problems: list[str] = []
                watch(home, problems)
                await home.goto(f"{a.url}/call")
                await home.wait_for_selector("#lines .line")
                await until(
                    home,
                    "document.querySelector('#lines .line .state').dataset.state === 'unstaffed'",
                )
                # The advisor on B says they are available; A, hosting, hears it, and the
                # page on A offers the call.
                await console.click("#set-available")
                await console.wait_for_selector("#set-available[aria-pressed=true]")
                await home.wait_for_selector("#lines button[data-line=virka-info]", timeout=30_000)
                await _status_becomes(b.url, token, state="available", advisors_free=1)

                await home.click("#lines button[data-line=virka-info]")
                await home.click("#allow-camera")
                await home.wait_for_selector("#call:not([hidden])")
                await home.click("#call")
                await home.wait_for_selector("body[data-step=queue]")
                await console.wait_for_selector("#ringing:not([hidden])")
                # B does not host the switchboard, yet its /api/lines counts the caller.
                waiting = await _status_becomes(b.url, token, waiting=1)
                assert waiting["state"] == "busy", waiting
                await home.screenshot(path=str(shots / "cluster-home-queue.png"), full_page=True)
                await console.click("#accept")

                await home.wait_for_selector("body[data-step=call]")
                await console.wait_for_selector("body[data-state=call]")
                # Video both ways, and sound, across the two instances' signalling.
                seen_home = await _decoding(home, 10)
                seen_console = await _decoding(console, 10)
                await _decoding(home, seen_home + 30)
                await _decoding(console, seen_console + 30)
                assert (await home.evaluate("callStats()"))["audioPacketsReceived"] > 0
                assert (await console.evaluate("callStats()"))["audioPacketsReceived"] > 0
                await _status_becomes(b.url, token, waiting=0, advisors_free=0)
                await console.screenshot(path=str(shots / "cluster-console-call.png"))

                await home.click("#hang-up")
                await home.wait_for_selector("body[data-step=ended]")
                assert await home.text_content("#ended-reason") == "Lopetit puhelun."
                await console.wait_for_selector("body[data-state=idle]")
                await _status_becomes(b.url, token, state="available", waiting=0)
                assert not problems, problems
            assert not console_problems, console_problems

        asyncio.run(scenario())

        [record] = cluster.rows("SELECT * FROM call_records")
        assert (record["kiosk_id"], record["outcome"], record["reason"]) == (
            "home",
            "answered",
            "kiosk_hung_up",
        )
        assert record["answered_at"] is not None and record["talk_ms"] > 0
    finally:
        cluster.drop()
