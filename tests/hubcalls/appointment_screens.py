"""Driving Video advice's callback and booking pages as a citizen does, against the hub as it
runs: the window in a language, the advice screen, a line that meets nobody, and the offer.

Screenshots of each page go to $KIOSK_SHOTS_DIR when it is set (in normal, large text and high
contrast), for a person to look at; tests do not need them."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication
from pytestqt.qtbot import QtBot

from kiosk.ui.screens.video.appointment_desk import AppointmentDesk
from kiosk.ui.screens.video.screen import AdviceScreen
from kiosk.ui.window import KioskWindow
from tests.hubcalls.conftest import LINE

LEFT = Qt.MouseButton.LeftButton
WAIT_MS = 30_000


def click(qtbot: QtBot, button: QAbstractButton) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, LEFT)


def open_advice(qtbot: QtBot, window: KioskWindow, language: str) -> AdviceScreen:
    """The citizen chooses `language` and opens Video advice; the lines are shown."""
    qtbot.mouseClick(window.attract.language_buttons[language], LEFT)
    frame = window.frame
    assert frame is not None and frame.advice_button is not None
    click(qtbot, frame.advice_button)
    screen = frame.advice_screen
    assert isinstance(screen, AdviceScreen)
    qtbot.waitUntil(lambda: LINE in screen.line_buttons, timeout=WAIT_MS)
    return screen


def activate(qtbot: QtBot, window: KioskWindow) -> None:
    """The offscreen platform gives a window back no activation on a tap, as a compositor does:
    say so, before a field is tapped to type into."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT_MS)


def offer_at_a_dead_end(qtbot: QtBot, screen: AdviceScreen) -> AppointmentDesk:
    """The citizen taps the line nobody answers: the apology offers a callback and a booking."""
    desk = screen.appointments
    click(qtbot, screen.line_buttons[LINE])
    assert screen.pages.currentWidget() is screen.sorry_page
    offer = desk.offers[screen.sorry_page]
    qtbot.waitUntil(offer.isVisible, timeout=WAIT_MS)
    return desk


def shoot(window: KioskWindow, name: str, settle: Callable[[], None] | None = None) -> None:
    """`name`.png in each mode under $KIOSK_SHOTS_DIR, when it is set."""
    folder = os.environ.get("KIOSK_SHOTS_DIR")
    if not folder:
        return
    ui = window.ui
    for mode in ("normal", "large-text", "high-contrast"):
        ui.set_large_text(mode == "large-text")
        ui.set_high_contrast(mode == "high-contrast")
        QApplication.processEvents()
        if settle is not None:
            settle()
        QApplication.processEvents()
        path = Path(folder) / f"{name}-{ui.language}-{mode}.png"
        window.grab().save(str(path))
    ui.set_large_text(False)
    ui.set_high_contrast(False)
    QApplication.processEvents()
