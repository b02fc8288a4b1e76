"""The list of service lines says, before any tap, what a call would meet: advisors free, all
busy with people waiting and the estimated wait, nobody there (with the phone number), or closed
with the next opening in the citizen's language; and it keeps saying so as that changes. The hub
is the real one, as its own process (`kiosk-hub serve`); the kiosk is the app's own window with
its own hub client. Before, every open line said only "Open now" and a citizen learnt that nobody
was free two seconds after tapping Call."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QAbstractButton, QStyle, QStyleOptionButton
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.engine import Engine
from kiosk.ui.screens.video.screen import AdviceScreen
from kiosk.ui.window import KioskWindow
from tests.conftest import FakeClock
from tests.ui.conftest import open_window
from tests.video.conftest import DEADLINE
from tests.video.line_states import LinesHub, closed_line_opens, make_busy
from tests.video.line_states import lines_hub as lines_hub
from tests.video.resilience_peers import Advisor

#: Milliseconds: the list asks the hub again every few seconds; a shared machine is slow.
WAIT = 60_000
NBSP = "\u00a0"
FREE = "Open now: 1 advisor is free. Nobody is waiting. Estimated wait: less than a minute."


@pytest.fixture
def window(
    qtbot: QtBot, make_config: Callable[..., Config], clock: FakeClock, lines_hub: LinesHub
) -> Iterator[KioskWindow]:
    base = make_config()
    config = replace(
        base,
        kiosk=replace(base.kiosk, hub_url=lines_hub.url, hub_token=lines_hub.tokens["demo-kiosk"]),
    )
    yield from open_window(qtbot, config, clock)


def click(qtbot: QtBot, button: QAbstractButton) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def open_advice(qtbot: QtBot, window: KioskWindow, language: str) -> AdviceScreen:
    click(qtbot, window.attract.language_buttons[language])
    frame = window.frame
    assert frame is not None
    click(qtbot, frame.home.tiles["advice"])
    screen = frame.service_screen
    assert isinstance(screen, AdviceScreen)
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.lines_page, timeout=WAIT)
    return screen


def states(screen: AdviceScreen) -> dict[str, str]:
    """Each line's state as the list shows it, spaces as spaces."""
    return {
        line: button.state_label.text().replace(NBSP, " ")
        for line, button in screen.line_buttons.items()
    }


def test_the_list_shows_each_lines_state_before_any_tap_and_keeps_it_current(
    qtbot: QtBot, window: KioskWindow, lines_hub: LinesHub, engine: Engine
) -> None:
    anna = engine.submit(Advisor.log_in(lines_hub.url, "anna")).result(DEADLINE)
    opens = closed_line_opens()
    closed = f"Closed now. Opens on {opens:%A} {opens.day}.{opens.month}. at 9:00."
    try:
        screen = open_advice(qtbot, window, "en")
        assert states(screen) == {
            "virka-info": FREE,
            "kansalaisneuvonta": "Open, but no advisor is available right now. "
            "By phone: 0295 000 160",
            "vero": closed,
        }
        virka = screen.line_buttons["virka-info"]
        assert virka.name_label.text() == "Virka-info"
        assert virka.accessibleName() == f"Virka-info. {FREE}"

        # Anna answers another kiosk and a third one queues: the list says so by itself.
        busy = engine.submit(make_busy(lines_hub, anna)).result(DEADLINE)
        try:
            qtbot.waitUntil(lambda: "busy" in states(screen)["virka-info"], timeout=WAIT)
            assert states(screen)["virka-info"].startswith(
                "Open now, but all advisors are busy. 1 person is waiting. Estimated wait: "
            )
            assert screen.pages.currentWidget() is screen.lines_page

            # The same in Finnish, weekday and time as Finnish writes them.
            click(qtbot, window.frame.language_buttons["fi"])  # type: ignore[union-attr]
            shown = states(screen)
            assert shown["virka-info"].startswith(
                "Avoinna, mutta kaikki neuvojat ovat varattuina. Jonossa on 1 henkilö."
            )
            weekday = FI_WEEKDAYS[opens.weekday()]
            assert shown["vero"] == (
                f"Suljettu nyt. Avautuu {weekday} {opens.day}.{opens.month}. klo 9.00."
            )
            click(qtbot, window.frame.language_buttons["en"])  # type: ignore[union-attr]

            # Tapping a busy line: its state again beside the camera check, and the words say
            # what happens once an advisor answers, not that anyone sees the citizen now.
            click(qtbot, screen.line_buttons["virka-info"])
            assert screen.pages.currentWidget() is screen.preview_page
            assert screen.line_state.text().startswith("Open now, but all advisors are busy.")
            assert screen.consent.text() == (
                "When an advisor answers, they will see and hear you. The call is not recorded."
            )
            click(qtbot, screen.back_button)
        finally:
            engine.submit(busy.close()).result(DEADLINE)
        qtbot.waitUntil(lambda: "1 advisor is free" in states(screen)["virka-info"], timeout=WAIT)

        # Nobody there: said at the tap, with the number, and no call is made.
        click(qtbot, screen.line_buttons["kansalaisneuvonta"])
        assert screen.pages.currentWidget() is screen.sorry_page
        assert screen.sorry.text() == (
            "Nobody at Citizens' Advice is free to answer right now. Please try again later."
        )
        assert screen.phones.text().replace(NBSP, " ").endswith("0295 000 160")
        click(qtbot, screen.other_button)
        click(qtbot, screen.line_buttons["vero"])
        assert screen.sorry.text() == (
            f"Finnish Tax Administration is closed now. {closed.removeprefix('Closed now. ')}"
        )
        assert lines_hub.hub.rows("SELECT * FROM call_records WHERE kiosk_id = 'demo-kiosk'") == []
    finally:
        engine.submit(anna.close()).result(DEADLINE)


FI_WEEKDAYS = (
    "maanantaina",
    "tiistaina",
    "keskiviikkona",
    "torstaina",
    "perjantaina",
    "lauantaina",
    "sunnuntaina",
)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_call_button_has_every_glyph_and_room_for_its_words(
    qtbot: QtBot, window: KioskWindow, lines_hub: LinesHub, engine: Engine, language: str
) -> None:
    anna = engine.submit(Advisor.log_in(lines_hub.url, "anna")).result(DEADLINE)
    try:
        screen = open_advice(qtbot, window, language)
        click(qtbot, screen.line_buttons["virka-info"])
        for large in (False, True):
            window.ui.set_large_text(large)
            qtbot.wait(50)
            button = screen.call_button
            metrics = QFontMetrics(button.font())
            missing = [
                c for c in button.text() if not c.isspace() and not metrics.inFontUcs4(ord(c))
            ]
            assert missing == [], f"{button.text()!r} has characters its font lacks"
            assert button.width() >= button.sizeHint().width(), (button.text(), large)
            option = QStyleOptionButton()
            button.initStyleOption(option)
            room = button.style().subElementRect(
                QStyle.SubElement.SE_PushButtonContents, option, button
            )
            assert metrics.horizontalAdvance(button.text()) <= room.width(), (button.text(), large)
            assert button.text() == {"fi": "Soita", "sv": "Ring", "en": "Call"}[language]
    finally:
        engine.submit(anna.close()).result(DEADLINE)
