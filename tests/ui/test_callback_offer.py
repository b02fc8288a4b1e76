"""Where the callback and the booking are offered: after a call that ended because nobody could
answer, and before a call to a busy line whose estimated wait is longer than the hub's long wait;
not before a call an advisor is free for, nor after an ordinary end. The calls are the tests'
stand-in for the hub (tests/ui/advice_double.py); what the hub offers is set as the hub says it
(the kiosk asking the real hub for it is tests/hubcalls/test_callback_hub.py)."""

from __future__ import annotations

from dataclasses import replace

from pytestqt.qtbot import QtBot

from kiosk.appointments.options import parse_options
from kiosk.ui.screens.video import appointment_texts as T
from kiosk.ui.screens.video.screen import AdviceScreen
from kiosk.ui.window import KioskWindow
from kiosk.video.advice import LineState
from tests.ui.advice_double import LINES, ScriptedAdvice
from tests.ui.test_advice import click, open_from_help_button, open_window_fixture, start

__all__ = ["open_window_fixture"]  # the fixture, used by name

OFFERED = {
    "callback_topics": [{"id": "housing", "name": {"fi": "Asuminen", "en": "Housing"}}],
    "times_of_day": [{"id": "any", "name": {"fi": "Mihin aikaan tahansa", "en": "Any time"}}],
    "long_wait_s": 900,
}


def offered(screen: AdviceScreen) -> list[str]:
    """The pages that offer a callback and a booking now."""
    desk = screen.appointments
    return [
        name
        for name, page in (
            ("sorry", screen.sorry_page),
            ("after", screen.after_page),
            ("preview", screen.preview_page),
        )
        if desk.offers[page].isVisible()
    ]


def advice_screen(qtbot: QtBot, window: KioskWindow) -> AdviceScreen:
    start(qtbot, window)
    screen = open_from_help_button(qtbot, window)
    screen.appointments.options = parse_options(OFFERED)
    screen.appointments.update()
    return screen


def test_a_long_wait_offers_them_before_the_call_and_a_short_one_does_not(
    qtbot: QtBot, open_window: object
) -> None:
    virka = LINES[0]
    long_wait = replace(virka, state=LineState.BUSY, estimated_wait_s=3600, waiting=9)
    advice = ScriptedAdvice([long_wait])
    window = open_window(advice)  # type: ignore[operator]
    screen = advice_screen(qtbot, window)
    click(qtbot, screen.line_buttons["virka-info"])
    assert screen.pages.currentWidget() is screen.preview_page
    assert offered(screen) == ["preview"]
    offer = screen.appointments.offers[screen.preview_page]
    assert offer.callback_button.text() == T.ASK_CALLBACK
    assert offer.booking_button.text() == T.BOOK

    # Asking for a callback turns the camera check off; Back returns to it.
    click(qtbot, offer.callback_button)
    assert screen.pages.currentWidget() is screen.appointments.callback_page
    page = screen.appointments.callback_page
    assert page is not None and page.form is not None
    click(qtbot, page.form.back_button)
    assert screen.pages.currentWidget() is screen.preview_page


def test_a_short_wait_or_a_free_advisor_offers_nothing_before_the_call(
    qtbot: QtBot, open_window: object
) -> None:
    virka = LINES[0]
    short_wait = replace(virka, id="short", state=LineState.BUSY, estimated_wait_s=300)
    advice = ScriptedAdvice([short_wait, virka])
    window = open_window(advice)  # type: ignore[operator]
    screen = advice_screen(qtbot, window)
    for line in ("short", "virka-info"):
        click(qtbot, screen.line_buttons[line])
        assert screen.pages.currentWidget() is screen.preview_page
        assert offered(screen) == []
        click(qtbot, screen.back_button)


def test_a_call_ended_for_want_of_an_advisor_offers_them_and_an_ordinary_end_does_not(
    qtbot: QtBot, open_window: object
) -> None:
    advice = ScriptedAdvice()
    window = open_window(advice)  # type: ignore[operator]
    screen = advice_screen(qtbot, window)
    click(qtbot, screen.line_buttons["virka-info"])
    click(qtbot, screen.call_button)
    advice.queued(1, 60)
    advice.ended("no_advisor", can_rate=False)
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.after_page)
    assert offered(screen) == ["after"]

    click(qtbot, screen.done_button)
    screen = advice_screen(qtbot, window)
    click(qtbot, screen.line_buttons["virka-info"])
    click(qtbot, screen.call_button)
    advice.answered()
    advice.ended("advisor_hung_up", can_rate=True)
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.after_page)
    assert offered(screen) == []
