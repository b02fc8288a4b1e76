"""An advisor whose account is disabled while the console is open (by an admin with kiosk-hub,
in another process) sees the console say the login has ended and is taken to the login page,
rather than it reconnecting forever to a hub that refuses it."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from tests.peers.browser import needs_chromium
from tests.peers.console import advisor_console
from tests.video.conftest import DEADLINE
from tests.video.resilience_peers import ROOT, HubProcess, free_port, write_hub

pytestmark = needs_chromium


def test_a_disabled_advisors_console_says_so_and_goes_to_the_login_page(tmp_path: Path) -> None:
    port = free_port()
    path, _ = write_hub(tmp_path / "hub", port)
    hub = HubProcess(path, port, tmp_path / "hub.log")
    hub.start()

    async def scenario() -> None:
        async with advisor_console(hub.url) as (page, problems):
            disabled = await asyncio.to_thread(
                subprocess.run,
                [sys.executable, "-m", "hub", "--config", str(path), "user", "disable", "anna"],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=DEADLINE,
            )
            assert disabled.returncode == 0, disabled.stderr
            await page.wait_for_selector("body[data-socket=logged-out]", timeout=DEADLINE * 1000)
            assert "Your login has ended" in (await page.text_content("#socket-status") or "")
            await page.wait_for_url("**/login*", timeout=DEADLINE * 1000)
            assert await page.locator("input[name=password]").count() == 1
            assert not problems, problems

    try:
        asyncio.run(scenario())
    finally:
        hub.stop()
