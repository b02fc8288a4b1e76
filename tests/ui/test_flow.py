"""A citizen taps through the kiosk: attract, language, home, a service, idle, end."""

from __future__ import annotations

import logging

import pytest
import shiboken6
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QCloseEvent, QContextMenuEvent, QKeyEvent
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from kiosk.session import EndReason, Phase
from kiosk.ui.window import KioskWindow
from tests.conftest import FakeClock
from tests.ui.conftest import flush_deletes


def texts(widget: object) -> list[str]:
    return [label.text() for label in widget.findChildren(QLabel) if label.isVisible()]


def test_attract_shows_three_languages(window: KioskWindow) -> None:
    shown = texts(window.attract)
    assert "Tervetuloa" in shown and "Välkommen" in shown and "Welcome" in shown
    assert "Aloita koskettamalla näyttöä" in shown
    assert window.stack.currentWidget() is window.attract
    assert window.kiosk.session.current is None


def test_tap_language_then_tile_then_idle_warning_then_continue(
    qtbot: QtBot, window: KioskWindow, clock: FakeClock
) -> None:
    qtbot.mouseClick(window.attract.language_buttons["sv"], Qt.MouseButton.LeftButton)
    assert window.kiosk.session.current is not None
    assert window.kiosk.session.current.language == "sv"
    frame = window.frame
    assert frame is not None and window.stack.currentWidget() is frame
    assert frame.home.question.text() == "Vad vill du göra?"

    qtbot.mouseClick(frame.home.tiles["help"], Qt.MouseButton.LeftButton)
    assert frame.service_id == "help"
    assert frame.title.text() == "Hjälp och dataskydd"
    assert "Ditt dataskydd" in texts(frame.service_screen)

    clock.advance(60)
    window.poll()
    assert window.idle.isVisible()
    assert window.idle.countdown.text() == "Din session avslutas om 30 sekunder."
    clock.advance(10)
    window.poll()
    assert window.idle.countdown.text() == "Din session avslutas om 20 sekunder."

    qtbot.mouseClick(window.idle.continue_button, Qt.MouseButton.LeftButton)
    assert not window.idle.isVisible()
    assert window.kiosk.session.phase() is Phase.ACTIVE
    assert window.frame is frame and frame.service_id == "help"


def test_touch_anywhere_starts_in_finnish_and_timeout_returns_to_attract(
    qtbot: QtBot, window: KioskWindow, clock: FakeClock
) -> None:
    qtbot.mouseClick(window.attract, Qt.MouseButton.LeftButton, pos=QPoint(900, 900))
    session = window.kiosk.session.current
    assert session is not None and session.language == "fi"
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.home.tiles["help"], Qt.MouseButton.LeftButton)

    clock.advance(60)
    window.poll()
    assert window.idle.isVisible()
    assert window.idle.countdown.text() == "Istuntosi päättyy 30 sekunnin kuluttua."
    clock.advance(30)
    window.poll()

    assert window.kiosk.session.current is None
    assert window.stack.currentWidget() is window.attract
    assert not window.idle.isVisible()
    assert window.attract.erased_banner.isVisible()
    assert "poistettu" in window.attract.erased_banner.text()
    assert not session.folder.exists()
    flush_deletes()
    assert not shiboken6.isValid(frame), "the session's screens must be thrown away"


def test_touch_while_active_postpones_the_warning(
    qtbot: QtBot, window: KioskWindow, clock: FakeClock
) -> None:
    qtbot.mouseClick(window.attract.language_buttons["en"], Qt.MouseButton.LeftButton)
    clock.advance(50)
    assert window.frame is not None
    qtbot.mouseClick(window.frame.home.tiles["help"], Qt.MouseButton.LeftButton)
    clock.advance(50)
    window.poll()
    assert not window.idle.isVisible()


def test_end_session_button_erases_and_returns_to_attract(
    qtbot: QtBot, window: KioskWindow
) -> None:
    qtbot.mouseClick(window.attract.language_buttons["en"], Qt.MouseButton.LeftButton)
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.large_text_button, Qt.MouseButton.LeftButton)
    assert window.ui.large_text
    qtbot.mouseClick(frame.end_button, Qt.MouseButton.LeftButton)
    assert window.kiosk.session.current is None
    assert window.stack.currentWidget() is window.attract
    assert window.attract.erased_banner.text() == (
        "Your session has ended and your data has been erased. Thank you!"
    )
    # The next citizen starts with the defaults, not the last one's choices.
    assert not window.ui.large_text and window.ui.language == "fi"


def test_language_switch_retranslates_the_open_screen(qtbot: QtBot, window: KioskWindow) -> None:
    qtbot.mouseClick(window.attract.language_buttons["fi"], Qt.MouseButton.LeftButton)
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.home.tiles["help"], Qt.MouseButton.LeftButton)
    assert "Tietosuojasi" in texts(frame.service_screen)
    qtbot.mouseClick(frame.language_buttons["en"], Qt.MouseButton.LeftButton)
    assert "Your privacy" in texts(frame.service_screen)
    assert frame.end_button.accessibleName() == "End session"
    assert window.kiosk.session.current is not None
    assert window.kiosk.session.current.language == "en"


def test_keyboard_only_citizen(qtbot: QtBot, window: KioskWindow, clock: FakeClock) -> None:
    """Tab to a language, Enter to start, Tab to the tile, Enter to open it."""
    window.activateWindow()
    window.attract.language_buttons["fi"].setFocus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is window.attract.language_buttons["sv"]
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.kiosk.session.current is not None)
    frame = window.frame
    assert frame is not None
    # Focus starts on the first tile; the arrow keys move between tiles.
    tiles = frame.home.tiles
    assert QApplication.focusWidget() is tiles["forms"]
    qtbot.keyClick(tiles["forms"], Qt.Key.Key_Right)
    assert QApplication.focusWidget() is tiles["eservices"]
    qtbot.keyClick(tiles["eservices"], Qt.Key.Key_Left)
    assert QApplication.focusWidget() is tiles["forms"]
    # Down moves a row: from Forms (row 1, column 1) to Scan (row 2, column 1), and Up back.
    qtbot.keyClick(tiles["forms"], Qt.Key.Key_Down)
    assert QApplication.focusWidget() is tiles["scan"]
    qtbot.keyClick(tiles["scan"], Qt.Key.Key_Up)
    assert QApplication.focusWidget() is tiles["forms"]
    qtbot.keyClick(tiles["forms"], Qt.Key.Key_Right)
    qtbot.keyClick(tiles["eservices"], Qt.Key.Key_Right)
    qtbot.keyClick(tiles["email"], Qt.Key.Key_Down)
    assert QApplication.focusWidget() is tiles["copy"]
    qtbot.keyClick(tiles["copy"], Qt.Key.Key_Left)
    qtbot.keyClick(tiles["print"], Qt.Key.Key_Left)
    qtbot.keyClick(tiles["scan"], Qt.Key.Key_Down)
    tile = tiles["help"]
    assert QApplication.focusWidget() is tile
    qtbot.keyClick(tile, Qt.Key.Key_Enter)
    qtbot.waitUntil(lambda: frame.service_id == "help")


def test_tab_order_visits_everything_and_has_no_trap(qtbot: QtBot, window: KioskWindow) -> None:
    qtbot.mouseClick(window.attract.language_buttons["en"], Qt.MouseButton.LeftButton)
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.home.tiles["help"], Qt.MouseButton.LeftButton)
    expected = {
        frame.home_button,
        *frame.language_buttons.values(),
        frame.large_text_button,
        frame.contrast_button,
        frame.end_button,
    }
    start = frame.end_button
    start.setFocus()
    seen = []
    widget = start
    for _ in range(40):
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
        widget = QApplication.focusWidget()
        seen.append(widget)
        if widget is start:
            break
    assert widget is start, "Tab never came back round: a focus trap"
    assert expected <= set(seen)
    # Shift+Tab goes back the same way.
    qtbot.keyClick(start, Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is seen[-2]


def test_lockdown_keys_close_and_context_menu_do_nothing(qtbot: QtBot, window: KioskWindow) -> None:
    assert window.windowFlags() & Qt.WindowType.FramelessWindowHint
    for key, mods in (
        (Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier),
        (Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier),
        (Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier),
        (Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier),
    ):
        event = QKeyEvent(QKeyEvent.Type.KeyPress, key, mods)
        assert window.eventFilter(window.attract, event) is True
    close = QCloseEvent()
    window.closeEvent(close)
    assert not close.isAccepted()
    menu = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, QPoint(10, 10), QPoint(10, 10))
    assert window.eventFilter(window.attract, menu) is True
    qtbot.keyClick(
        window.attract.language_buttons["fi"], Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier
    )
    assert window.isVisible()


def test_an_id_card_is_read_for_the_session_and_taking_it_out_ends_it(
    qtbot: QtBot, window: KioskWindow, caplog: pytest.LogCaptureFixture
) -> None:
    from kiosk.devices.cardreader.simulated import SimulatedCardReader
    from kiosk.devices.status import DeviceClass
    from kiosk.ui.screens.frame import CARD_NOTICES

    caplog.set_level(logging.DEBUG)
    reader = window.kiosk.device(DeviceClass.CARD_READER)
    assert isinstance(reader, SimulatedCardReader)
    qtbot.mouseClick(window.attract.language_buttons["en"], Qt.MouseButton.LeftButton)
    session = window.kiosk.session.current
    frame = window.frame
    assert session is not None and frame is not None
    assert not frame.card_notice.isVisible()

    reader.insert()
    qtbot.waitUntil(lambda: session.card_used)
    assert session.visit.card_holder.name == "Maija Meikäläinen"
    assert frame.card_notice.isVisible()
    assert frame.card_notice.text() == CARD_NOTICES["read"]
    assert "Taking the card out ends your session" in frame.card_notice.text()

    reader.remove()
    qtbot.waitUntil(lambda: window.kiosk.session.current is None)
    assert window.stack.currentWidget() is window.attract
    assert window.attract.erased_banner.isVisible()
    assert session.visit.card_holder is None
    logged = " ".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
    assert "Maija" not in logged and "MEIKÄLÄINEN" not in logged


def test_a_card_in_the_reader_when_the_session_starts_is_read(
    qtbot: QtBot, window: KioskWindow
) -> None:
    from kiosk.devices.cardreader.simulated import SimulatedCardReader
    from kiosk.devices.status import DeviceClass

    reader = window.kiosk.device(DeviceClass.CARD_READER)
    assert isinstance(reader, SimulatedCardReader)
    reader.insert()
    qtbot.waitUntil(lambda: window.card_present)
    qtbot.mouseClick(window.attract.language_buttons["fi"], Qt.MouseButton.LeftButton)
    session = window.kiosk.session.current
    assert session is not None
    qtbot.waitUntil(lambda: session.visit.card_holder is not None)
    assert session.card_used


def test_a_holder_read_for_a_session_that_ended_is_not_kept(
    qtbot: QtBot, window: KioskWindow
) -> None:
    from kiosk.devices.cardreader.fineid import CardHolder

    qtbot.mouseClick(window.attract.language_buttons["fi"], Qt.MouseButton.LeftButton)
    first = window.kiosk.session.current
    assert first is not None
    window.end_session(EndReason.USER)
    qtbot.mouseClick(window.attract.language_buttons["fi"], Qt.MouseButton.LeftButton)
    second = window.kiosk.session.current
    assert second is not None and second.id != first.id

    holder = CardHolder("Maija", "Meikäläinen", "MEIKÄLÄINEN MAIJA 999999999")
    cards = window.kiosk.cards
    assert cards is not None and not cards.keep_holder(first.id, holder)
    assert second.visit.card_holder is None and not second.card_used


@pytest.mark.kiosk_config('[devices.cardreader]\ncard = "unknown"\n')
def test_a_card_that_is_not_an_id_card_is_said_so_and_does_not_end_the_session(
    qtbot: QtBot, window: KioskWindow
) -> None:
    from kiosk.devices.cardreader.simulated import SimulatedCardReader
    from kiosk.devices.status import CardRemoved, DeviceClass
    from kiosk.ui.screens.frame import CARD_NOTICES

    reader = window.kiosk.device(DeviceClass.CARD_READER)
    assert isinstance(reader, SimulatedCardReader)
    qtbot.mouseClick(window.attract.language_buttons["en"], Qt.MouseButton.LeftButton)
    frame = window.frame
    assert frame is not None
    removed: list[CardRemoved] = []
    window.bridge.device_event.connect(
        lambda e: removed.append(e) if isinstance(e, CardRemoved) else None
    )
    reader.insert()
    qtbot.waitUntil(lambda: frame.card_notice.isVisible())
    assert frame.card_notice.text() == CARD_NOTICES["not_id"]
    reader.remove()
    qtbot.waitUntil(lambda: len(removed) == 1)
    assert window.kiosk.session.current is not None
    assert not frame.card_notice.isVisible()


def test_card_left_in_the_reader_is_reminded_before_the_attract_screen(
    qtbot: QtBot, window: KioskWindow
) -> None:
    from kiosk.devices.cardreader.simulated import SimulatedCardReader
    from kiosk.devices.status import DeviceClass

    reader = window.kiosk.device(DeviceClass.CARD_READER)
    assert isinstance(reader, SimulatedCardReader)
    qtbot.mouseClick(window.attract.language_buttons["sv"], Qt.MouseButton.LeftButton)
    reader.insert()
    qtbot.waitUntil(lambda: window.card_present)
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.end_button, Qt.MouseButton.LeftButton)

    # The session is wiped at once; the screen asks, in the citizen's language, to take the card.
    assert window.kiosk.session.current is None
    reminder = window.stack.currentWidget()
    assert reminder is not window.attract
    assert "Ta ditt kort" in " ".join(texts(reminder))
    assert reminder.accessibleName() == "Ta ditt kort"

    reader.remove()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.attract)
    assert window.attract.erased_banner.isVisible()
