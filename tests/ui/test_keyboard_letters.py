"""Every letter a name or an address here may have can be typed on the on-screen keyboard: å, ä
and ö on every layout, accented letters and š, ž by holding the base letter."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from kiosk.i18n import Catalogue
from kiosk.ui.state import UiState
from kiosk.ui.widgets.buttons import BigButton
from kiosk.ui.widgets.keyboard import OnScreenKeyboard

LEFT = Qt.MouseButton.LeftButton


class Page(QWidget):
    """A field and the keyboard under it, as a form shows them."""

    def __init__(self, ui: UiState) -> None:
        super().__init__()
        column = QVBoxLayout(self)
        self.field = QLineEdit()
        self.keyboard = OnScreenKeyboard(ui)
        column.addWidget(self.field)
        column.addStretch(1)
        column.addWidget(self.keyboard)


@pytest.fixture
def ui() -> UiState:
    state = UiState(Catalogue(), language="en", large_text_scale=1.5, high_contrast=False)
    state.apply_style()
    return state


@pytest.fixture
def page(qtbot: QtBot, ui: UiState) -> Iterator[Page]:
    shown = Page(ui)
    qtbot.addWidget(shown)
    shown.resize(1920, 1080)
    shown.show()
    qtbot.waitExposed(shown)
    shown.field.setFocus()
    shown.keyboard.attach(shown.field)
    yield shown


def hold(qtbot: QtBot, key: BigButton) -> None:
    """Press `key` and keep the finger on it until the long press is recognised (its timer is
    fired here rather than waited for)."""
    qtbot.mousePress(key, LEFT)
    keyboard = key.parentWidget()
    while keyboard is not None and not isinstance(keyboard, OnScreenKeyboard):
        keyboard = keyboard.parentWidget()
    assert keyboard is not None
    assert keyboard.hold_timer.isActive(), "holding a letter starts the long press"
    keyboard.hold_timer.stop()
    keyboard.show_alternatives()


def send(widget: QWidget, kind: QMouseEvent.Type, global_pos: QPoint) -> None:
    """A mouse event to `widget` (which holds the grab while the finger is down) at a point
    anywhere on the screen, as a finger sliding off the key produces."""
    local = widget.mapFromGlobal(global_pos)
    buttons = Qt.MouseButton.NoButton if kind == QMouseEvent.Type.MouseButtonRelease else LEFT
    event = QMouseEvent(
        kind,
        local.toPointF(),
        global_pos.toPointF(),
        LEFT,
        buttons,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, event)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_every_layout_types_a_with_rings_and_dots(
    qtbot: QtBot, ui: UiState, page: Page, language: str
) -> None:
    ui.set_language(language)
    for letter in "åäö":
        qtbot.mouseClick(page.keyboard.key(letter), LEFT)
    assert page.field.text() == "åäö"


def test_a_short_tap_types_the_letter_itself(qtbot: QtBot, page: Page) -> None:
    qtbot.mouseClick(page.keyboard.key("a"), LEFT)
    assert page.field.text() == "a"
    assert page.keyboard.popup is None


def test_holding_a_shows_its_accents_and_a_tap_types_one(qtbot: QtBot, page: Page) -> None:
    key = page.keyboard.key("a")
    hold(qtbot, key)
    popup = page.keyboard.popup
    assert popup is not None and popup.isVisible()
    assert {"à", "á", "â", "ä", "å"} <= set(popup.buttons)
    # Lifting the finger from the key itself types nothing and leaves the row open.
    qtbot.mouseRelease(key, LEFT)
    assert page.field.text() == ""
    assert popup.isVisible()
    # The row is above the key, and every letter of it is large enough to touch.
    box = popup.box.geometry()
    assert box.bottom() < key.mapTo(page, QPoint(0, 0)).y()
    for button in popup.buttons.values():
        assert button.width() >= 64 and button.height() >= 64
        assert not button.focusPolicy() & Qt.FocusPolicy.ClickFocus  # a tap leaves the focus
    qtbot.mouseClick(popup.buttons["á"], LEFT)
    assert page.field.text() == "á"
    assert not popup.isVisible()
    assert page.field.hasFocus(), "the field keeps the focus and its cursor"
    qtbot.mouseClick(page.keyboard.key("s"), LEFT)
    assert page.field.text() == "ás"


def test_slide_from_the_held_key_and_let_go_on_a_letter(qtbot: QtBot, page: Page) -> None:
    key = page.keyboard.key("s")
    hold(qtbot, key)
    popup = page.keyboard.popup
    assert popup is not None
    target = popup.buttons["š"]
    over = target.mapToGlobal(target.rect().center())
    send(key, QMouseEvent.Type.MouseMove, over)
    assert target.isDown(), "the letter under the finger shows pressed"
    send(key, QMouseEvent.Type.MouseButtonRelease, over)
    assert page.field.text() == "š"
    assert not popup.isVisible()


def test_a_tap_elsewhere_closes_the_row_and_presses_nothing(qtbot: QtBot, page: Page) -> None:
    key = page.keyboard.key("z")
    hold(qtbot, key)
    qtbot.mouseRelease(key, LEFT)
    popup = page.keyboard.popup
    assert popup is not None and "ž" in popup.buttons
    # A tap on another key while the row is open only closes the row.
    other = page.keyboard.key("m")
    QTest.mouseClick(popup, LEFT, pos=other.mapTo(page, other.rect().center()))
    assert not popup.isVisible()
    assert page.keyboard.popup is None
    assert page.field.text() == ""
    qtbot.mouseClick(other, LEFT)
    assert page.field.text() == "m"


def test_capitals_after_shift(qtbot: QtBot, page: Page) -> None:
    qtbot.mouseClick(page.keyboard.key("shift"), LEFT)
    hold(qtbot, page.keyboard.key("e"))
    popup = page.keyboard.popup
    assert popup is not None
    assert {"É", "È", "Ë"} <= set(popup.buttons)
    qtbot.mouseClick(popup.buttons["É"], LEFT)
    qtbot.mouseClick(page.keyboard.key("s"), LEFT)
    assert page.field.text() == "És", "Shift applies to one letter, as for a tap"


def test_the_row_goes_with_the_keyboard(qtbot: QtBot, page: Page) -> None:
    """A session that ends (the screen with the keyboard hidden and thrown away) leaves no row
    of letters over the next screen."""
    hold(qtbot, page.keyboard.key("o"))
    popup = page.keyboard.popup
    assert popup is not None and popup.isVisible()
    page.keyboard.hide()
    assert not popup.isVisible()
    assert page.keyboard.popup is None


def test_the_keypad_goes_along_the_row_and_ok_types_a_letter(qtbot: QtBot, page: Page) -> None:
    """The row opened by a finger is in the keypad's reach too: its arrows go from letter to
    letter, OK types one into the field, which keeps its keyboard and takes the focus back."""
    from tests.ui.screen_speech import start_speech

    start_speech(page)
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.field)
    key = page.keyboard.key("s")
    hold(qtbot, key)
    qtbot.mouseRelease(key, LEFT)
    popup = page.keyboard.popup
    assert popup is not None
    keypad = Qt.KeyboardModifier.KeypadModifier
    for letter in ("š", "ß"):  # the keypad's right arrow (its 6)
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_6, keypad)
        assert QApplication.focusWidget() is popup.buttons[letter]
        assert popup.isVisible() and page.keyboard.isVisible()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_5, keypad)  # OK
    assert page.field.text() == "ß"
    assert not popup.isVisible() and page.keyboard.popup is None
    assert page.field.hasFocus()
