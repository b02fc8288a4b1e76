"""The real speech engine: Qt's TextToSpeech over a private speech-dispatcher with espeak-ng,
its sound read back from the ALSA device it plays to (tests/peers/speech.py). And an engine
that cannot start, or that starts and then hangs, leaves the kiosk with no speech, not waiting.

Run under `flock /tmp/kiosk-peers.lock` (the speech server is a real peer)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.config.settings import SpeechSettings
from kiosk.speech.engine import Utterance
from kiosk.ui.speech.engine import QtSpeechEngine, make_engine, speaking_limit
from tests.peers.speech import SpeechServer, speech_server  # noqa: F401 - used by name

FINNISH = Utterance("Tervetuloa kioskille. Valitse kieli.", "fi")
SWEDISH = Utterance("Välkommen till kiosken. Välj språk.", "sv")
#: RMS of 16-bit samples: speech at the default volume is in the thousands, silence is 0.
AUDIBLE = 300.0
#: Generous: the engine starts its own server, and the machine is shared.
START_MS = 30_000


def no_text_logged(caplog: pytest.LogCaptureFixture, server: SpeechServer) -> None:
    """What was said is in no log record (message or context) nor in the server's own logs."""
    said = ("Tervetuloa", "kioskille", "Välkommen", "kiosken")
    for record in caplog.records:
        assert not any(word in str(record.__dict__) for word in said)
    for log_file in server.runtime.rglob("*.log"):
        assert not any(word in log_file.read_text(errors="replace") for word in said)


@pytest.fixture
def engine(speech_server: SpeechServer, qtbot: QtBot) -> Iterator[QtSpeechEngine]:  # noqa: F811
    """The kiosk's engine as make_engine makes it from the default [speech], started."""
    made = make_engine(SpeechSettings())
    assert isinstance(made, QtSpeechEngine)
    try:
        qtbot.waitUntil(lambda: made.is_ready or not made.available, timeout=START_MS)
        assert made.available
        yield made
    finally:
        made.close()


def test_finnish_and_swedish_are_heard_from_the_sound_device(
    engine: QtSpeechEngine,
    speech_server: SpeechServer,  # noqa: F811
    qtbot: QtBot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    started: list[Utterance] = []
    engine.on_started(started.append)

    engine.say(FINNISH)
    qtbot.waitUntil(lambda: started == [FINNISH], timeout=START_MS)
    finnish = speech_server.wait_for_sound(0, seconds=0.5)
    assert finnish.seconds >= 0.5
    assert finnish.rms > AUDIBLE

    qtbot.waitUntil(lambda: not engine.speaking, timeout=START_MS)
    mark = speech_server.wait_until_still(quiet=0.3)
    engine.say(SWEDISH)
    qtbot.waitUntil(lambda: started == [FINNISH, SWEDISH], timeout=START_MS)
    swedish = speech_server.wait_for_sound(mark, seconds=0.5)
    assert swedish.seconds >= 0.5
    assert swedish.rms > AUDIBLE
    assert engine.available
    no_text_logged(caplog, speech_server)


def test_stop_ends_a_long_text_and_the_engine_speaks_on(
    engine: QtSpeechEngine,
    speech_server: SpeechServer,  # noqa: F811
    qtbot: QtBot,
) -> None:
    started: list[Utterance] = []
    engine.on_started(started.append)
    engine.say(FINNISH)
    qtbot.waitUntil(lambda: started == [FINNISH] and not engine.speaking, timeout=START_MS)
    one = speech_server.wait_until_still(quiet=0.5)
    assert one > 0

    # About a minute and a half of speech, which espeak-ng makes in a few seconds here.
    repeats = 30
    long = Utterance(" ".join([FINNISH.text] * repeats), "fi")
    engine.say(long)
    qtbot.waitUntil(lambda: started[-1] == long, timeout=START_MS)
    engine.stop()
    qtbot.waitUntil(lambda: not engine.speaking, timeout=START_MS)
    # The file grows no more: what was made before the stop, not the whole text (which, not
    # stopped, lands in the file within the seconds waited here).
    stopped = speech_server.wait_until_still(quiet=5.0) - one
    assert stopped < repeats * one / 2
    assert engine.available

    mark = speech_server.size()
    engine.say(SWEDISH)
    qtbot.waitUntil(lambda: started[-1] == SWEDISH, timeout=START_MS)
    assert speech_server.wait_for_sound(mark, seconds=0.5).rms > AUDIBLE


def test_a_configured_voice_is_used_and_an_unknown_one_is_said_in_the_log(
    speech_server: SpeechServer,  # noqa: F811
    qtbot: QtBot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    engine = make_engine(SpeechSettings(voice_fi="Finnish+anika", voice_sv="Nobody"))
    assert isinstance(engine, QtSpeechEngine)
    try:
        qtbot.waitUntil(lambda: engine.is_ready, timeout=START_MS)
        warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert [(r.message, r.language) for r in warnings] == [  # type: ignore[attr-defined]
            ("speech voice not found: the language's own is used", "sv")
        ]
        started: list[Utterance] = []
        engine.on_started(started.append)
        engine.say(FINNISH)
        qtbot.waitUntil(lambda: started == [FINNISH], timeout=START_MS)
        assert speech_server.wait_for_sound(0, seconds=0.5).rms > AUDIBLE
    finally:
        engine.close()


def test_speech_engine_none_is_silent() -> None:
    engine = make_engine(SpeechSettings(engine="none"))
    assert not engine.available
    engine.say(FINNISH)
    engine.stop()


def test_without_speech_dispatcher_there_is_no_engine(
    speech_server: SpeechServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("SPEECHD_CMD", str(tmp_path / "no-speech-dispatcher-here"))
    engine = make_engine(SpeechSettings())
    assert not engine.available
    engine.say(FINNISH)
    engine.stop()
    assert [r.message for r in caplog.records] == ["no speech engine"]


def test_a_server_that_will_not_start_makes_the_engine_unavailable(
    speech_server: SpeechServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    qtbot: QtBot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("SPEECHD_CMD", "/bin/false")
    engine = make_engine(SpeechSettings())
    assert isinstance(engine, QtSpeechEngine)
    try:
        engine.say(FINNISH)  # before it has started: kept for then, and never said
        with qtbot.waitSignal(engine.unavailable, timeout=START_MS):
            pass
        assert not engine.available
        engine.say(FINNISH)
        engine.stop()
        warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert [r.message for r in warnings] == ["speech engine unavailable"]
        no_text_logged(caplog, speech_server)
    finally:
        engine.close()


def test_an_engine_that_stays_speaking_is_given_up(
    speech_server: SpeechServer,  # noqa: F811
    qtbot: QtBot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """speech-dispatcher told to play through PulseAudio where none runs: it says it speaks,
    and never ends. The engine gives up on it once the text is long overdue."""
    engine = make_engine(SpeechSettings(audio_output="pulse"))
    assert isinstance(engine, QtSpeechEngine)
    try:
        qtbot.waitUntil(lambda: engine.is_ready, timeout=START_MS)
        unavailable: list[bool] = []
        engine.unavailable.connect(lambda: unavailable.append(True))
        engine.say(FINNISH)
        overdue = round(speaking_limit(FINNISH) * 1000) + START_MS
        qtbot.waitUntil(lambda: bool(unavailable), timeout=overdue)
        assert not engine.available
        engine.say(SWEDISH)
        warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert [r.message for r in warnings] == ["speech engine unavailable"]
        assert warnings[0].code == "stuck"  # type: ignore[attr-defined]
        no_text_logged(caplog, speech_server)
        assert speech_server.size() == 0
    finally:
        engine.close()
