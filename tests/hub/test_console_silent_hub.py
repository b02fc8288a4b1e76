"""The advisor's console notices a hub that froze with its socket still open (SIGSTOP: the
kernel keeps the connection, nothing answers), says it is reconnecting, and is back when the hub
is. A page cannot see WebSocket pings, so the console pings the hub itself at the pace the
hub's hello gives (`ping_seconds`, here [hub] heartbeat_seconds = 1)."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from tests.peers.browser import needs_chromium
from tests.peers.console import advisor_console
from tests.video.conftest import DEADLINE
from tests.video.resilience_peers import HubProcess, free_port, write_hub

pytestmark = needs_chromium


def test_the_console_says_it_reconnects_when_the_hub_goes_silent_and_comes_back(
    tmp_path: Path,
) -> None:
    port = free_port()
    path, _ = write_hub(tmp_path / "hub", port, hub_keys="heartbeat_seconds = 1\n")
    hub = HubProcess(path, port, tmp_path / "hub.log")
    hub.start()

    async def scenario() -> None:
        async with advisor_console(hub.url) as (page, problems):
            # Pings answered: the console stays connected over several of them.
            pongs = await asyncio.wait_for(
                page.evaluate(
                    """() => new Promise((done) => {
                      let seen = 0;
                      const ws = window.consoleState.ws;
                      ws.addEventListener("message", (e) => {
                        if (JSON.parse(e.data).type === "pong" && ++seen === 3) done(seen);
                      });
                    })"""
                ),
                DEADLINE,
            )
            assert pongs == 3
            assert await page.get_attribute("body", "data-socket") == "open"

            hub.signal(signal.SIGSTOP)
            try:
                await page.wait_for_selector("body[data-socket=closed]", timeout=DEADLINE * 1000)
                status = await page.text_content("#socket-status") or ""
                assert "reconnecting" in status
            finally:
                hub.signal(signal.SIGCONT)
            await page.wait_for_selector("body[data-socket=open]", timeout=DEADLINE * 1000)
            assert "Connected" in (await page.text_content("#socket-status") or "")
            assert not problems, problems

    try:
        asyncio.run(scenario())
    finally:
        hub.stop()
