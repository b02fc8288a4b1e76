"""Read aloud in the kiosk window: switched on from the attract screen's spot or by headphones,
hold to hear, the idle warning heard as well as seen and longer in Read aloud, private details
only through headphones, the voice's buttons on Help, a fresh start for the next citizen, and a
kiosk with no speech engine that works on without offering Read aloud."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from kiosk.session import EndReason
from kiosk.speech.engine import SilentEngine
from kiosk.speech.headset import SimulatedHeadset
from kiosk.ui.screens.attract import READ_ALOUD_HOLD_MS
from kiosk.ui.screens.help import HelpScreen
from kiosk.ui.sensitive import mark_personal, mark_sensitive
from kiosk.ui.speech.hold import HOLD_MS
from kiosk.ui.window import KioskWindow
from tests.conftest import FakeClock
from tests.ui.speech_double import HeardEngine

KEYPAD = Qt.KeyboardModifier.KeypadModifier


def press(window: KioskWindow, key: Qt.Key) -> None:
    QTest.keyClick(QApplication.focusWidget() or window, key, KEYPAD)


def said(qtbot: QtBot, engine: HeardEngine, words: str, since: int = 0) -> str:
    """The first utterance after `since` that has `words` in it (waiting for it)."""
    try:
        qtbot.waitUntil(lambda: any(words in text for text in engine.since(since)), timeout=3000)
    except Exception as exc:  # pytest-qt's TimeoutError
        raise AssertionError(f"never said {words!r}; said: {engine.since(since)}") from exc
    return next(text for text in engine.since(since) if words in text)


def speaking(qtbot: QtBot, window: KioskWindow) -> HeardEngine:
    engine = HeardEngine()
    window.activateWindow()
    window.start_speech(engine)
    return engine


def start_with_keypad(qtbot: QtBot, window: KioskWindow, engine: HeardEngine) -> None:
    press(window, Qt.Key.Key_5)  # any key on the attract screen: Read aloud on
    said(qtbot, engine, "Ääneen luku on päällä.")
    press(window, Qt.Key.Key_5)  # OK on the focused language button, Finnish
    qtbot.waitUntil(lambda: window.frame is not None)


def test_holding_the_marked_spot_switches_read_aloud_on_and_a_tap_says_how(
    qtbot: QtBot, window: KioskWindow
) -> None:
    engine = speaking(qtbot, window)
    spot = window.attract.read_aloud_spot
    assert spot.isVisible()
    qtbot.mouseClick(spot, Qt.MouseButton.LeftButton)
    how = said(qtbot, engine, "pidä sormea tässä kohdassa kaksi sekuntia")
    assert not window.ui.read_aloud
    assert window.kiosk.session.current is None  # a tap on the spot starts no session
    QTest.mousePress(spot, Qt.MouseButton.LeftButton)
    qtbot.wait(READ_ALOUD_HOLD_MS + 200)
    QTest.mouseRelease(spot, Qt.MouseButton.LeftButton)
    assert window.ui.read_aloud
    welcome = said(qtbot, engine, "Ääneen luku on päällä.", since=engine.texts().index(how) + 1)
    # Speech comes from the loudspeaker here: the citizen is told that first.
    assert welcome.startswith("Puhe kuuluu kaiuttimesta")
    assert "Tervetuloa. Välkommen. Welcome." in welcome
    assert "Liiku nuolinäppäimillä" in welcome
    # From the spot, right goes round to the language buttons, which say their names in
    # their own voices.
    mark = len(engine.heard)
    press(window, Qt.Key.Key_6)
    said(qtbot, engine, "Suomi, painike", since=mark)
    assert engine.heard[-1].language == "fi"
    mark = len(engine.heard)
    press(window, Qt.Key.Key_6)
    assert said(qtbot, engine, "Svenska", since=mark).startswith("Svenska, knapp")
    assert engine.heard[-1].language == "sv"


def test_hold_to_hear_says_a_text_or_a_button_and_the_button_is_not_pressed(
    qtbot: QtBot, window: KioskWindow
) -> None:
    engine = speaking(qtbot, window)
    qtbot.mouseClick(window.attract.language_buttons["fi"], Qt.MouseButton.LeftButton)
    frame = window.frame
    assert frame is not None and not window.ui.read_aloud
    question = frame.home.question
    QTest.mousePress(question, Qt.MouseButton.LeftButton)
    qtbot.wait(HOLD_MS + 150)
    QTest.mouseRelease(question, Qt.MouseButton.LeftButton)
    assert said(qtbot, engine, question.text()) == question.text()
    tile = frame.home.tiles["print"]
    QTest.mousePress(tile, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
    qtbot.wait(HOLD_MS + 150)
    QTest.mouseRelease(tile, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
    assert said(qtbot, engine, "Tulosta, painike").startswith("Tulosta, painike")
    assert frame.service_id is None  # heard, not opened
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)  # a tap still opens it
    assert frame.service_id == "print"


def test_the_idle_warning_is_heard_as_well_as_seen(
    qtbot: QtBot, window: KioskWindow, clock: FakeClock
) -> None:
    engine = speaking(qtbot, window)
    qtbot.mouseClick(window.attract.language_buttons["fi"], Qt.MouseButton.LeftButton)
    clock.advance(60)
    window.poll()
    assert window.idle.isVisible()
    warning = said(qtbot, engine, "Oletko vielä paikalla?")
    assert "Istuntosi päättyy 30 sekunnin kuluttua." in warning
    assert "Jatka koskettamalla näyttöä tai painamalla OK." in warning
    # OK on the keypad continues: the focus is on Continue.
    press(window, Qt.Key.Key_5)
    assert not window.idle.isVisible()


def test_read_aloud_gives_twice_the_time_and_says_the_countdown(
    qtbot: QtBot, window: KioskWindow, clock: FakeClock
) -> None:
    engine = speaking(qtbot, window)
    start_with_keypad(qtbot, window, engine)
    clock.advance(60)
    window.poll()
    assert not window.idle.isVisible()  # 60 s is not idle in Read aloud: 120 s is
    clock.advance(60)
    window.poll()
    assert window.idle.isVisible()
    warning = said(qtbot, engine, "Oletko vielä paikalla?")
    assert "Istuntosi päättyy 60 sekunnin kuluttua." in warning
    assert "Jatka, painike" in warning  # the focus is on Continue, and said
    mark = len(engine.heard)
    clock.advance(55)
    window.poll()
    said(qtbot, engine, "Istuntosi päättyy 5 sekunnin kuluttua.", since=mark)


def test_personal_details_are_said_through_headphones_only(
    qtbot: QtBot, window: KioskWindow
) -> None:
    engine = speaking(qtbot, window)
    speech = window.speech
    assert speech is not None and isinstance(speech.headset, SimulatedHeadset) is False
    start_with_keypad(qtbot, window, engine)
    frame = window.frame
    assert frame is not None
    field = QLineEdit(frame.home)
    field.setAccessibleName("Henkilötunnus")
    mark_sensitive(field)
    field.setText("010190-123A")
    field.show()
    mark = len(engine.heard)
    field.setFocus()
    heard = said(qtbot, engine, "Henkilötunnus", since=mark)
    assert "010190-123A" not in heard
    assert "piilotettu, kytke kuulokkeet kuullaksesi sen" in heard
    speech.narrator.set_headset(True)
    mark = len(engine.heard)
    press(window, Qt.Key.Key_0)  # Repeat, now through headphones
    assert "010190-123A" in said(qtbot, engine, "Henkilötunnus", since=mark)


def test_plugging_in_headphones_switches_read_aloud_on(
    qtbot: QtBot, window: KioskWindow, make_config: object
) -> None:
    engine = speaking(qtbot, window)
    speech = window.speech
    assert speech is not None
    jack = SimulatedHeadset()
    speech.headset = jack
    jack.is_plugged = True
    speech.poll_headset()
    assert window.ui.read_aloud
    first = said(qtbot, engine, "Ääneen luku on päällä.")
    assert not first.startswith("Puhe kuuluu kaiuttimesta")  # private: no loudspeaker notice
    mark = len(engine.heard)
    jack.is_plugged = False
    speech.poll_headset()
    removed = said(qtbot, engine, "Kuulokkeet irrotettu.", since=mark)
    assert "Puhe kuuluu kaiuttimesta" in removed


def test_help_has_the_voice_buttons_and_the_next_citizen_starts_afresh(
    qtbot: QtBot, window: KioskWindow
) -> None:
    engine = speaking(qtbot, window)
    start_with_keypad(qtbot, window, engine)
    frame = window.frame
    assert frame is not None
    frame.open_service("help")
    screen = frame.service_screen
    assert isinstance(screen, HelpScreen) and screen.read_aloud_button is not None
    assert screen.read_aloud_button.isChecked()
    volume = engine.heard[-1].volume
    qtbot.mouseClick(screen.voice_buttons["louder"], Qt.MouseButton.LeftButton)
    said(qtbot, engine, "Kovempaa")
    assert engine.heard[-1].volume > volume
    qtbot.mouseClick(screen.voice_buttons["slower"], Qt.MouseButton.LeftButton)
    said(qtbot, engine, "Hitaammin")
    assert engine.heard[-1].rate < 0
    window.end_session(EndReason.USER)
    said(qtbot, engine, "Istuntosi on päättynyt")
    assert not window.ui.read_aloud
    assert window.kiosk.session.time_factor == 1.0
    speech = window.speech
    assert speech is not None
    assert (speech.narrator.rate, speech.narrator.volume) == (0.0, 0.8)
    mark = len(engine.heard)
    speech.narrator.repeat()  # what the last citizen heard is forgotten
    assert said(qtbot, engine, "Mitään", since=mark) == "Mitään ei ole vielä sanottu."


def test_without_a_speech_engine_the_kiosk_works_and_read_aloud_is_not_offered(
    qtbot: QtBot, window: KioskWindow
) -> None:
    window.activateWindow()
    speech = window.start_speech(SilentEngine())
    assert not speech.available and not window.ui.speech_available
    assert not window.attract.read_aloud_spot.isVisible()
    press(window, Qt.Key.Key_5)  # the keypad still works: OK on the focused language button
    frame = window.frame
    assert frame is not None and window.kiosk.session.current is not None
    assert not window.ui.read_aloud
    press(window, Qt.Key.Key_6)  # and moves the focus
    focus = QApplication.focusWidget()
    assert focus is not None and frame.isAncestorOf(focus)
    frame.open_service("help")
    screen = frame.service_screen
    assert isinstance(screen, HelpScreen) and screen.read_aloud_button is None
    press(window, Qt.Key.Key_Plus)  # Help with nothing to speak with: nothing happens
    press(window, Qt.Key.Key_Period)
    assert not window.ui.read_aloud


def test_the_end_of_the_session_is_said_to_the_citizen_who_listened(
    qtbot: QtBot, window: KioskWindow, clock: FakeClock
) -> None:
    engine = speaking(qtbot, window)
    start_with_keypad(qtbot, window, engine)
    mark = len(engine.heard)
    clock.advance(400)  # nobody came back: the session times out
    window.poll()
    assert window.kiosk.session.current is None and not window.ui.read_aloud
    said(qtbot, engine, "Istuntosi on päättynyt ja tietosi on poistettu.", since=mark)
    assert engine.heard[-1].language == "fi"


def test_silence_stops_speaking_and_repeat_says_it_again(qtbot: QtBot, window: KioskWindow) -> None:
    engine = speaking(qtbot, window)
    start_with_keypad(qtbot, window, engine)
    last = said(qtbot, engine, "Mitä haluaisit tehdä?")
    stops = engine.stops
    press(window, Qt.Key.Key_7)
    assert engine.stops == stops + 1
    mark = len(engine.heard)
    press(window, Qt.Key.Key_0)
    assert said(qtbot, engine, last[:20], since=mark) == last


def test_an_address_on_screen_is_read_through_headphones_only(
    qtbot: QtBot, window: KioskWindow
) -> None:
    engine = speaking(qtbot, window)
    start_with_keypad(qtbot, window, engine)
    frame = window.frame
    assert frame is not None
    address = QLabel("Kotikatu 5 B 12", frame.home)
    mark_personal(address)
    address.show()
    said(qtbot, engine, "Mitä haluaisit tehdä?")
    mark = len(engine.heard)
    press(window, Qt.Key.Key_Plus)  # Help: the whole screen
    whole = said(qtbot, engine, "Mitä haluaisit tehdä?", since=mark)
    assert "Kotikatu" not in whole and "piilotettu" in whole
    QTest.mousePress(address, Qt.MouseButton.LeftButton)
    qtbot.wait(HOLD_MS + 150)
    QTest.mouseRelease(address, Qt.MouseButton.LeftButton)
    held = said(qtbot, engine, "piilotettu", since=len(engine.heard) - 1)
    assert "Kotikatu" not in held
    assert window.speech is not None
    window.speech.narrator.set_headset(True)
    mark = len(engine.heard)
    press(window, Qt.Key.Key_Plus)
    assert "Kotikatu 5 B 12" in said(qtbot, engine, "Mitä haluaisit tehdä?", since=mark)


def test_a_form_says_which_answers_are_personal() -> None:
    from eforms.definition import load_definition, shipped_sources

    definition = load_definition(dict(shipped_sources())["library-card.json"])
    personal = {field.key for field in definition.fields if field.personal}
    assert personal == {"identity_code", "street", "postal_code", "city"}


def test_an_engine_that_stops_working_takes_read_aloud_away_without_stopping_the_kiosk(
    qtbot: QtBot, window: KioskWindow
) -> None:
    engine = speaking(qtbot, window)
    start_with_keypad(qtbot, window, engine)
    speech = window.speech
    assert speech is not None
    engine.available = False  # as the real engine reports a server that hangs or fails
    speech.engine_lost()
    assert not window.ui.read_aloud
    window.end_session(EndReason.USER)
    assert not window.attract.read_aloud_spot.isVisible()
    press(window, Qt.Key.Key_5)  # the keypad still starts a session
    assert window.kiosk.session.current is not None


def test_the_keypad_shows_the_focus_ring_and_a_touch_hides_it(
    qtbot: QtBot, window: KioskWindow
) -> None:
    from kiosk.ui.theme import focus_visible

    speaking(qtbot, window)
    qtbot.mouseClick(window.attract.language_buttons["fi"], Qt.MouseButton.LeftButton)
    assert not focus_visible()
    press(window, Qt.Key.Key_6)
    assert focus_visible()
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.home.question, Qt.MouseButton.LeftButton)
    assert not focus_visible()


def test_a_touch_stops_what_is_being_said(qtbot: QtBot, window: KioskWindow) -> None:
    engine = speaking(qtbot, window)
    start_with_keypad(qtbot, window, engine)
    frame = window.frame
    assert frame is not None
    stops = engine.stops
    qtbot.mouseClick(frame.home.question, Qt.MouseButton.LeftButton)
    assert engine.stops > stops


@pytest.mark.kiosk_config("[keypad]\ndouble_strike_ms = 500\n")
def test_a_second_strike_of_the_same_key_is_not_taken(
    qtbot: QtBot, window: KioskWindow, clock: FakeClock
) -> None:
    speaking(qtbot, window)
    qtbot.mouseClick(window.attract.language_buttons["fi"], Qt.MouseButton.LeftButton)
    press(window, Qt.Key.Key_6)
    first = QApplication.focusWidget()
    press(window, Qt.Key.Key_6)  # at once: a tremor, not a second press
    assert QApplication.focusWidget() is first
    press(window, Qt.Key.Key_4)  # another key is taken
    assert QApplication.focusWidget() is not first
    clock.advance(0.2)
    press(window, Qt.Key.Key_4)
    assert QApplication.focusWidget() is not first  # too soon: still where 4 took it
    back = QApplication.focusWidget()
    clock.advance(0.6)
    press(window, Qt.Key.Key_4)  # half a second on: taken
    assert QApplication.focusWidget() is not back
