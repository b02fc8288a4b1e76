"""The E-mail screen against the hub as it runs: a citizen reads the hub's own sender address and
how many e-mails the kiosk may still send this hour, in each language, before typing anything."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.app import Kiosk
from kiosk.ui.main import build
from kiosk.ui.screens.email import SENDER_KNOWN, SENDER_UNKNOWN, EmailScreen
from kiosk.ui.window import KioskWindow
from tests.hubcalls.conftest import PER_HOUR, SENDER, Site
from tests.ui.conftest import flush_deletes

LEFT = Qt.MouseButton.LeftButton

#: What an English-speaking citizen reads; Finnish and Swedish say the same in their words.
SAID_IN_ENGLISH = (
    f"The e-mail is sent from {SENDER}, and the recipient sees that it came from a library "
    f"kiosk. E-mails this kiosk can still send this hour: {PER_HOUR}."
)


@pytest.fixture
def window(qtbot: QtBot, site: Site) -> Iterator[KioskWindow]:
    kiosk = Kiosk(site.config)
    win, _ = build(site.config, kiosk)
    qtbot.addWidget(win)
    win.resize(1920, 1080)
    win.show()
    qtbot.waitExposed(win)
    kiosk.start_backend(win.bridge.on_device_event)
    yield win
    app = QApplication.instance()
    assert app is not None
    app.removeEventFilter(win)
    kiosk.shutdown()
    flush_deletes()


@pytest.mark.parametrize("language", ["en", "fi", "sv"])
def test_the_e_mail_screen_shows_the_hubs_sender_and_hourly_limit(
    qtbot: QtBot, window: KioskWindow, language: str
) -> None:
    qtbot.mouseClick(window.attract.language_buttons[language], LEFT)
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.home.tiles["email"], LEFT)
    screen = frame.service_screen
    assert isinstance(screen, EmailScreen)
    qtbot.waitUntil(lambda: screen.policy_asked, timeout=30_000)

    said = screen.limits.text()
    ui = window.ui
    assert said == ui.t(SENDER_KNOWN).format(sender=SENDER, remaining=PER_HOUR)
    assert SENDER in said and str(PER_HOUR) in said
    assert (said == SAID_IN_ENGLISH) == (language == "en")
    assert said != ui.t(SENDER_UNKNOWN)
    assert screen.limits.isVisible() and screen.form.isVisible()
