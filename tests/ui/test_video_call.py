"""A video call from end to end: the real hub, the real kiosk app and an advisor in Chromium.

The hub is `make_app` on a free port, served from its own thread and asyncio loop. The kiosk is
the app's own window on the offscreen platform with its back end, its hub client and the
simulated camera; the citizen taps through it with qtbot. The advisor is Debian's headless
Chromium with a fake camera and microphone, driven by Playwright's sync API on the test's
thread: each Playwright call blocks the Qt loop while it runs, so the test keeps them short and
polls the page between `qtbot.wait`s, which keep Qt's events flowing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from playwright.sync_api import Page
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton
from pytestqt.qtbot import QtBot

from hub import accounts
from hub.calls.lines import DEFAULT_LINES
from hub.config import load_config
from hub.store import HubStore, open_configured
from kiosk.config import Config
from kiosk.ui.screens.video.screen import AdviceScreen
from kiosk.ui.window import KioskWindow
from kiosk.video.advice import AdviceClient, AdvicePhase
from tests.hub.conftest import QUICK_HASHER, FixedClock, add_kiosk, add_user
from tests.peers.browser import needs_chromium
from tests.ui.advisor_console import (
    ADVISOR,
    advisor_fixture,  # noqa: F401 - used by name
)
from tests.video.conftest import hub_on_thread

#: Generous on purpose (two shared cores, a browser and two video codecs); milliseconds.
WAIT = 60_000

pytestmark = needs_chromium


@dataclass
class HubServer:
    """The hub serving on 127.0.0.1 from a thread of its own; its store, and the token of the
    kiosk enrolled in it."""

    url: str
    store: HubStore
    token: str


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[HubServer]:
    """The hub serving, with an advisor on Virka-info and an enrolled kiosk."""
    monkeypatch.setattr(accounts, "hasher", QUICK_HASHER)
    folder = tmp_path / "hub"
    folder.mkdir()
    path = folder / "hub.toml"
    path.write_text(f'[hub]\ndata_dir = "{folder / "data"}"\ncookie_secure = false\n')
    config = load_config(path)
    lines = tuple(
        replace(line, advisors=(ADVISOR,) if line.id == "virka-info" else ())
        for line in DEFAULT_LINES.values()
    )
    config = replace(config, lines=lines)
    store = open_configured(config)
    add_user(store, ADVISOR, "advisor")
    token = add_kiosk(store, "demo-kiosk")  # the kiosk config's default id
    try:
        # Monday 10:00 in Helsinki: Virka-info is open.
        with hub_on_thread(config, store, FixedClock()) as url:
            yield HubServer(url, store, token)
    finally:
        store.close()


@pytest.fixture
def config(make_config: Callable[..., Config], hub: HubServer) -> Config:
    base = make_config()
    return replace(base, kiosk=replace(base.kiosk, hub_url=hub.url, hub_token=hub.token))


def click(qtbot: QtBot, button: QAbstractButton) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def until(qtbot: QtBot, check: Callable[[], bool], what: str) -> None:
    """Poll `check` (which may ask the browser) with Qt's events flowing in between."""
    deadline = time.monotonic() + WAIT / 1000
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        qtbot.wait(100)


def browser_stats(page: Page) -> dict[str, int]:
    stats = page.evaluate("callStats()")
    return {k: int(stats[k]) for k in ("videoFramesDecoded", "audioPacketsReceived")}


def kiosk_frames(client: AdviceClient) -> tuple[int, int]:
    stats = client.receive_stats()
    return (stats.video_frames, stats.audio_frames) if stats is not None else (0, 0)


def call_the_advisor(qtbot: QtBot, window: KioskWindow, page: Page) -> AdviceScreen:
    """The citizen starts a session, opens Video advice, calls Virka-info; the advisor answers
    and both ends send and receive video and sound."""
    client = window.kiosk.advice
    assert client is not None
    click(qtbot, window.attract.language_buttons["en"])
    frame = window.frame
    assert frame is not None
    click(qtbot, frame.home.tiles["advice"])
    screen = frame.service_screen
    assert isinstance(screen, AdviceScreen)
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.lines_page, timeout=WAIT)
    assert (
        screen.line_buttons["virka-info"]
        .state_label.text()
        .startswith("Open now: 1 advisor is free. ")
    )
    click(qtbot, screen.line_buttons["virka-info"])
    assert screen.pages.currentWidget() is screen.preview_page
    qtbot.waitUntil(lambda: not screen.preview_view.pixmap().isNull(), timeout=WAIT)
    click(qtbot, screen.call_button)
    assert screen.pages.currentWidget() is screen.waiting_page

    until(qtbot, lambda: page.is_visible("#ringing"), "the console to ring")
    assert page.text_content("#ring-kiosk") == "Itäkeskus 1"
    page.click("#accept")
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.call_page, timeout=WAIT)
    assert screen.status.phase is AdvicePhase.CONNECTED
    until(qtbot, lambda: page.evaluate("document.body.dataset.state") == "call", "the console")

    # Video and sound both ways, still flowing after the first frames.
    until(qtbot, lambda: kiosk_frames(client)[0] > 10, "the kiosk to receive video")
    until(qtbot, lambda: browser_stats(page)["videoFramesDecoded"] > 10, "the console to decode")
    video, audio = kiosk_frames(client)
    seen = browser_stats(page)
    until(qtbot, lambda: kiosk_frames(client)[0] > video + 30, "more video at the kiosk")
    until(qtbot, lambda: kiosk_frames(client)[1] > audio + 30, "more sound at the kiosk")
    until(
        qtbot,
        lambda: browser_stats(page)["videoFramesDecoded"] > seen["videoFramesDecoded"] + 30,
        "more video in the console",
    )
    until(
        qtbot,
        lambda: browser_stats(page)["audioPacketsReceived"] > seen["audioPacketsReceived"] + 30,
        "more sound in the console",
    )
    # The citizen sees the advisor, and themselves.
    qtbot.waitUntil(lambda: not screen.remote_view.pixmap().isNull(), timeout=WAIT)
    qtbot.waitUntil(lambda: not screen.self_view.pixmap().isNull(), timeout=WAIT)
    return screen


def test_the_citizen_calls_the_advisor_answers_and_the_citizen_hangs_up(
    qtbot: QtBot, window: KioskWindow, advisor: Page, hub: HubServer, shots: Path
) -> None:
    page = advisor
    screen = call_the_advisor(qtbot, window, page)
    qtbot.wait(500)  # a few more pictures of the advisor for the screenshot
    window.grab().save(str(shots / "video-call-kiosk-connected.png"))
    page.wait_for_selector("#call-media-state", state="hidden")
    page.screenshot(path=str(shots / "video-call-console-in-call.png"))

    click(qtbot, screen.end_button)
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.after_page, timeout=WAIT)
    client = window.kiosk.advice
    assert client is not None and client.receive_stats() is None
    until(qtbot, lambda: page.evaluate("document.body.dataset.state") == "idle", "console idle")
    assert page.is_hidden("#call")
    assert page.evaluate("window.consoleState.pc") is None
    # The citizen rates the call and is back at home; the console waits for the next one.
    qtbot.waitUntil(lambda: screen.star_buttons[5].isVisible(), timeout=WAIT)
    click(qtbot, screen.star_buttons[5])
    click(qtbot, screen.done_button)
    frame = window.frame
    assert frame is not None and frame.stack.currentWidget() is frame.home_page
    assert page.get_attribute("#set-available", "aria-pressed") == "true"
    # The hub kept the call, anonymously, with the citizen's rating.
    qtbot.waitUntil(lambda: [r["rating"] for r in hub.store.call_records()] == [5], timeout=WAIT)
    [record] = hub.store.call_records()
    assert (record["outcome"], record["reason"]) == ("answered", "kiosk_hung_up")


def test_the_advisor_hangs_up_and_both_are_idle(
    qtbot: QtBot, window: KioskWindow, advisor: Page, hub: HubServer
) -> None:
    page = advisor
    screen = call_the_advisor(qtbot, window, page)

    page.click("#hang-up")
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.after_page, timeout=WAIT)
    assert screen.status.reason == "advisor_hung_up"
    client = window.kiosk.advice
    assert client is not None and client.receive_stats() is None
    until(qtbot, lambda: page.evaluate("document.body.dataset.state") == "idle", "console idle")
    assert page.evaluate("window.consoleState.pc") is None
    qtbot.waitUntil(lambda: len(hub.store.call_records()) == 1, timeout=WAIT)
    [record] = hub.store.call_records()
    assert (record["outcome"], record["reason"]) == ("answered", "advisor_hung_up")
    click(qtbot, screen.done_button)
    frame = window.frame
    assert frame is not None and frame.stack.currentWidget() is frame.home_page
