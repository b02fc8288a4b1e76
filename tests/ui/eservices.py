"""Driving the E-services screen as a citizen does, against the test sites (tests/peers/websites):
a window whose kiosk has the sites' catalogue where kiosk-agent would have cached it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWebEngineCore import QWebEnginePage
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.ui.screens.eservices.screen import EServicesScreen
from kiosk.ui.window import KioskWindow
from kiosk.web.cache import CACHE_FILE
from tests.conftest import FakeClock
from tests.peers.websites import Websites
from tests.ui.conftest import open_window

BROWSER_TOML = "[browser]\nallow_plain_http = true\n"
LOAD_MS = 20_000


def cache_catalogue(data_dir: Path, catalogue: dict[str, Any]) -> None:
    """The catalogue as kiosk-agent keeps it for the app."""
    data_dir.mkdir(parents=True, exist_ok=True)
    content = {"version": "test", "fetched_at": "2026-01-01T00:00:00.000Z", "catalogue": catalogue}
    (data_dir / CACHE_FILE).write_text(json.dumps(content), encoding="utf-8")


@pytest.fixture(name="eservices_config")
def eservices_config_fixture(make_config: Callable[..., Config], websites: Websites) -> Config:
    config = make_config(BROWSER_TOML)
    cache_catalogue(config.data_dir, websites.catalogue())
    return config


@pytest.fixture(name="web_window")
def web_window_fixture(
    qtbot: QtBot, eservices_config: Config, clock: FakeClock
) -> Iterator[KioskWindow]:
    yield from open_window(qtbot, eservices_config, clock)


def start_session(qtbot: QtBot, window: KioskWindow, language: str = "en") -> None:
    qtbot.mouseClick(window.attract.language_buttons[language], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.frame is not None)


def open_eservices(qtbot: QtBot, window: KioskWindow) -> EServicesScreen:
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.home.tiles["eservices"], Qt.MouseButton.LeftButton)
    screen = frame.service_screen
    assert isinstance(screen, EServicesScreen)
    qtbot.waitUntil(lambda: screen.catalogue is not None, timeout=LOAD_MS)
    return screen


def open_service(qtbot: QtBot, screen: EServicesScreen, service_id: str = "demo-service") -> None:
    # The empty page that readies the renderer first, so that its end is not taken for this.
    qtbot.waitUntil(lambda: screen.browser.warm, timeout=LOAD_MS)
    with qtbot.waitSignal(screen.browser.page.loadFinished, timeout=LOAD_MS):
        qtbot.mouseClick(screen.list.buttons[service_id], Qt.MouseButton.LeftButton)


def open_page(
    qtbot: QtBot, window: KioskWindow, service_id: str = "demo-service", language: str = "en"
) -> EServicesScreen:
    """A new session, E-services, and the service's start page loaded."""
    start_session(qtbot, window, language)
    screen = open_eservices(qtbot, window)
    open_service(qtbot, screen, service_id)
    return screen


def go(qtbot: QtBot, page: QWebEnginePage, url: str) -> None:
    """The page at `url`, as if the citizen had followed a link to it."""
    with qtbot.waitSignal(page.loadFinished, timeout=LOAD_MS):
        page.runJavaScript(f"location.href = {json.dumps(url)}", 0)


def js(qtbot: QtBot, page: QWebEnginePage, script: str) -> Any:
    """What `script` gives in the page (its main world)."""
    found: list[Any] = []
    page.runJavaScript(script, 0, found.append)
    qtbot.waitUntil(lambda: bool(found), timeout=LOAD_MS)
    return found[0]


def text_of(qtbot: QtBot, page: QWebEnginePage, element_id: str) -> str:
    script = f"(document.getElementById({json.dumps(element_id)}) || {{}}).textContent || ''"
    return str(js(qtbot, page, script))


def wait_text(
    qtbot: QtBot, page: QWebEnginePage, element_id: str, done: Callable[[str], bool]
) -> str:
    """The element's text once `done` says it is what was waited for."""
    seen: list[str] = [""]

    def ready() -> bool:
        seen[0] = text_of(qtbot, page, element_id)
        return done(seen[0])

    qtbot.waitUntil(ready, timeout=LOAD_MS)
    return seen[0]
