"""The Video advice screen while the hub comes and goes: "not available" when the client loses
the hub, and the lines again by themselves when it is back. The hub is the scripted stand-in of
tests/ui/advice_double.py; tests/video/test_call_resilience.py runs the real client and hub."""

from __future__ import annotations

from collections.abc import Callable

from pytestqt.qtbot import QtBot

from kiosk.ui.screens.video.screen import AdviceScreen
from kiosk.ui.window import KioskWindow
from tests.ui.advice_double import ScriptedAdvice
from tests.ui.test_advice import (
    click,
    open_from_help_button,
    open_window_fixture,
    start,
)

__all__ = ["open_window_fixture"]  # the fixture, used by name


def test_the_lines_come_back_when_the_hub_does(
    qtbot: QtBot, open_window: Callable[..., KioskWindow]
) -> None:
    advice = ScriptedAdvice()
    window = open_window(advice)
    start(qtbot, window)
    screen = open_from_help_button(qtbot, window)
    assert isinstance(screen, AdviceScreen)
    assert screen.pages.currentWidget() is screen.lines_page

    advice.hub_lost()
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.sorry_page)
    assert screen.sorry.text() == "Video advice is not available right now."

    advice.hub_back()
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.lines_page)
    assert sorted(screen.line_buttons) == ["kansalaisneuvonta", "virka-info"]
    click(qtbot, screen.line_buttons["virka-info"])
    assert screen.pages.currentWidget() is screen.preview_page
