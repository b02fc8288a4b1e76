"""Video advice as the citizen meets it: the tile and the help button, the lines, the camera
check, the queue, the call, the rating, and back where they were; closed lines, nobody free and
an unreachable hub said in words with phone numbers. The hub is a scripted stand-in here
(tests/video/test_hub_client.py runs the real one), except for the unreachable hub."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QPushButton,
    QScrollArea,
    QStyle,
    QStyleOptionButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from kiosk.app import Kiosk
from kiosk.config import Config
from kiosk.ui.main import build
from kiosk.ui.screens.video.screen import AdviceScreen
from kiosk.ui.window import KioskWindow
from kiosk.video.advice import AdviceClient, LineState
from tests.conftest import FakeClock
from tests.ui.advice_double import STATE_LINES, ScriptedAdvice
from tests.ui.conftest import flush_deletes


def with_hub(config: Config, **kiosk: str) -> Config:
    return replace(config, kiosk=replace(config.kiosk, hub_token="kiosk-token", **kiosk))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(name="open_window")
def open_window_fixture(
    qtbot: QtBot, make_config: Callable[..., Config], clock: FakeClock
) -> Iterator[Callable[..., KioskWindow]]:
    """Kiosk windows at 1920×1080 with their back ends, each with the advice client given
    (a test's double), all shut down after."""
    kiosks: list[Kiosk] = []

    def make(advice: AdviceClient | None, **kiosk_keys: str) -> KioskWindow:
        config = with_hub(make_config(), **kiosk_keys)
        kiosk = Kiosk(config, clock=clock, advice=advice)
        win, _ = build(config, kiosk)
        qtbot.addWidget(win)
        win.resize(1920, 1080)
        win.show()
        qtbot.waitExposed(win)
        kiosk.start_backend(win.bridge.on_device_event)
        kiosks.append(kiosk)
        return win

    yield make
    app = QApplication.instance()
    assert app is not None
    for kiosk in kiosks:
        kiosk.shutdown()
    flush_deletes()


def plain(text: str) -> str:
    """Phone numbers are kept whole with no-break spaces; here they read as spaces."""
    return text.replace("\u00a0", " ")


def click(qtbot: QtBot, button: QAbstractButton) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def start(qtbot: QtBot, window: KioskWindow, language: str = "en") -> None:
    click(qtbot, window.attract.language_buttons[language])


def open_from_help_button(qtbot: QtBot, window: KioskWindow) -> AdviceScreen:
    frame = window.frame
    assert frame is not None and frame.advice_button is not None
    click(qtbot, frame.advice_button)
    screen = frame.advice_screen
    assert isinstance(screen, AdviceScreen)
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is not screen.loading_page)
    return screen


def test_the_tile_and_the_help_button_come_with_a_hub_token(
    qtbot: QtBot, make_config: Callable[..., Config]
) -> None:
    assert "advice" not in [s.id for s in Kiosk(make_config()).enabled_services()]
    assert "advice" in [s.id for s in Kiosk(with_hub(make_config())).enabled_services()]


def test_a_call_from_the_help_button_and_back_where_they_were(
    qtbot: QtBot, open_window: Callable[..., KioskWindow]
) -> None:
    advice = ScriptedAdvice()
    window = open_window(advice)
    start(qtbot, window)
    frame = window.frame
    assert frame is not None
    assert "advice" in frame.home.tiles
    click(qtbot, frame.home.tiles["help"])
    came_from = frame.service_screen
    assert came_from is not None
    assert frame.advice_button is not None and frame.advice_button.isVisible()

    screen = open_from_help_button(qtbot, window)
    assert not frame.advice_button.isVisible()
    assert frame.title.text() == "Video advice"
    virka = screen.line_buttons["virka-info"].shown_text()
    assert virka.startswith("Virka-info\nOpen now: 2 advisors are free. Nobody is waiting.")
    assert "city services" in virka
    assert "Languages: Suomi, Svenska, English" in virka
    assert "Closed now." in screen.line_buttons["kansalaisneuvonta"].shown_text()

    click(qtbot, screen.line_buttons["virka-info"])
    assert screen.pages.currentWidget() is screen.preview_page
    # Before the call nobody sees the citizen: the words say what happens once connected.
    assert screen.consent.text() == (
        "When an advisor answers, they will see and hear you. The call is not recorded."
    )
    qtbot.waitUntil(lambda: not screen.preview_view.pixmap().isNull())
    click(qtbot, screen.call_button)
    assert advice.calls == [("virka-info", "en")]
    assert screen.pages.currentWidget() is screen.waiting_page

    advice.queued(3, 400)
    qtbot.waitUntil(lambda: screen.position.text() == "You are number 3 in the queue.")
    assert screen.wait.text() == "Estimated wait: about 7 minutes."
    advice.queued(1, 30)
    qtbot.waitUntil(lambda: screen.position.text() == "You are next in the queue.")
    assert screen.wait.text() == "Estimated wait: less than a minute."

    advice.answered()
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.call_page)
    assert screen.remote_view.isVisible() and screen.self_view.isVisible()
    assert screen.remote_view.width() > 2 * screen.self_view.width()
    advice.advisor_picture()
    qtbot.waitUntil(lambda: not screen.remote_view.pixmap().isNull())
    qtbot.waitUntil(lambda: not screen.self_view.pixmap().isNull())
    click(qtbot, screen.mute_button)
    assert advice.muted is True
    assert screen.mute_button.text() == "Turn microphone on"
    assert screen.muted_note.isVisible()
    click(qtbot, screen.mute_button)
    assert advice.muted is False

    click(qtbot, screen.end_button)
    assert advice.cancels == 1
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.after_page)
    assert screen.star_buttons[4].isVisible()
    assert screen.star_buttons[4].accessibleName() == "4 stars"
    click(qtbot, screen.star_buttons[4])
    assert advice.ratings == [4]
    assert screen.thanks.isVisible() and not screen.star_buttons[4].isVisible()
    assert screen.done_button.text() == "Back to where you were"

    click(qtbot, screen.done_button)
    assert frame.service_screen is came_from, "the screen they came from, as it was"
    assert frame.stack.currentWidget().isAncestorOf(came_from)
    assert frame.advice_screen is None
    assert frame.advice_button.isVisible()


def test_an_advisor_who_hangs_up_leads_to_the_rating(
    qtbot: QtBot, open_window: Callable[..., KioskWindow]
) -> None:
    advice = ScriptedAdvice()
    window = open_window(advice)
    start(qtbot, window, "fi")
    frame = window.frame
    assert frame is not None
    click(qtbot, frame.home.tiles["advice"])
    screen = frame.service_screen
    assert isinstance(screen, AdviceScreen)
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.lines_page)
    click(qtbot, screen.line_buttons["virka-info"])
    click(qtbot, screen.call_button)
    assert advice.calls == [("virka-info", "fi")]
    advice.answered()
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.call_page)
    advice.ended("advisor_hung_up", can_rate=False)
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.after_page)
    assert not screen.star_buttons[1].isVisible()
    click(qtbot, screen.done_button)
    assert frame.stack.currentWidget() is frame.home_page


def test_cancelling_in_the_queue_goes_back_to_the_lines(
    qtbot: QtBot, open_window: Callable[..., KioskWindow]
) -> None:
    advice = ScriptedAdvice()
    window = open_window(advice)
    start(qtbot, window)
    screen = open_from_help_button(qtbot, window)
    click(qtbot, screen.line_buttons["virka-info"])
    click(qtbot, screen.call_button)
    advice.queued(2, 200)
    qtbot.waitUntil(lambda: "number 2" in screen.position.text())
    click(qtbot, screen.cancel_button)
    assert advice.cancels == 1
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.lines_page)


def test_a_closed_line_says_when_it_opens_and_its_phone_number(
    qtbot: QtBot, open_window: Callable[..., KioskWindow]
) -> None:
    advice = ScriptedAdvice()
    window = open_window(advice)
    start(qtbot, window)
    screen = open_from_help_button(qtbot, window)
    click(qtbot, screen.line_buttons["kansalaisneuvonta"])
    assert advice.calls == [], "a closed line is not called"
    assert screen.pages.currentWidget() is screen.sorry_page
    assert screen.sorry.text() == (
        "Citizens' Advice is closed now. Opens on Tuesday 14.1. at 9:00."
    )
    assert plain(screen.phones.text()) == (
        "You can also call Citizens' Advice by phone: 0295 000 160"
    )
    click(qtbot, screen.other_button)
    assert screen.pages.currentWidget() is screen.lines_page


def test_nobody_free_says_so_with_the_phone_number(
    qtbot: QtBot, open_window: Callable[..., KioskWindow]
) -> None:
    advice = ScriptedAdvice()
    window = open_window(advice)
    start(qtbot, window, "sv")
    screen = open_from_help_button(qtbot, window)
    click(qtbot, screen.line_buttons["virka-info"])
    click(qtbot, screen.call_button)
    advice.refused("no_advisor")
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.sorry_page)
    assert "Virka-info" in screen.sorry.text()
    assert "+358 9 310 11111" in plain(screen.phones.text())


def test_a_hub_that_cannot_be_reached_is_said_with_the_numbers_known(
    qtbot: QtBot, open_window: Callable[..., KioskWindow]
) -> None:
    window = open_window(ScriptedAdvice(reachable=False))
    start(qtbot, window)
    screen = open_from_help_button(qtbot, window)
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.sorry_page)
    assert screen.sorry.text() == "Video advice is not available right now."
    assert "Virka-info: +358 9 310 11111" in plain(screen.phones.text())
    assert "Citizens' Advice: 0295 000 160" in plain(screen.phones.text())
    click(qtbot, screen.leave_button)
    frame = window.frame
    assert frame is not None and frame.stack.currentWidget() is frame.home_page


def test_the_real_client_with_no_hub_says_not_available(
    qtbot: QtBot, open_window: Callable[..., KioskWindow]
) -> None:
    window = open_window(None, hub_url=f"http://127.0.0.1:{free_port()}")
    assert window.kiosk.advice is not None
    start(qtbot, window)
    screen = open_from_help_button(qtbot, window)
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.sorry_page, timeout=15_000)
    assert screen.sorry.text() == "Video advice is not available right now."
    assert "try again later" in screen.phones.text()


def test_ending_the_session_during_a_call_hangs_up(
    qtbot: QtBot, open_window: Callable[..., KioskWindow]
) -> None:
    advice = ScriptedAdvice()
    window = open_window(advice)
    start(qtbot, window)
    screen = open_from_help_button(qtbot, window)
    click(qtbot, screen.line_buttons["virka-info"])
    click(qtbot, screen.call_button)
    advice.answered()
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.call_page)
    frame = window.frame
    assert frame is not None
    click(qtbot, frame.end_button)
    assert window.kiosk.session.current is None
    assert advice.cancels == 1
    assert advice.listeners == 0


@pytest.mark.parametrize("high_contrast", [False, True])
def test_every_call_screen_fits_and_its_controls_are_named_and_large(
    qtbot: QtBot, open_window: Callable[..., KioskWindow], high_contrast: bool
) -> None:
    advice = ScriptedAdvice()
    window = open_window(advice)
    window.ui.large_text_scale = 2.5
    start(qtbot, window, "fi")
    window.ui.set_large_text(True)
    window.ui.set_high_contrast(high_contrast)
    screen = open_from_help_button(qtbot, window)

    def check(name: str) -> None:
        qtbot.wait(20)
        assert window.minimumSizeHint().height() <= 1080, name
        assert window.height() == 1080, name
        for button in screen.findChildren(QAbstractButton):
            if not button.isVisibleTo(screen):
                continue
            assert button.accessibleName().strip(), f"unnamed control on {name}"
            assert button.height() >= 48 and button.width() >= 48, (name, button.text())

    check("lines")
    click(qtbot, screen.line_buttons["virka-info"])
    check("preview")
    click(qtbot, screen.call_button)
    advice.queued(4, 600)
    qtbot.waitUntil(lambda: screen.position.text() != "")
    check("waiting")
    advice.answered()
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.call_page)
    check("call")
    click(qtbot, screen.end_button)
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.after_page)
    check("rating")
    click(qtbot, screen.done_button)
    screen = open_from_help_button(qtbot, window)
    click(qtbot, screen.line_buttons["kansalaisneuvonta"])
    check("closed")


def test_the_list_is_asked_again_while_shown_and_not_during_a_call(
    qtbot: QtBot, open_window: Callable[..., KioskWindow]
) -> None:
    advice = ScriptedAdvice(STATE_LINES)
    window = open_window(advice)
    start(qtbot, window)
    window.ui.set_large_text(True)
    screen = open_from_help_button(qtbot, window)
    assert screen.lines_timer.isActive()
    button = screen.line_buttons["virka-info"]
    # Four lines in large text are taller than the display: the list starts at its heading,
    # the first line focused.
    area = screen.parentWidget().parentWidget()
    assert isinstance(area, QScrollArea) and area.verticalScrollBar().maximum() > 0
    assert area.verticalScrollBar().value() == 0
    assert window.focusWidget() is button
    window.ui.set_large_text(False)
    # The hub's news: Virka-info all busy now, the tax line with somebody free.
    virka, vero, kela, neuvonta = STATE_LINES
    advice.set_lines(
        [
            replace(virka, state=LineState.BUSY, advisors_free=0, waiting=1, estimated_wait_s=90),
            replace(vero, state=LineState.AVAILABLE, advisors_free=1, waiting=0),
            kela,
            neuvonta,
        ]
    )
    asked = advice.refreshes
    screen.lines_timer.timeout.emit()
    qtbot.waitUntil(lambda: "busy" in button.state_label.text())
    assert advice.refreshes == asked + 1
    assert screen.line_buttons["virka-info"] is button, "the same button, updated in place"
    assert button.state_label.text() == (
        "Open now, but all advisors are busy. 1 person is waiting. Estimated wait: about 2 minutes."
    )
    assert screen.line_buttons["vero"].state_label.text() == (
        "Open now: 1 advisor is free. Nobody is waiting. Estimated wait: less than a minute."
    )

    # Nobody at Kela: said at the tap, no call made.
    click(qtbot, screen.line_buttons["kela"])
    assert screen.pages.currentWidget() is screen.sorry_page
    assert screen.sorry.text() == (
        "Nobody at Kela is free to answer right now. Please try again later."
    )
    assert plain(screen.phones.text()) == "You can also call Kela by phone: 020 692 207"
    assert advice.calls == []
    assert not screen.lines_timer.isActive()

    asked = advice.refreshes
    click(qtbot, screen.other_button)
    assert screen.lines_timer.isActive()
    assert advice.refreshes == asked + 1, "back in the list, the states are asked at once"
    click(qtbot, button)
    assert screen.lines_timer.isActive(), "the camera check shows the line's state too"
    assert screen.line_state.text().startswith("Open now, but all advisors are busy.")
    click(qtbot, screen.call_button)
    assert advice.calls == [("virka-info", "en")]
    assert not screen.lines_timer.isActive(), "no polling during a call"
    assert screen.wait.text() == "Please wait for an advisor to answer."


def clipped_or_missing(screen: AdviceScreen) -> list[str]:
    """Every visible button's or one-line label's words that do not fit the room inside it, or
    that have a character its font lacks (drawn as a box)."""
    found: list[str] = []
    for widget in screen.findChildren(QWidget):
        if not widget.isVisibleTo(screen):
            continue
        if isinstance(widget, QPushButton) and widget.text():
            text = widget.text()
            option = QStyleOptionButton()
            widget.initStyleOption(option)
            room = widget.style().subElementRect(
                QStyle.SubElement.SE_PushButtonContents, option, widget
            )
        elif isinstance(widget, QLabel) and widget.text() and not widget.wordWrap():
            text, room = widget.text(), widget.contentsRect()
        else:
            continue
        metrics = QFontMetrics(widget.font())
        if any(not c.isspace() and not metrics.inFontUcs4(ord(c)) for c in text):
            found.append(f"missing glyph: {text!r}")
        widest = max(metrics.horizontalAdvance(line) for line in text.split("\n"))
        if widest > room.width():
            found.append(f"clipped: {text!r} ({widest} > {room.width()})")
    return found


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large-text"])
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_no_words_are_cut_or_drawn_as_boxes_on_any_page(
    qtbot: QtBot, open_window: Callable[..., KioskWindow], language: str, large: bool
) -> None:
    advice = ScriptedAdvice(STATE_LINES)
    window = open_window(advice)
    start(qtbot, window, language)
    window.ui.set_large_text(large)
    screen = open_from_help_button(qtbot, window)
    found: dict[str, list[str]] = {}

    def check(name: str) -> None:
        qtbot.wait(20)
        found[name] = clipped_or_missing(screen)

    check("lines")
    click(qtbot, screen.line_buttons["virka-info"])
    check("preview")
    click(qtbot, screen.call_button)
    advice.queued(3, 400)
    check("waiting")
    advice.answered()
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.call_page)
    check("call")
    click(qtbot, screen.mute_button)
    check("muted")
    click(qtbot, screen.end_button)
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.after_page)
    check("rating")
    click(qtbot, screen.star_buttons[5])
    check("rated")
    click(qtbot, screen.done_button)
    screen = open_from_help_button(qtbot, window)
    click(qtbot, screen.line_buttons["kela"])
    check("nobody there")
    assert {name: words for name, words in found.items() if words} == {}
    assert len(found) == 8


def test_a_request_the_hub_refuses_is_not_said_as_nobody_free(
    qtbot: QtBot, open_window: Callable[..., KioskWindow]
) -> None:
    advice = ScriptedAdvice()
    window = open_window(advice)
    start(qtbot, window)
    screen = open_from_help_button(qtbot, window)
    click(qtbot, screen.line_buttons["virka-info"])
    click(qtbot, screen.call_button)
    advice.refused("error")
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.sorry_page)
    assert screen.sorry.text() == (
        "The call to Virka-info could not be started. Please try again later."
    )
    assert "+358 9 310 11111" in plain(screen.phones.text())
