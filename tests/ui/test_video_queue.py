"""Waiting in a video-advice queue: the turn is a chime on the call's speaker and spoken words
(with Read aloud off too), said over another service's screen if the citizen went there, with
the way back by touch or keypad; the session is kept while the citizen waits and talks, and a
queue left untouched for long asks whether they are still there. The hub is a scripted stand-in
(tests/hubcalls/test_queue_visible.py runs the real one); the speaker is ALSA's null device."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.session import Phase
from kiosk.speech.cue import chime_samples
from kiosk.ui.screens.frame import SessionFrame
from kiosk.ui.screens.video.screen import QUEUE_HOLD_S, AdviceScreen
from kiosk.ui.window import KioskWindow
from tests.conftest import FakeClock
from tests.peers.alsa import null_device_missing
from tests.ui.advice_double import ScriptedAdvice
from tests.ui.conftest import open_window
from tests.ui.keypad import Keypad
from tests.ui.speech_double import HeardEngine

SPEAKER = '[call]\nspeaker = "alsa"\nspeaker_device = "null"\n'


@pytest.fixture
def advice() -> ScriptedAdvice:
    return ScriptedAdvice()


@pytest.fixture
def queue_window(
    qtbot: QtBot, make_config: Callable[..., Config], clock: FakeClock, advice: ScriptedAdvice
) -> Iterator[KioskWindow]:
    reason = null_device_missing()
    if reason is not None:
        pytest.skip(reason)
    base = make_config(SPEAKER)
    config = replace(base, kiosk=replace(base.kiosk, hub_token="kiosk-token"))
    yield from open_window(qtbot, config, clock, advice)


def click(qtbot: QtBot, button: QAbstractButton) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def queue_up(qtbot: QtBot, window: KioskWindow, advice: ScriptedAdvice) -> AdviceScreen:
    """Start a session in English, call Virka-info and wait third in its queue."""
    if window.frame is None:
        click(qtbot, window.attract.language_buttons["en"])
    frame = window.frame
    assert frame is not None
    click(qtbot, frame.home.tiles["advice"])
    screen = frame.service_screen
    assert isinstance(screen, AdviceScreen)
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.lines_page)
    click(qtbot, screen.line_buttons["virka-info"])
    click(qtbot, screen.call_button)
    advice.queued(3, 400)
    qtbot.waitUntil(lambda: screen.position.text() == "You are number 3 in the queue.")
    assert screen.wait.text() == "Estimated wait: about 7 minutes."
    return screen


def untouched(window: KioskWindow, screen: AdviceScreen, clock: FakeClock, seconds: float) -> float:
    """Time passes with nobody at the kiosk, the screen's hold ticking as it does (every few
    seconds, well within the idle time) and the window watching the idle time; until the idle
    warning shows, the session ends, or `seconds` have passed (which it returns)."""
    step = window.kiosk.config.session.idle_seconds / 4
    passed = 0.0
    while (
        passed < seconds
        and window.kiosk.session.current is not None
        and window.kiosk.session.phase() is not Phase.WARNING
    ):
        clock.advance(step)
        passed += step
        screen.hold_timer.timeout.emit()
        window.poll()
        qtbot_flush()
    return passed


def qtbot_flush() -> None:
    """Let what the poll started (a screen's release as the session ends) happen."""
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()


def test_the_chime_is_two_soft_notes_in_whole_frames() -> None:
    samples = chime_samples()
    assert len(samples) % 960 == 0  # 20 ms frames at 48 kHz
    assert 0 < abs(int(samples.max())) < 32767 * 0.5


def test_the_turn_on_the_call_screen_is_a_chime_and_words_with_read_aloud_off(
    qtbot: QtBot, queue_window: KioskWindow, advice: ScriptedAdvice, clock: FakeClock
) -> None:
    speech = HeardEngine()
    queue_window.start_speech(speech)
    screen = queue_up(qtbot, queue_window, advice)
    assert not queue_window.ui.read_aloud
    assert speech.texts() == [], "nothing is said aloud while waiting with Read aloud off"
    advice.queued(1, 30)
    qtbot.waitUntil(lambda: screen.position.text() == "You are next in the queue.")

    advice.answered()
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.call_page)
    qtbot.waitUntil(lambda: speech.texts() == ["It's your turn: an advisor is answering."])
    assert speech.heard[0].language == "en"
    qtbot.waitUntil(lambda: screen.chime.played == 1)
    frame = queue_window.frame
    assert frame is not None and not frame.turn_notice.isVisible(), "the citizen is at the call"

    # Connected, the session is kept however long nobody touches the screen.
    untouched(queue_window, screen, clock, QUEUE_HOLD_S * 2)
    assert queue_window.kiosk.session.phase() is Phase.ACTIVE


def test_the_turn_is_said_over_the_service_the_citizen_went_to_and_the_keypad_goes_back(
    qtbot: QtBot, queue_window: KioskWindow, advice: ScriptedAdvice
) -> None:
    window = queue_window
    keys = Keypad.at(qtbot, window)
    keys.start("en")
    screen = queue_up(qtbot, window, advice)
    frame = window.frame
    assert isinstance(frame, SessionFrame)
    click(qtbot, frame.home_button)
    click(qtbot, frame.home.tiles["help"])
    assert frame.call_strip.isVisible() and not frame.turn_notice.isVisible()

    mark = keys.mark()
    advice.answered()
    qtbot.waitUntil(frame.turn_notice.isVisible)
    assert frame.service_id == "help", "what the citizen was doing stays until they choose"
    assert frame.turn_label.text() == "It's your turn: an advisor is answering."
    # In Read aloud the words are said once, and the focus is on the way back.
    keys.wait_for("It's your turn: an advisor is answering.", since=mark)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert frame.turn_button.hasFocus()
    assert sum("It's your turn" in text for text in keys.since(mark)) == 1
    qtbot.waitUntil(lambda: screen.chime.played == 1)

    keys.press("ok")
    assert frame.on_call_page
    assert screen.pages.currentWidget() is screen.call_page
    assert not frame.turn_notice.isVisible() and not screen.turn_unseen
    assert screen.chime.played == 1


def test_a_queue_untouched_for_long_asks_whether_the_citizen_is_still_there(
    qtbot: QtBot, queue_window: KioskWindow, advice: ScriptedAdvice, clock: FakeClock
) -> None:
    window = queue_window
    screen = queue_up(qtbot, window, advice)
    screen.clock = clock
    idle = window.kiosk.config.session.idle_seconds
    # Waiting, watching the queue: kept well past the idle time.
    passed = untouched(window, screen, clock, 5 * idle)
    assert window.kiosk.session.phase() is Phase.ACTIVE
    # Long untouched: the idle warning asks, and Continue keeps the place in the queue.
    passed += untouched(window, screen, clock, 2 * QUEUE_HOLD_S)
    assert window.kiosk.session.phase() is Phase.WARNING
    assert passed >= QUEUE_HOLD_S + idle
    assert window.idle.isVisible()
    click(qtbot, window.idle.continue_button)
    assert window.kiosk.session.phase() is Phase.ACTIVE
    assert screen.in_call and advice.cancels == 0
    untouched(window, screen, clock, 5 * idle)
    assert window.kiosk.session.phase() is Phase.ACTIVE
    # Nobody answers the warning: the session ends and the call with it.
    untouched(window, screen, clock, 2 * QUEUE_HOLD_S)
    assert window.kiosk.session.phase() is Phase.WARNING
    clock.advance(window.kiosk.config.session.warning_seconds + 1)
    window.poll()
    assert window.kiosk.session.current is None
    assert advice.cancels == 1
