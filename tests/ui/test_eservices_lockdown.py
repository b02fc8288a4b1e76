"""The e-services browser's lockdown, against real test sites under their own host names: what is
on the list loads, and nothing else leaves the box (the off-list site counts zero requests)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.ui.window import KioskWindow
from tests.peers.websites import Websites, websites_fixture  # noqa: F401 - used by name
from tests.ui.conftest import off_ui
from tests.ui.eservices import (
    eservices_config_fixture,  # noqa: F401 - used by name
    go,
    js,
    open_page,
    text_of,
    wait_text,
    web_window_fixture,  # noqa: F401 - used by name
)

PROBES = ("img", "iframe", "script", "fetch", "websocket", "form")


def test_the_listed_page_loads_and_the_bar_says_where_it_is(
    qtbot: QtBot, web_window: KioskWindow, websites: Websites
) -> None:
    screen = open_page(qtbot, web_window)
    browser = screen.browser
    assert browser.page.url().toString() == websites.url("/")
    assert js(qtbot, browser.page, "document.title").startswith("Demo e-service")
    assert browser.name.text() == screen.list.catalogue.service("demo-service").name("en")  # type: ignore[union-attr]
    port = websites.ports["service"]
    assert browser.host.full_text() == f"eservice.test:{port} · Not a secure connection"
    assert browser.lock.isHidden()  # plain http: no lock
    assert websites.service_log.find("/")
    assert websites.offlist_count() == 0
    # The open is counted for the usage figures, by the service's id and nothing else.
    writer = web_window.kiosk.writer
    assert writer is not None

    def opened() -> list[tuple[str, str | None]]:
        since = datetime.now(UTC) - timedelta(hours=1)
        rows = off_ui(writer.store.usage_since, since)
        return [(row.kind, row.service) for row in rows if row.kind == "eservice_opened"]

    qtbot.waitUntil(lambda: opened() == [("eservice_opened", "demo-service")])


def test_every_kind_of_request_to_an_off_list_host_is_blocked_before_it_leaves(
    qtbot: QtBot, web_window: KioskWindow, websites: Websites
) -> None:
    screen = open_page(qtbot, web_window)
    page = screen.browser.page
    go(qtbot, page, websites.url("/offlist-probe"))
    wait_text(qtbot, page, "probe-done", lambda text: text == "done")
    outcomes = {name: text_of(qtbot, page, f"{name}-result") for name in PROBES}
    # Failed, or never answered (a blocked frame has no load to report): none loaded.
    assert all(outcome in ("blocked", "timeout") for outcome in outcomes.values()), outcomes
    # What the page may do on its own site still works: a fetch and a WebSocket.
    assert text_of(qtbot, page, "fetch-allowed-result") == "loaded"
    assert text_of(qtbot, page, "websocket-allowed-result") == "loaded"
    assert websites.offlist_count() == 0


def test_an_off_list_link_shows_the_kiosks_own_page_and_back_returns(
    qtbot: QtBot, web_window: KioskWindow, websites: Websites
) -> None:
    screen = open_page(qtbot, web_window)
    browser = screen.browser
    browser.page.runJavaScript(f"location.href = '{websites.url('/', 'offlist')}'", 0)
    qtbot.waitUntil(lambda: browser.stack.currentWidget() is browser.notice_area)
    assert browser.notice.title.text() == "This address is not available here"
    offlist = f"offlist.test:{websites.ports['offlist']}"
    assert f"{offlist} is not one of them" in browser.notice.text.text()
    qtbot.mouseClick(browser.notice.back_button, Qt.MouseButton.LeftButton)
    assert browser.stack.currentWidget() is browser.view
    assert browser.page.url().toString() == websites.url("/")
    assert websites.offlist_count() == 0


@pytest.mark.parametrize(
    "address",
    [
        "file:///etc/passwd",
        "data:text/html,<h1 id=x>data page</h1>",
        "view-source:http://eservice.test/",
        "chrome://version",
    ],
)
def test_no_page_is_navigated_to_a_file_data_or_browser_address(
    qtbot: QtBot, web_window: KioskWindow, websites: Websites, address: str
) -> None:
    screen = open_page(qtbot, web_window)
    browser = screen.browser
    browser.page.runJavaScript(
        f"const a = document.createElement('a'); a.href = {address!r};"
        " document.body.appendChild(a); a.click();",
        0,
    )
    # A link to it goes nowhere; asked of the page directly, it is refused with words.
    browser.page.setUrl(address)
    qtbot.waitUntil(lambda: browser.stack.currentWidget() is browser.notice_area)
    assert browser.notice.title.text() == "This address is not available here"
    # The document is still the service's page.
    assert js(qtbot, browser.page, "location.href") == websites.url("/")
    assert websites.offlist_count() == 0


def test_a_javascript_address_runs_under_the_same_lockdown(
    qtbot: QtBot, web_window: KioskWindow, websites: Websites
) -> None:
    """A javascript: link is the page's own script: it cannot take the page off the list."""
    screen = open_page(qtbot, web_window)
    browser = screen.browser
    offlist = websites.url("/", "offlist")
    browser.page.runJavaScript(
        "const a = document.createElement('a');"
        f" a.href = \"javascript:location.href='{offlist}'\";"
        " document.body.appendChild(a); a.click();",
        0,
    )
    qtbot.waitUntil(lambda: browser.stack.currentWidget() is browser.notice_area)
    browser.page.setUrl(f"javascript:location.href='{offlist}'")
    qtbot.wait(300)
    assert websites.offlist_count() == 0
    assert browser.page.url().toString() == websites.url("/")


def test_a_new_window_opens_inside_the_screen_with_a_close(
    qtbot: QtBot, web_window: KioskWindow, websites: Websites
) -> None:
    screen = open_page(qtbot, web_window, "demo-limits")
    browser = screen.browser
    js(qtbot, browser.page, "document.getElementById('popup-open').click(); true")
    qtbot.waitUntil(lambda: browser.stack.currentWidget() is browser.popup_panel)
    popup = browser.popup_page
    assert popup is not None
    qtbot.waitUntil(lambda: popup.url().toString() == websites.url("/popup"), timeout=10_000)
    assert text_of(qtbot, browser.page, "popup-open-result") == "opened"
    # Still one window: the kiosk's.
    assert [w for w in qtbot_top_levels() if w.isVisible()] == [web_window]
    qtbot.mouseClick(browser.close_popup_button, Qt.MouseButton.LeftButton)
    assert browser.stack.currentWidget() is browser.view
    assert browser.popup_page is None


@pytest.mark.parametrize(
    ("ask", "permission"),
    [
        ("geo", "Geolocation"),
        ("camera", "MediaAudioVideoCapture"),
        ("notify", "Notifications"),
        ("clipboard", "ClipboardReadWrite"),
    ],
)
def test_what_a_page_asks_for_is_denied(
    qtbot: QtBot, web_window: KioskWindow, websites: Websites, ask: str, permission: str
) -> None:
    screen = open_page(qtbot, web_window, "demo-limits")
    page = screen.browser.page
    # A secure context, where a browser would ask the citizen; the kiosk says no itself.
    go(qtbot, page, websites.secure_url("/try"))
    assert text_of(qtbot, page, "secure-context") == "true"
    js(qtbot, page, f"document.getElementById('{ask}').click(); true")
    outcome = wait_text(qtbot, page, f"{ask}-result", lambda t: t not in ("", "asking"))
    assert screen.web.denied == [permission]
    # The page is refused: NotAllowedError ("denied"), or for the camera Chromium's AbortError.
    assert outcome in ("denied", "AbortError")


def qtbot_top_levels() -> list[object]:
    from PySide6.QtWidgets import QApplication

    return [w for w in QApplication.topLevelWidgets() if w.isWindow()]


def test_no_full_screen_no_context_menu_and_nothing_dropped_on_the_page(
    qtbot: QtBot, web_window: KioskWindow, websites: Websites
) -> None:
    screen = open_page(qtbot, web_window)
    browser = screen.browser
    page = browser.page
    outcome = js(
        qtbot,
        page,
        "document.documentElement.requestFullscreen ? 'asked' : 'no full-screen API'",
    )
    if outcome == "asked":
        page.runJavaScript(
            "document.documentElement.requestFullscreen().then("
            "() => window.fullscreen = 'granted', e => window.fullscreen = e.name)",
            0,
        )
        qtbot.waitUntil(lambda: js(qtbot, page, "window.fullscreen || ''") != "")
        assert js(qtbot, page, "window.fullscreen") != "granted"
    assert js(qtbot, page, "document.fullscreenElement === null") is True
    # A long press or the menu key asks for a context menu: none comes, in the page or the bar.
    proxy = browser.view.focusProxy()
    assert proxy is not None
    before = {w for w in QApplication.topLevelWidgets() if w.isVisible()}
    for target in (proxy, browser.back_button):
        menu = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, QPoint(20, 20), QPoint(20, 20))
        QApplication.sendEvent(target, menu)
    qtbot.wait(200)
    assert {w for w in QApplication.topLevelWidgets() if w.isVisible()} == before
    assert not browser.view.acceptDrops()
    settings = page.settings()
    assert not settings.testAttribute(settings.WebAttribute.NavigateOnDropEnabled)
    # No remote debugging either: the variable that would open it is never left set.
    assert "QTWEBENGINE_REMOTE_DEBUGGING" not in os.environ
