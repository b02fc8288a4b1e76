"""The advisor's console for the kiosk's end-to-end call tests: Chromium logged in to the hub of
the test's `hub` fixture (a `HubServer`: tests/ui/test_video_call.py), available for calls."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import pytest
from playwright.sync_api import Page

from tests.hub.conftest import PASSWORD
from tests.peers.browser import chromium_sync, watch

ADVISOR = "anna"


class Served(Protocol):
    url: str


@pytest.fixture(name="advisor")
def advisor_fixture(hub: Served) -> Iterator[Page]:
    """The advisor's console in Chromium, logged in through the form and available."""
    problems: list[str] = []
    with chromium_sync(viewport={"width": 1280, "height": 900}) as browser:
        page = browser.new_page()
        watch(page, problems)
        page.goto(f"{hub.url}/login")
        page.fill("#username", ADVISOR)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{hub.url}/advisor")
        page.wait_for_selector("body[data-socket=open]")
        page.click("#set-available")
        page.wait_for_selector("#set-available[aria-pressed=true]")
        yield page
    assert not problems, problems
