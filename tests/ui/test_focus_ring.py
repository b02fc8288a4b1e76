"""One focus indicator: a ring while keys are in use, never Qt's dotted rectangle besides; a
chosen option is filled, a focused one ringed, and a touch never makes an option look chosen."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QStyle,
    QStyleOptionFocusRect,
    QWidget,
)
from pytestqt.qtbot import QtBot

from kiosk.i18n import Catalogue
from kiosk.ui.input_watch import InputWatch
from kiosk.ui.state import UiState
from kiosk.ui.theme import install_focus, palette
from kiosk.ui.widgets.buttons import BigButton
from tests.ui.pixels import colours, contrast, dominant


class Choices(QWidget):
    """Three options of a choice field: the first chosen."""

    def __init__(self) -> None:
        super().__init__()
        self.setProperty("role", "screen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        row = QHBoxLayout(self)
        self.options = [BigButton(text) for text in ("By e-mail", "By text message", "By letter")]
        for option in self.options:
            option.setCheckable(True)
            option.setMinimumHeight(80)
            row.addWidget(option)
        self.options[0].setChecked(True)


@pytest.fixture(params=[False, True], ids=["normal", "high-contrast"])
def choices(qtbot: QtBot, request: pytest.FixtureRequest) -> Iterator[Choices]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    keys = install_focus(app)
    ui = UiState(Catalogue(), language="en", large_text_scale=1.5, high_contrast=request.param)
    ui.apply_style()
    page = Choices()
    page.setProperty("high_contrast", request.param)
    qtbot.addWidget(page)
    InputWatch(page, [keys])
    page.resize(1200, 140)
    page.show()
    qtbot.waitExposed(page)
    yield page


def fill(button: BigButton) -> str:
    image = button.grab().toImage()
    middle = QRect(12, 12, button.width() - 24, button.height() - 24)
    text = {button.palette().color(button.foregroundRole()).name()}
    return dominant(image, middle, besides=frozenset(text))


def edge(button: BigButton) -> list[str]:
    """The colours across the button's frame, from its top edge inwards at its middle."""
    image = button.grab().toImage()
    return [image.pixelColor(button.width() // 2, y).name() for y in range(8)]


def ring_pixels(button: BigButton, focus: str) -> int:
    image = button.grab().toImage()
    return colours(image)[focus]


def test_no_dotted_rectangle_is_drawn_anywhere(choices: Choices) -> None:
    """Qt's own focus rectangle (dotted in some styles, a tinted frame in Fusion) is drawn by
    the style for every focused button, check box and list: the kiosk's style draws nothing."""
    option = QStyleOptionFocusRect()
    option.rect = QRect(4, 4, 200, 60)
    option.state = (
        QStyle.StateFlag.State_HasFocus
        | QStyle.StateFlag.State_KeyboardFocusChange
        | QStyle.StateFlag.State_Enabled
    )
    option.palette = choices.options[1].palette()
    image = QImage(208, 68, QImage.Format.Format_RGB32)
    image.fill(QColor("#808080"))
    painter = QPainter(image)
    style = QApplication.style()
    style.drawPrimitive(
        QStyle.PrimitiveElement.PE_FrameFocusRect, option, painter, choices.options[1]
    )
    painter.end()
    assert set(colours(image)) == {"#808080"}, "the focus rectangle was drawn"


def test_chosen_is_filled_focused_is_ringed(qtbot: QtBot, choices: Choices) -> None:
    colours_of = palette(high_contrast=bool(choices.property("high_contrast")))
    chosen, other, _ = choices.options
    chosen.setFocus()
    QTest.keyClick(chosen, Qt.Key.Key_Tab)  # the citizen moves on with a key
    assert other.hasFocus() and not other.isChecked()

    assert fill(chosen) == colours_of.checked
    assert fill(other) == colours_of.surface, "a focused option is not filled as if chosen"
    assert fill(chosen) != fill(other)
    assert ring_pixels(other, colours_of.focus) > 2 * (other.width() + other.height())
    assert ring_pixels(chosen, colours_of.focus) == 0
    # The ring stands out from what is around it: the page and the button or field inside it
    # (a chosen option's fill is set off by the ring's inner line).
    assert contrast(QColor(colours_of.focus), QColor(colours_of.background)) >= 3
    assert contrast(QColor(colours_of.focus), QColor(colours_of.surface)) >= 3
    assert contrast(QColor(colours_of.focus_inner), QColor(colours_of.focus)) >= 3

    # Focused and chosen: filled and ringed.
    QTest.keyClick(other, Qt.Key.Key_Backtab)
    assert chosen.hasFocus()
    assert fill(chosen) == colours_of.checked
    assert ring_pixels(chosen, colours_of.focus) > 2 * (chosen.width() + chosen.height())


def test_a_touch_or_a_new_page_never_makes_an_option_look_chosen(
    qtbot: QtBot, choices: Choices
) -> None:
    colours_of = palette(high_contrast=bool(choices.property("high_contrast")))
    chosen, first_free, second_free = choices.options
    qtbot.mouseClick(chosen, Qt.MouseButton.LeftButton)  # a touch: keys are not in use
    chosen.setChecked(True)
    # A new page puts the focus on an option, as a form does on its first field.
    first_free.setFocus(Qt.FocusReason.OtherFocusReason)
    assert first_free.hasFocus()
    assert ring_pixels(first_free, colours_of.focus) == 0
    # It looks like any other option not chosen: the same fill, the same frame.
    assert fill(first_free) == fill(second_free) == colours_of.surface
    assert edge(first_free) == edge(second_free)
    # A key, and the ring is back where the focus is.
    QTest.keyClick(first_free, Qt.Key.Key_Tab)
    assert second_free.hasFocus()
    assert ring_pixels(second_free, colours_of.focus) > 0
