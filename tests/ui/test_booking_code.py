"""A citizen with a booked video appointment enters its code on the list of lines: by touch, by
a keyboard's digits, or by the keypad alone listening; the call goes with the code and waits
for the advisor who holds the slot, saying so; a code the hub refuses is said in words (not
found, too early with the time it starts to work, over) with the way to enter it again. The
hub is a scripted stand-in here; tests/hubcalls/test_queue_visible_booked.py runs the real one."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.ui.screens.video.screen import AdviceScreen
from kiosk.ui.window import KioskWindow
from kiosk.video.advice import AdvicePhase, AdviceStatus
from tests.conftest import FakeClock
from tests.ui.advice_double import ScriptedAdvice
from tests.ui.conftest import open_window
from tests.ui.keypad import Keypad
from tests.ui.test_advice import clipped_or_missing

CODE = "48210937"
#: Monday 13 January 2025, 10.00 in Helsinki.
NOW = datetime(2025, 1, 13, 8, 0, tzinfo=UTC)


class CodeAdvice(ScriptedAdvice):
    """The scripted hub, taking calls with a booking code too."""

    def __init__(self) -> None:
        super().__init__()
        self.booked_calls: list[tuple[str, str]] = []

    def start_booked(self, code: str, language: str) -> None:
        self.booked_calls.append((code, language))
        self._report(AdviceStatus(AdvicePhase.REQUESTING))

    def refuse(self, reason: str, opens_at: datetime | None = None) -> None:
        self._report(
            AdviceStatus(
                AdvicePhase.REFUSED,
                line=self.status.line,
                call="c1",
                reason=reason,
                opens_at=opens_at,
            )
        )

    def queued_booked(self, line: str) -> None:
        self._report(
            AdviceStatus(
                AdvicePhase.QUEUED,
                line=line,
                call="c1",
                position=1,
                estimated_wait_s=0,
                booked=True,
            )
        )


@pytest.fixture
def advice() -> CodeAdvice:
    return CodeAdvice()


@pytest.fixture
def code_window(
    qtbot: QtBot, make_config: Callable[..., Config], clock: FakeClock, advice: CodeAdvice
) -> Iterator[KioskWindow]:
    base = make_config()
    config = replace(base, kiosk=replace(base.kiosk, hub_token="kiosk-token"))
    yield from open_window(qtbot, config, clock, advice)


def click(qtbot: QtBot, button: QAbstractButton) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def active(qtbot: QtBot, window: KioskWindow) -> None:
    """The kiosk's window active, as under the kiosk's compositor, so that the focus shows (on
    the test platform a window Qt makes for itself can take that away)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def open_advice(qtbot: QtBot, window: KioskWindow, language: str = "en") -> AdviceScreen:
    click(qtbot, window.attract.language_buttons[language])
    frame = window.frame
    assert frame is not None
    click(qtbot, frame.home.tiles["advice"])
    screen = frame.service_screen
    assert isinstance(screen, AdviceScreen)
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.lines_page)
    screen.now = lambda: NOW  # type: ignore[method-assign]
    return screen


def test_a_code_by_touch_and_by_keyboard_calls_with_it_and_waits_for_its_advisor(
    qtbot: QtBot, code_window: KioskWindow, advice: CodeAdvice
) -> None:
    screen = open_advice(qtbot, code_window)
    assert screen.code_button.isVisible()
    assert screen.code_button.text() == "I have a booking code"
    click(qtbot, screen.code_button)
    assert screen.pages.currentWidget() is screen.code_page
    assert screen.heading.text() == "Enter your booking code"
    assert screen.code_display.text() == "····\u2002····"
    assert not screen.code_call_button.isEnabled()
    assert not screen.erase_button.isEnabled()

    for digit in CODE[:6]:
        click(qtbot, screen.digit_buttons[digit])
    assert screen.code_display.text() == "4821\u200209··"
    assert screen.code_display.full_text() == ("Booking code: 4 8 2 1 0 9. 6 digits entered of 8.")
    assert not screen.code_call_button.isEnabled()
    click(qtbot, screen.erase_button)
    assert screen.code_display.text() == "4821\u20020···"
    # A keyboard's digits type too; no more than eight are taken.
    active(qtbot, code_window)
    QTest.keyClicks(screen, "9377")
    assert screen.code == CODE
    assert screen.code_display.text() == "4821\u20020937"
    assert screen.code_call_button.isEnabled()
    assert screen.code_call_button.hasFocus(), "the way on has the focus once the code is whole"

    click(qtbot, screen.code_call_button)
    assert advice.booked_calls == [(CODE, "en")]
    assert advice.calls == []
    assert screen.pages.currentWidget() is screen.waiting_page
    assert screen.heading.text() == "Calling with your booking code…"

    # The hub names the booking's line; no place in the queue is said, only that the advisor
    # who holds the slot answers as soon as they are free.
    advice.queued_booked("virka-info")
    qtbot.waitUntil(lambda: screen.status.booked)
    assert screen.heading.text() == "Calling Virka-info…"
    assert screen.position.text() == (
        "You have an appointment: your advisor will answer as soon as they are free."
    )
    assert not screen.wait.isVisible()
    advice.answered()
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.call_page)
    assert screen.heading.text() == "You are talking to an advisor of Virka-info."


@pytest.mark.parametrize(
    ("reason", "opens_at", "said"),
    [
        (
            "booking_unknown",
            None,
            "This booking code was not found. Check the code and try again.",
        ),
        (
            "booking_early",
            datetime(2025, 1, 13, 8, 50, tzinfo=UTC),
            "Your appointment has not started yet. The code works from 10:50.",
        ),
        (
            "booking_early",
            datetime(2025, 1, 14, 12, 10, tzinfo=UTC),
            "Your appointment has not started yet. The code works from 14.1. at 14:10.",
        ),
        (
            "booking_over",
            None,
            "The time of this appointment is over, or it was already used or cancelled.",
        ),
        ("rate_limited", None, "Too many calls or codes were tried here. Please try again later."),
    ],
)
def test_a_code_the_hub_refuses_is_said_in_words_and_can_be_entered_again(
    qtbot: QtBot,
    code_window: KioskWindow,
    advice: CodeAdvice,
    reason: str,
    opens_at: datetime | None,
    said: str,
) -> None:
    screen = open_advice(qtbot, code_window)
    click(qtbot, screen.code_button)
    for digit in CODE:
        click(qtbot, screen.digit_buttons[digit])
    click(qtbot, screen.code_call_button)
    advice.refuse(reason, opens_at)
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.sorry_page)
    assert screen.sorry.text() == said
    assert screen.code_again_button.isVisible() is (reason != "rate_limited")
    if reason == "rate_limited":
        return
    active(qtbot, code_window)
    assert screen.code_again_button.hasFocus()
    click(qtbot, screen.code_again_button)
    assert screen.pages.currentWidget() is screen.code_page
    assert screen.code == CODE, "kept, to correct a digit"


def test_a_full_queue_is_said_of_the_line(
    qtbot: QtBot, code_window: KioskWindow, advice: CodeAdvice
) -> None:
    screen = open_advice(qtbot, code_window)
    click(qtbot, screen.line_buttons["virka-info"])
    click(qtbot, screen.call_button)
    advice.refuse("queue_full")
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.sorry_page)
    assert screen.sorry.text() == (
        "Too many people are waiting for Virka-info right now. Please try again later."
    )
    assert not screen.code_again_button.isVisible()


def test_a_code_by_the_keypad_alone(
    qtbot: QtBot, code_window: KioskWindow, advice: CodeAdvice
) -> None:
    window = code_window
    keys = Keypad.at(qtbot, window)
    keys.start("en")
    frame = window.frame
    assert frame is not None
    keys.move_to("Video advice, button")
    keys.press("ok")
    keys.wait_for("Choose the service")
    # After the lines, the way in with a code.
    keys.move_to("I have a booking code, button")
    keys.press("ok")
    keys.wait_for("Enter your booking code", "The code has 8 digits.")
    screen = frame.service_screen
    assert isinstance(screen, AdviceScreen)
    assert screen.digit_buttons["1"].hasFocus()

    # 4 8 2 1 0 9 3 7 on the pad: its keys in rows of three, the focus moved to each and OK.
    for digit in CODE:
        target = screen.digit_buttons[digit]
        mark = keys.mark()
        keys.move_to(f"{digit}, button")
        assert target.hasFocus()
        keys.press("ok")
        keys.wait_for(f"digit{'s' if len(screen.code) > 1 else ''} entered of 8", since=mark)
    keys.wait_for("Booking code: 4 8 2 1 0 9 3 7. 8 digits entered of 8.")
    assert screen.code_call_button.hasFocus()
    keys.press("ok")
    keys.wait_for("Calling with your booking code…")
    assert advice.booked_calls == [(CODE, "en")]


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large-text"])
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_no_words_are_cut_on_the_pad_the_booked_wait_or_a_refusal(
    qtbot: QtBot, code_window: KioskWindow, advice: CodeAdvice, language: str, large: bool
) -> None:
    screen = open_advice(qtbot, code_window, language)
    code_window.ui.set_large_text(large)
    found: dict[str, list[str]] = {}

    def check(name: str) -> None:
        qtbot.wait(20)
        found[name] = clipped_or_missing(screen)

    check("lines")
    click(qtbot, screen.code_button)
    for digit in CODE[:5]:
        click(qtbot, screen.digit_buttons[digit])
    check("pad")
    for digit in CODE[5:]:
        click(qtbot, screen.digit_buttons[digit])
    check("pad, whole code")
    click(qtbot, screen.code_call_button)
    advice.refuse("booking_early", datetime(2025, 1, 14, 12, 10, tzinfo=UTC))
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.sorry_page)
    check("too early")
    click(qtbot, screen.code_again_button)
    click(qtbot, screen.code_call_button)
    advice.queued_booked("virka-info")
    qtbot.waitUntil(lambda: screen.status.booked)
    check("booked wait")
    assert {name: words for name, words in found.items() if words} == {}
