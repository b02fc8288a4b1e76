"""The keypad in an e-service's page: left and right go through the page's own links and
fields, OK presses Enter there, up and down leave the page for the kiosk's controls; the page is
said by its title when the focus comes to it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.ui.window import KioskWindow
from tests.peers.websites import Websites, websites_fixture  # noqa: F401 - used by name
from tests.ui.eservices import (
    eservices_config_fixture,  # noqa: F401 - used by name
    js,
    open_page,
    web_window_fixture,  # noqa: F401 - used by name
)
from tests.ui.speech_double import HeardEngine

KEYPAD = Qt.KeyboardModifier.KeypadModifier
ACTIVE = (
    "document.activeElement ? (document.activeElement.id || document.activeElement.tagName) : ''"
)


def press(window: KioskWindow, key: Qt.Key) -> None:
    QTest.keyClick(QApplication.focusWidget() or window, key, KEYPAD)


def test_the_keypad_moves_through_a_page_and_out_of_it(
    qtbot: QtBot, web_window: KioskWindow, websites: Websites
) -> None:
    engine = HeardEngine()
    web_window.activateWindow()
    web_window.start_speech(engine)
    screen = open_page(qtbot, web_window)
    web_window.ui.set_read_aloud(True)
    view = screen.browser.view
    view.setFocus()
    proxy = view.focusProxy()
    assert proxy is not None
    qtbot.waitUntil(lambda: QApplication.focusWidget() is proxy)
    title = js(qtbot, screen.browser.page, "document.title")
    qtbot.waitUntil(lambda: any(title in text and "web page" in text for text in engine.texts()))
    seen = []
    for _ in range(3):
        press(web_window, Qt.Key.Key_6)
        qtbot.waitUntil(lambda: js(qtbot, screen.browser.page, ACTIVE) not in ("BODY", *seen))
        seen.append(js(qtbot, screen.browser.page, ACTIVE))
        assert QApplication.focusWidget() is proxy  # still in the page
    assert len(set(seen)) == 3, seen
    press(web_window, Qt.Key.Key_4)
    qtbot.waitUntil(lambda: js(qtbot, screen.browser.page, ACTIVE) == seen[1])
    press(web_window, Qt.Key.Key_8)  # up: out of the page, to the kiosk's controls above it
    focus = QApplication.focusWidget()
    assert focus is not None and focus is not proxy and web_window.isAncestorOf(focus)
