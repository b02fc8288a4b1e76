"""The advisor's console in a real browser for tests: headless Chromium (Debian's, with a fake
camera and microphone) logged in through the hub's own login form, on the console with its
socket open."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from playwright.async_api import Page

from tests.hub.conftest import PASSWORD
from tests.peers.browser import chromium, log_in, watch


@contextlib.asynccontextmanager
async def advisor_console(
    base: str, username: str = "anna", *, strict: bool = False, **options: Any
) -> AsyncIterator[tuple[Page, list[str]]]:
    """The console page of `username` at the hub `base`, and the page errors seen on it (a test
    should find none). `strict` counts console errors and failed requests as problems too (a
    test whose hub stays up); `options` go to the browser (a viewport, say)."""
    problems: list[str] = []
    async with chromium(**options) as context:
        page = await context.new_page()
        if strict:
            watch(page, problems)
        else:
            page.on("pageerror", lambda e: problems.append(str(e)))
        await log_in(page, base, username, PASSWORD, "/advisor")
        await page.wait_for_selector("body[data-socket=open]")
        yield page, problems
