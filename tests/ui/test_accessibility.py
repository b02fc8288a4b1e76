"""Every control is named, big enough to touch, and the modes apply to every screen."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QWidget
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.ui.theme import MIN_TOUCH_PX
from kiosk.ui.window import KioskWindow
from tests.conftest import FakeClock

TOUCH_PX = 48  # about 9 mm on a 21-24" 1080p panel


def controls(root: QWidget) -> list[QAbstractButton]:
    return [b for b in root.findChildren(QAbstractButton) if b.isVisible()]


def screens(qtbot: QtBot, window: KioskWindow) -> list[QWidget]:
    shown = [window.attract]
    qtbot.mouseClick(window.attract.language_buttons["fi"], Qt.MouseButton.LeftButton)
    assert window.frame is not None
    shown.append(window.frame)
    qtbot.mouseClick(window.frame.home.tiles["help"], Qt.MouseButton.LeftButton)
    shown.append(window.frame)
    window.kiosk.session.resume()
    return shown


@pytest.mark.parametrize("large_text", [False, True])
@pytest.mark.parametrize("high_contrast", [False, True])
def test_every_control_is_named_and_large(
    qtbot: QtBot, window: KioskWindow, large_text: bool, high_contrast: bool
) -> None:
    window.ui.set_large_text(large_text)
    window.ui.set_high_contrast(high_contrast)
    for screen in screens(qtbot, window):
        window.stack.setCurrentWidget(screen)
        found = controls(screen)
        assert found
        for button in found:
            assert button.accessibleName().strip(), f"unnamed control {button!r}"
            assert button.height() >= TOUCH_PX and button.width() >= TOUCH_PX, (
                f"{button.accessibleName()!r} is {button.width()}x{button.height()} px"
            )
            assert button.focusPolicy() & Qt.FocusPolicy.TabFocus, button.accessibleName()


def test_large_text_is_at_least_one_and_a_half_times(qtbot: QtBot, window: KioskWindow) -> None:
    heading = window.attract.welcomes["fi"][0]
    normal = heading.fontInfo().pixelSize()
    window.ui.set_large_text(True)
    heading.ensurePolished()
    assert heading.fontInfo().pixelSize() >= 1.5 * normal - 1
    window.ui.set_large_text(False)
    assert heading.fontInfo().pixelSize() == normal


def test_high_contrast_applies_to_every_screen(qtbot: QtBot, window: KioskWindow) -> None:
    window.ui.set_high_contrast(True)
    qtbot.mouseClick(window.attract.language_buttons["en"], Qt.MouseButton.LeftButton)
    assert window.frame is not None
    for widget in (window.attract, window.frame, window.pin_pad, window.idle):
        widget.ensurePolished()
    image = window.grab().toImage()
    corner = image.pixelColor(image.width() // 2, image.height() - 200)
    assert corner.lightness() < 40, "the page background should be black in high contrast"
    label = window.frame.home.question
    assert label.palette().color(label.foregroundRole()).lightness() > 200


def test_min_touch_constant_is_above_nine_millimetres() -> None:
    assert MIN_TOUCH_PX >= TOUCH_PX


def test_checked_state_is_not_shown_by_colour_alone(qtbot: QtBot, window: KioskWindow) -> None:
    qtbot.mouseClick(window.attract.language_buttons["sv"], Qt.MouseButton.LeftButton)
    frame = window.frame
    assert frame is not None
    # The chosen language is a checked button (announced as such) and underlined in the theme.
    assert frame.language_buttons["sv"].isChecked()
    assert not frame.language_buttons["fi"].isChecked()
    assert "text-decoration: underline" in window.styleSheet() + _app_style()


def _app_style() -> str:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app.styleSheet()


@pytest.mark.parametrize("scale", [1.5, 2.5])
def test_every_screen_fits_a_1080p_display_at_any_text_size(
    qtbot: QtBot, config: Config, clock: FakeClock, scale: float
) -> None:
    """A screen taller than the display scrolls inside the frame; the window never outgrows
    the screen (in fullscreen that would push the bottom of the screen out of reach)."""
    from kiosk.app import Kiosk
    from kiosk.ui.main import build

    config = replace(config, ui=replace(config.ui, large_text_scale=scale))
    kiosk = Kiosk(config, clock=clock)
    window, _ = build(config, kiosk)
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    kiosk.start_backend(window.bridge.on_device_event)
    try:
        window.ui.set_large_text(True)
        assert window.minimumSizeHint().height() <= 1080, "attract"
        qtbot.mouseClick(window.attract.language_buttons["fi"], Qt.MouseButton.LeftButton)
        frame = window.frame
        assert frame is not None
        window.ui.set_large_text(True)
        assert window.minimumSizeHint().height() <= 1080, "home"
        for service in frame.services:
            frame.open_service(service)
            qtbot.wait(50)
            assert window.minimumSizeHint().height() <= 1080, service
            assert window.height() == 1080, service
    finally:
        kiosk.shutdown()
