"""The E-mail screen against the hub as it runs: a citizen reads the hub's own sender address,
the hourly limit and how many e-mails the kiosk may still send this hour, in each language, before
typing anything; and a kiosk whose token the hub refuses says so instead of "offline"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.ui.screens.email import REFUSED, SENDER_KNOWN, SENDER_UNKNOWN, EmailScreen
from kiosk.ui.window import KioskWindow
from tests.hubcalls.conftest import PER_HOUR, SENDER, Site
from tests.ui.conftest import open_window

LEFT = Qt.MouseButton.LeftButton

#: What an English-speaking citizen reads; Finnish and Swedish say the same in their words.
SAID_IN_ENGLISH = (
    f"The e-mail is sent from {SENDER}, and the recipient sees that it came from a library "
    f"kiosk. This kiosk may send {PER_HOUR} e-mails an hour; {PER_HOUR} of them are left this "
    "hour."
)


@pytest.fixture
def window(qtbot: QtBot, site: Site) -> Iterator[KioskWindow]:
    yield from open_window(qtbot, site.config)


def open_email(qtbot: QtBot, window: KioskWindow, language: str) -> EmailScreen:
    qtbot.mouseClick(window.attract.language_buttons[language], LEFT)
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.home.tiles["email"], LEFT)
    screen = frame.service_screen
    assert isinstance(screen, EmailScreen)
    qtbot.waitUntil(lambda: screen.policy_asked, timeout=30_000)
    return screen


@pytest.mark.parametrize("language", ["en", "fi", "sv"])
def test_the_e_mail_screen_shows_the_hubs_sender_and_hourly_limit(
    qtbot: QtBot, window: KioskWindow, language: str
) -> None:
    screen = open_email(qtbot, window, language)
    said = screen.limits.text()
    ui = window.ui
    assert said == ui.t(SENDER_KNOWN).format(sender=SENDER, limit=PER_HOUR, remaining=PER_HOUR)
    assert SENDER in said and str(PER_HOUR) in said
    assert (said == SAID_IN_ENGLISH) == (language == "en")
    assert said != ui.t(SENDER_UNKNOWN)
    assert screen.limits.isVisible() and screen.form.isVisible()


@pytest.mark.parametrize("language", ["en", "fi"])
def test_a_kiosk_the_hub_refuses_says_e_mail_cannot_be_sent_here_and_offers_no_form(
    qtbot: QtBot, wrong_token: tuple[Path, Config], language: str
) -> None:
    _, config = wrong_token
    for window in open_window(qtbot, config):
        screen = open_email(qtbot, window, language)
        said = screen.limits.text()
        # Not "offline, kept and sent later": with a refused token nothing would ever be sent.
        assert said == "⚠ " + window.ui.t(REFUSED)
        assert said != window.ui.t(SENDER_UNKNOWN)
        assert screen.limits.isVisible()
        assert not screen.form.isVisible() and not screen.form.bar.isVisible()
