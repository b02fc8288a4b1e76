"""Every word shows in full on the screens around the services: the top bar (one row, the
language buttons where they were in every language), the home tiles, the attract screen, Help,
the idle warning and the session-ended message; in Finnish, Swedish and English, at normal and
large text (the largest a kiosk may be configured with too) and in high contrast."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QPushButton,
    QStyle,
    QStyleOptionButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from kiosk.app import Kiosk
from kiosk.config import Config
from kiosk.session import EndReason
from kiosk.ui.main import build
from kiosk.ui.screens.frame import SessionFrame
from kiosk.ui.window import KioskWindow
from tests.conftest import FakeClock
from tests.ui.conftest import flush_deletes

LANGUAGES = ("fi", "sv", "en")
MODES = ("normal", "large-text", "high-contrast")


def cut(widget: QWidget) -> str | None:
    """What of `widget`'s words does not show, or None."""
    if isinstance(widget, QPushButton):
        text = widget.text().replace("&&", "&")
        if not text:
            return None
        option = QStyleOptionButton()
        widget.initStyleOption(option)
        room = widget.style().subElementRect(
            QStyle.SubElement.SE_PushButtonContents, option, widget
        )
        metrics = widget.fontMetrics()
        icon = widget.iconSize().width() + 4 if not widget.icon().isNull() else 0
        widest = max(metrics.horizontalAdvance(line) for line in text.split("\n"))
        lines = len(text.split("\n"))
        if widest + icon > room.width():
            return f"button {text!r} needs {widest + icon} px, has {room.width()}"
        if lines * metrics.height() > room.height() + 2:
            return f"button {text!r} needs {lines * metrics.height()} px high, has {room.height()}"
        return None
    if isinstance(widget, QLabel) and widget.text() and widget.pixmap().isNull():
        room = widget.contentsRect()
        if widget.wordWrap():
            # A word longer than the line is cut, however the rest wraps.
            metrics = widget.fontMetrics()
            longest = max(widget.text().split(), key=metrics.horizontalAdvance)
            if metrics.horizontalAdvance(longest) > room.width():
                return f"label {widget.text()!r}: {longest!r} is wider than {room.width()} px"
            need = widget.heightForWidth(widget.width())
            if need > widget.height() + 1:
                return f"label {widget.text()!r} needs {need} px high, has {widget.height()}"
            return None
        metrics = widget.fontMetrics()
        widest = max(metrics.horizontalAdvance(line) for line in widget.text().split("\n"))
        if widest > room.width():
            return f"label {widget.text()!r} needs {widest} px, has {room.width()}"
    return None


def cut_words(root: QWidget) -> list[str]:
    root.ensurePolished()
    QApplication.processEvents()
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if widget.isVisible() and (problem := cut(widget)):
            found.append(problem)
    return found


@pytest.fixture
def open_window(
    qtbot: QtBot, make_config: Callable[..., Config], clock: FakeClock
) -> Iterator[Callable[[float], KioskWindow]]:
    """A kiosk window with every service (video advice too), large text at `scale`."""
    kiosks: list[tuple[Kiosk, KioskWindow]] = []

    def make(scale: float = 1.5) -> KioskWindow:
        fees = '[fees.lost-card]\nname_fi = "Kadonnut kortti"\namount = "3.00"\n'
        base = make_config(fees)
        config = replace(
            base,
            kiosk=replace(base.kiosk, hub_token="kiosk-token"),
            ui=replace(base.ui, large_text_scale=scale),
        )
        kiosk = Kiosk(config, clock=clock)
        window, _ = build(config, kiosk)
        qtbot.addWidget(window)
        window.resize(1920, 1080)
        window.show()
        qtbot.waitExposed(window)
        kiosk.start_backend(window.bridge.on_device_event)
        kiosks.append((kiosk, window))
        return window

    yield make
    app = QApplication.instance()
    assert app is not None
    for kiosk, window in kiosks:
        app.removeEventFilter(window)
        kiosk.shutdown()
    flush_deletes()


def set_mode(window: KioskWindow, mode: str) -> None:
    window.ui.set_large_text(mode == "large-text")
    window.ui.set_high_contrast(mode == "high-contrast")


def start(qtbot: QtBot, window: KioskWindow, language: str, mode: str) -> SessionFrame:
    set_mode(window, mode)
    qtbot.mouseClick(window.attract.language_buttons[language], Qt.MouseButton.LeftButton)
    set_mode(window, mode)
    assert window.frame is not None
    return window.frame


def bar_buttons(frame: SessionFrame) -> list[QPushButton]:
    return [
        button
        for button in (
            frame.home_button,
            *frame.language_buttons.values(),
            frame.large_text_button,
            frame.contrast_button,
            frame.end_button,
        )
        if button.isVisible()
    ]


@pytest.mark.parametrize("scale", [1.5, 2.5])
@pytest.mark.parametrize("mode", MODES)
def test_the_top_bar_is_one_row_and_its_buttons_stay_put(
    qtbot: QtBot, open_window: Callable[[float], KioskWindow], mode: str, scale: float
) -> None:
    window = open_window(scale)
    where: dict[str, dict[str, tuple[int, int]]] = {}
    for language in LANGUAGES:
        frame = start(qtbot, window, language, mode)
        for service in ("help", "advice", "email", None):
            if service is None:
                frame.show_home()
            else:
                frame.open_service(service)
            qtbot.wait(10)
            buttons = bar_buttons(frame)
            tops = [b.mapTo(window, QPoint(0, 0)).y() for b in buttons]
            bottoms = [top + b.height() for top, b in zip(tops, buttons, strict=True)]
            assert max(tops) < min(bottoms), f"{language} {service}: the bar has two rows"
            for button in buttons:
                assert button.width() >= 64 and button.height() >= 64
                assert button.mapTo(window, QPoint(button.width(), 0)).x() <= window.width()
            assert not cut_words(frame.title.parentWidget()), (language, service)
            if service == "help":
                title = window.ui.t(frame.services["help"].title)
                assert frame.title.text() == title, "a short title shows whole"
        where[language] = {
            lang: (button.mapTo(window, QPoint(0, 0)).x(), button.width())
            for lang, button in frame.language_buttons.items()
        }
        window.end_session(EndReason.USER)
    assert where["fi"] == where["sv"] == where["en"], "the language buttons moved"


def walk(qtbot: QtBot, window: KioskWindow, clock: FakeClock, language: str, mode: str) -> None:
    """The attract screen, home, Help, the idle warning and the session-ended message."""
    set_mode(window, mode)
    assert cut_words(window.attract) == [], "attract"
    frame = start(qtbot, window, language, mode)
    assert cut_words(window) == [], "home"
    frame.open_service("help")
    qtbot.wait(10)
    assert cut_words(window) == [], "help"
    clock.advance(window.kiosk.config.session.idle_seconds + 3)
    window.poll()
    assert window.idle.isVisible()
    assert cut_words(window.idle) == [], "idle warning"
    qtbot.mouseClick(window.idle.end_button, Qt.MouseButton.LeftButton)
    set_mode(window, mode)
    assert window.attract.erased_banner.isVisible()
    assert cut_words(window.attract) == [], "session ended"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_no_words_are_cut_around_the_services(
    qtbot: QtBot,
    open_window: Callable[[float], KioskWindow],
    clock: FakeClock,
    language: str,
    mode: str,
) -> None:
    walk(qtbot, open_window(1.5), clock, language, mode)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_words_are_cut_at_the_largest_text(
    qtbot: QtBot, open_window: Callable[[float], KioskWindow], clock: FakeClock, language: str
) -> None:
    walk(qtbot, open_window(2.5), clock, language, "large-text")


@pytest.mark.parametrize("scale", [1.5, 2.5])
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_tile_name_fits_at_large_text(
    qtbot: QtBot, open_window: Callable[[float], KioskWindow], language: str, scale: float
) -> None:
    window = open_window(scale)
    frame = start(qtbot, window, language, "large-text")
    qtbot.wait(10)
    assert set(frame.home.tiles) >= {"advice", "fee", "help"}
    assert cut_words(frame.home) == []


def test_the_attract_screen_fits_at_the_largest_text(
    qtbot: QtBot, open_window: Callable[[float], KioskWindow]
) -> None:
    window = open_window(2.5)
    window.ui.set_large_text(True)
    assert window.minimumSizeHint().width() <= 1920, "the welcomes widen the screen"
    assert window.width() == 1920
    assert cut_words(window.attract) == []
