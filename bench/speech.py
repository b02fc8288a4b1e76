"""Speech figures for the kiosk app.

    ./dev bench        (or: .venv/bin/python bench/speech.py)

The kiosk's engine (kiosk.ui.speech.engine, made by make_engine from the default [speech])
against a private speech-dispatcher with espeak-ng, the tests' peer (tests/peers/speech.py),
which plays to ALSA's file plugin over the null device. Target: speech starts less than 300 ms
after it is asked for.

1. say() to "Speaking" (the engine's on_started, on the Qt thread): a short sentence, Finnish
   and Swedish in turn, each after the last has ended. Median of 20.
2. say() to the first sound in the ALSA file (samples above silence), the same 20. An upper
   bound of when a sound card would start playing: the null device takes sound as fast as the
   server makes it, and the file plugin writes it out when the utterance has been played (or
   stopped), so this is the time to make and play the whole sentence.
3. say() on the Qt thread: how long the call takes, median and longest of the same 20. It only
   queues the engine's calls to the engine's thread.
4. Focus change to speech started: a window of buttons read by the kiosk's screen reader
   (kiosk.ui.speech.reader, with the narrator in Read aloud), the focus moved to the next button
   with setFocus, timed to the engine's on_started for the button's name. Median of 20.
5. Qt thread: the longest stall (the largest gap between ticks of a 1 ms timer, less 1 ms),
   median of 3 runs: with no engine, for 5 s (what the machine itself costs); while the engine
   starts (and spawns the server, which lists its voices); and while it speaks, a new sentence
   every 250 ms for 5 s, each replacing the last.

Without speech-dispatcher (`./dev test` installs it) the figures are skipped with a line saying
why; an engine that does not start is a failure (exit status 1).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("KIOSK_LOG_LEVEL", "WARNING")
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QElapsedTimer, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QPushButton, QVBoxLayout, QWidget  # noqa: E402

from kiosk.config.settings import SpeechSettings  # noqa: E402
from kiosk.i18n import Catalogue  # noqa: E402
from kiosk.speech.engine import Utterance  # noqa: E402
from kiosk.speech.narrator import Narrator  # noqa: E402
from kiosk.ui.speech.engine import QtSpeechEngine, make_engine  # noqa: E402
from kiosk.ui.speech.reader import ScreenReader  # noqa: E402
from tests.peers.speech import RATE, SAMPLE_BYTES, SpeechServer, speech_server_missing  # noqa: E402

RUNS = 20
STALL_RUNS = 3
BUSY_SECONDS = 5.0
BUSY_EVERY = 0.25
TICK_MS = 1
#: RMS of 16-bit samples above which a stretch of the file is sound, not silence.
AUDIBLE = 300.0
SENTENCES = (
    Utterance("Tervetuloa kioskille. Valitse kieli.", "fi"),
    Utterance("Välkommen till kiosken. Välj språk.", "sv"),
)
BUTTONS = ("Lomakkeet", "Tulostus", "Sähköposti", "Videoneuvonta", "Maksut", "Skannaus")
TARGET_MS = 300.0


class EngineDidNotStart(Exception):
    pass


def wait(app: QApplication, condition: Callable[[], bool], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("bench step did not finish")
        app.processEvents()
        time.sleep(0.0005)


def started_engine(app: QApplication) -> QtSpeechEngine:
    engine = make_engine(SpeechSettings())
    if not isinstance(engine, QtSpeechEngine):
        raise EngineDidNotStart("make_engine gave no engine (its log line says why)")
    wait(app, lambda: engine.is_ready or not engine.available)
    if not engine.available:
        engine.close()
        raise EngineDidNotStart("the engine gave up (its log line says why)")
    return engine


def audible_from(server: SpeechServer, mark: int) -> bool:
    """Whether sound (not silence) has come into the file after byte `mark`."""
    if server.size() - mark < SAMPLE_BYTES * RATE // 100:
        return False
    return server.heard(mark).rms > AUDIBLE


def say_figures(
    app: QApplication, engine: QtSpeechEngine, server: SpeechServer
) -> tuple[list[float], list[float], list[float]]:
    """(say to Speaking, say to sound in the file, say's own duration), each in ms."""
    started: list[float] = []
    engine.on_started(lambda _: started.append(time.perf_counter()))
    to_speaking, to_sound, calls = [], [], []
    for index in range(RUNS):
        wait(app, lambda: not engine.speaking)
        mark = server.wait_until_still(quiet=0.2)
        started.clear()
        begin = time.perf_counter()
        engine.say(SENTENCES[index % len(SENTENCES)])
        calls.append((time.perf_counter() - begin) * 1000)
        heard = first_sound(app, server, mark, lambda: bool(started))
        to_speaking.append((started[0] - begin) * 1000)
        to_sound.append((heard - begin) * 1000)
    return to_speaking, to_sound, calls


def first_sound(
    app: QApplication, server: SpeechServer, mark: int, also: Callable[[], bool]
) -> float:
    """When sound came into the file after byte `mark`, waiting until `also()` too."""
    heard: list[float] = []

    def done() -> bool:
        if not heard and audible_from(server, mark):
            heard.append(time.perf_counter())
        return bool(heard) and also()

    wait(app, done)
    return heard[0]


def focus_figures(app: QApplication, engine: QtSpeechEngine) -> list[float]:
    """Focus moved to a button, to the engine speaking its name, in ms."""
    window = QWidget()
    layout = QVBoxLayout(window)
    buttons = []
    for name in BUTTONS:
        button = QPushButton(name)
        button.setAccessibleName(name)
        layout.addWidget(button)
        buttons.append(button)
    window.resize(600, 600)
    window.show()
    window.activateWindow()
    narrator = Narrator(engine, Catalogue(), lambda fn: QTimer.singleShot(0, fn), language="fi")
    reader = ScreenReader(window, narrator)
    narrator.set_read_aloud(True)
    reader.start()
    spoken: list[tuple[float, str]] = []
    engine.on_started(lambda u: spoken.append((time.perf_counter(), u.text)))
    times = []
    try:
        for index in range(RUNS + 1):
            wait(app, lambda: not engine.speaking)
            time.sleep(0.05)
            app.processEvents()
            spoken.clear()
            button = buttons[index % len(buttons)]
            begin = time.perf_counter()
            button.setFocus(Qt.FocusReason.OtherFocusReason)
            wait(app, lambda b=button: any(b.text() in text for _, text in spoken))  # type: ignore[misc]
            if index:  # the first also says the screen: not a focus change alone
                times.append((spoken[-1][0] - begin) * 1000)
    finally:
        reader.stop()
        narrator.set_read_aloud(False)
        window.close()
        window.deleteLater()
    return times


def longest_stall(app: QApplication, work: Callable[[], bool], seconds: float) -> float:
    """The largest gap between ticks of a 1 ms timer (less 1 ms) while `work()` is called in
    the loop until it returns True or `seconds` have passed, in ms."""
    clock = QElapsedTimer()
    clock.start()
    gaps: list[int] = []
    last = [clock.nsecsElapsed()]

    def tick() -> None:
        now = clock.nsecsElapsed()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.timeout.connect(tick)
    timer.start(TICK_MS)
    end = time.monotonic() + seconds
    while time.monotonic() < end and not work():
        app.processEvents()
        time.sleep(0.0002)
    timer.stop()
    return max(0, max(gaps[1:], default=0) - TICK_MS * 1_000_000) / 1e6


def stall_while_starting(app: QApplication, base: Path) -> list[float]:
    stalls = []
    for index in range(STALL_RUNS):
        server = SpeechServer(base / f"start-{index}")
        os.environ.update(server.environ())
        engine = make_engine(SpeechSettings())
        assert isinstance(engine, QtSpeechEngine)
        try:
            stalls.append(
                longest_stall(app, lambda e=engine: e.is_ready or not e.available, 30)  # type: ignore[misc]
            )
            if not engine.available:
                raise EngineDidNotStart("the engine gave up while starting")
        finally:
            engine.close()
            server.stop()
    return stalls


def stall_while_speaking(app: QApplication, engine: QtSpeechEngine) -> list[float]:
    stalls = []
    for _ in range(STALL_RUNS):
        stalls.append(longest_stall(app, Talker(engine), BUSY_SECONDS))
        engine.stop()
        wait(app, lambda: not engine.speaking)
    return stalls


class Talker:
    """Says a new sentence every BUSY_EVERY seconds, each replacing the last."""

    def __init__(self, engine: QtSpeechEngine) -> None:
        self.engine = engine
        self.said = 0
        self.next_at = time.monotonic()

    def __call__(self) -> bool:
        if time.monotonic() >= self.next_at:
            self.engine.say(SENTENCES[self.said % len(SENTENCES)])
            self.said += 1
            self.next_at += BUSY_EVERY
        return False


def line(label: str, values: list[float], unit: str = "ms", target: float | None = None) -> str:
    each = ", ".join(f"{v:.1f}" for v in values) if len(values) <= STALL_RUNS else ""
    aim = f"   (target < {target:.0f} {unit})" if target is not None else ""
    runs = f"   runs: {each}" if each else f"   ({len(values)} runs, longest {max(values):.1f})"
    return f"  {label:<46}{statistics.median(values):8.1f} {unit}{runs}{aim}"


def main() -> int:
    missing = speech_server_missing()
    if missing:
        print(f"speech: skipped: {missing} (`./dev test` installs it)")
        return 0
    app = QApplication(sys.argv[:1])
    base = Path(tempfile.mkdtemp(prefix="kiosk-bench-speech-"))
    for name in ("SPEECHD_CMD", "ALSA_CONFIG_PATH", "PULSE_SERVER"):
        os.environ.pop(name, None)
    print("Speech: Qt's TextToSpeech over a private speech-dispatcher with espeak-ng")
    try:
        idle_stalls = [longest_stall(app, lambda: False, BUSY_SECONDS) for _ in range(STALL_RUNS)]
        start_stalls = stall_while_starting(app, base)
        server = SpeechServer(base / "speak")
        os.environ.update(server.environ())
        engine = started_engine(app)
        try:
            to_speaking, to_sound, calls = say_figures(app, engine, server)
            focus = focus_figures(app, engine)
            speak_stalls = stall_while_speaking(app, engine)
        finally:
            engine.close()
            server.stop()
    except EngineDidNotStart as exc:
        print(f"  the speech engine did not start: {exc}")
        return 1
    print(line("say() to Speaking (on_started)", to_speaking, target=TARGET_MS))
    print(line("say() to sound in the ALSA file (upper bound)", to_sound, target=TARGET_MS))
    print(line("focus change to speech started", focus, target=TARGET_MS))
    print(line("say() call on the Qt thread", [c * 1000 for c in calls], unit="us"))
    print("  Qt thread, longest stall (1 ms timer):")
    print(line("  with no engine (the machine itself)", idle_stalls))
    print(line("  while the engine starts", start_stalls))
    print(line("  while it speaks (a sentence every 250 ms)", speak_stalls))
    return 0


if __name__ == "__main__":
    sys.exit(main())
