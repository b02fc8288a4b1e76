"""The advisor's console in a real browser for tests: headless Chromium (Debian's, with a fake
camera and microphone) logged in through the hub's own login form, on the console with its
socket open."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import AsyncIterator

from playwright.async_api import Page, async_playwright

from tests.hub.conftest import PASSWORD
from tests.peers.browser import CHROMIUM, CHROMIUM_ARGS


@contextlib.asynccontextmanager
async def advisor_console(
    base: str, username: str = "anna"
) -> AsyncIterator[tuple[Page, list[str]]]:
    """The console page of `username` at the hub `base`, and the page errors seen on it (a test
    should find none)."""
    profile = tempfile.mkdtemp(prefix="advisor-console-")
    problems: list[str] = []
    try:
        async with async_playwright() as p:
            context = await p.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            try:
                page = await context.new_page()
                page.on("pageerror", lambda e: problems.append(str(e)))
                await page.goto(f"{base}/login")
                await page.fill("#username", username)
                await page.fill("#password", PASSWORD)
                await page.click("button[type=submit]")
                await page.wait_for_url(f"{base}/advisor")
                await page.wait_for_selector("body[data-socket=open]")
                yield page, problems
            finally:
                await context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
