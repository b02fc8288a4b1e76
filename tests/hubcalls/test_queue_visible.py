"""A citizen queues behind a busy advisor and sees the queue move; their turn is a chime and
spoken words, and said over the other service they went to while they waited.

The hub is the real one, as its own process (`kiosk-hub serve`, tests/video/line_states.py);
the advisor and the other kiosks are WebSockets as the console and the kiosk app open them. The
kiosk is the app's own window with its own hub client; its call's speaker is ALSA's null device,
and a speech engine that hears what the kiosk says stands in for the speech server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.engine import Engine
from kiosk.session import Phase
from kiosk.ui.screens.frame import SessionFrame
from kiosk.ui.screens.video.screen import QUEUE_HOLD_S, AdviceScreen
from kiosk.ui.window import KioskWindow
from tests.conftest import FakeClock
from tests.peers.alsa import null_device_missing
from tests.ui.conftest import open_window
from tests.ui.speech_double import HeardEngine
from tests.video.conftest import DEADLINE
from tests.video.line_states import LinesHub, make_busy
from tests.video.line_states import lines_hub as lines_hub
from tests.video.resilience_peers import Advisor

#: Milliseconds: the hub and the kiosk's engine are other threads and processes; a shared
#: machine is slow.
WAIT = 60_000
SPEAKER = '[call]\nspeaker = "alsa"\nspeaker_device = "null"\n'


@pytest.fixture
def window(
    qtbot: QtBot, make_config: Callable[..., Config], clock: FakeClock, lines_hub: LinesHub
) -> Iterator[KioskWindow]:
    reason = null_device_missing()
    if reason is not None:
        pytest.skip(reason)
    base = make_config(SPEAKER)
    config = replace(
        base,
        kiosk=replace(base.kiosk, hub_url=lines_hub.url, hub_token=lines_hub.tokens["demo-kiosk"]),
    )
    yield from open_window(qtbot, config, clock)


def click(qtbot: QtBot, button: QAbstractButton) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def untouched(window: KioskWindow, screen: AdviceScreen, clock: FakeClock, seconds: float) -> None:
    """Time passes with nobody at the kiosk, the screen's hold ticking as it does (every few
    seconds, well within the idle time) and the window watching the idle time."""
    step = window.kiosk.config.session.idle_seconds / 2
    passed = 0.0
    while passed < seconds:
        clock.advance(step)
        passed += step
        screen.hold_timer.timeout.emit()
        window.poll()


def heard(qtbot: QtBot, engine: HeardEngine, words: str) -> None:
    qtbot.waitUntil(lambda: any(words in text for text in engine.texts()), timeout=WAIT)


def test_the_queue_moves_on_screen_and_the_turn_is_heard_and_said_where_the_citizen_is(
    qtbot: QtBot, window: KioskWindow, lines_hub: LinesHub, engine: Engine, clock: FakeClock
) -> None:
    speech = HeardEngine()
    window.start_speech(speech)
    anna = engine.submit(Advisor.log_in(lines_hub.url, "anna")).result(DEADLINE)
    busy = engine.submit(make_busy(lines_hub, anna)).result(DEADLINE)
    try:
        click(qtbot, window.attract.language_buttons["en"])
        frame = window.frame
        assert isinstance(frame, SessionFrame)
        click(qtbot, frame.home.tiles["advice"])
        screen = frame.service_screen
        assert isinstance(screen, AdviceScreen)
        qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.lines_page, timeout=WAIT)
        screen.clock = clock  # the queue's hold counts on the kiosk's clock, moved by hand

        # Before any tap: Anna is busy and one person waits, with the estimated wait.
        virka = screen.line_buttons["virka-info"]
        qtbot.waitUntil(lambda: "1 person is waiting" in virka.state_label.text(), timeout=WAIT)
        assert virka.state_label.text().startswith(
            "Open now, but all advisors are busy. 1 person is waiting. Estimated wait: "
        )
        click(qtbot, virka)
        click(qtbot, screen.call_button)
        qtbot.waitUntil(
            lambda: screen.position.text() == "You are number 2 in the queue.", timeout=WAIT
        )
        assert screen.wait.text().startswith("Estimated wait: ")
        assert screen.pages.currentWidget() is screen.waiting_page

        # Nobody touches the kiosk for three times the idle time: the queue keeps the session.
        idle = window.kiosk.config.session.idle_seconds
        untouched(window, screen, clock, 3 * idle)
        assert window.kiosk.session.phase() is Phase.ACTIVE
        assert not window.idle.isVisible()

        # The citizen goes to another service while they wait: the strip says the call goes on.
        click(qtbot, frame.home_button)
        click(qtbot, frame.home.tiles["help"])
        assert frame.service_id == "help"
        assert frame.call_strip.isVisible()
        assert not frame.turn_notice.isVisible()

        # The one ahead gives up: the queue moves, on the call's screen kept aside.
        engine.submit(busy.waiting.close()).result(DEADLINE)
        qtbot.waitUntil(
            lambda: screen.position.text() == "You are next in the queue.", timeout=WAIT
        )

        # Anna's call ends; the hub rings her for the citizen, and she answers.
        engine.submit(busy.talking.close()).result(DEADLINE)
        ringing = engine.submit(anna.expect("ringing")).result(DEADLINE)
        engine.submit(anna.send({"type": "accept", "call": ringing["call"]})).result(DEADLINE)

        # Said over the screen the citizen is on, with the way back; heard as a chime and words
        # (Read aloud is off: the cue is said to anyone).
        qtbot.waitUntil(frame.turn_notice.isVisible, timeout=WAIT)
        assert frame.turn_label.text() == "It's your turn: an advisor is answering."
        assert frame.turn_button.text() == "Back to the call"
        assert not window.ui.read_aloud
        heard(qtbot, speech, "It's your turn: an advisor is answering.")
        qtbot.waitUntil(lambda: screen.chime.played == 1, timeout=WAIT)
        assert frame.service_id == "help", "the citizen's screen stays until they choose"

        click(qtbot, frame.turn_button)
        assert frame.on_call_page
        assert screen.pages.currentWidget() is screen.call_page
        assert not frame.turn_notice.isVisible()
        assert not screen.turn_unseen

        # A connected call is kept however long nobody touches the screen.
        untouched(window, screen, clock, QUEUE_HOLD_S + 3 * idle)
        assert window.kiosk.session.phase() is Phase.ACTIVE
    finally:
        engine.submit(busy.close()).result(DEADLINE)
        engine.submit(anna.close()).result(DEADLINE)
