"""The kiosk's speech engine: Qt's TextToSpeech over speech-dispatcher, on a thread of its own.

Starting Qt's speechd engine connects to speech-dispatcher, and starts the server when none runs
(about two seconds here); every call into the engine is then a round trip on a socket, to a
server that may never answer. So the QTextToSpeech lives on a QThread of its own, and the Qt
thread sends it each command as a queued call of one of its own slots (the engine itself is
loaded by a queued `setEngine`), which that thread's event loop makes in C++. A call made from
Python there would hold Python's lock for as long as the server takes, and the Qt thread would
wait on it (loading the engine that way stalled it for 1.8 s); as it is, PySide takes the lock
only for a moment as each call arrives. What the engine reports (its state, errors, the locale
it took) comes back by its signals, queued to the Qt thread. `say` and `stop` return as soon as
their calls are queued, whatever the server does.

The engine is trusted until it fails, and then not again: `available` turns False, `unavailable`
is emitted, and one warning goes to the log. It fails when it cannot start, has no voice for one
of the kiosk's languages or reports an error; when an utterance does not start within
`START_LIMIT`, or a stop does not end the speech within `STOP_LIMIT`; and when it stays
"Speaking" far longer than the text could take (speech-dispatcher with no sound to play to does
exactly that, and reports nothing). The log names what failed, never what was being said: the
texts may be personal.

`make_engine` makes the engine [speech] names, or `SilentEngine` where Qt's TextToSpeech, its
speechd plugin or speech-dispatcher is missing.
"""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import (
    Q_ARG,
    QCoreApplication,
    QGenericArgumentHolder,
    QLocale,
    QMetaObject,
    QObject,
    Qt,
    QThread,
    QTimer,
    Signal,
    Slot,
)

from kiosk.config.settings import SpeechSettings
from kiosk.speech import speechd
from kiosk.speech.engine import SilentEngine, SpeechEngine, Utterance

try:
    from PySide6.QtTextToSpeech import QTextToSpeech, QVoice
except ImportError:  # PySide6-Addons is not installed: make_engine says so
    QTextToSpeech = None  # type: ignore[assignment,misc]

log = logging.getLogger(__name__)

#: The locale each kiosk language is spoken in (espeak-ng has a voice for each).
LOCALES: dict[str, QLocale] = {
    "fi": QLocale(QLocale.Language.Finnish, QLocale.Country.Finland),
    "sv": QLocale(QLocale.Language.Swedish, QLocale.Country.Sweden),
    "en": QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom),
}
ENGINE = "speechd"
#: Seconds the engine may take to start: to connect (or spawn the server) and list its voices.
OPEN_LIMIT = 20.0
#: Seconds from a `say` to the engine's "Speaking".
START_LIMIT = 5.0
#: Seconds from a `stop` to the engine no longer speaking.
STOP_LIMIT = 5.0
#: How long closing waits for the engine's thread to end: longer than the engine takes to start
#: (it lists its voices, about 2 s here), since a thread busy starting cannot end before.
CLOSE_WAIT_MS = 10_000
#: What libspeechd starts when no server runs, unless SPEECHD_CMD says otherwise.
SERVER = "/usr/bin/speech-dispatcher"
#: The engines' threads (and what lives there) until the threads have ended: a QThread
#: destroyed while it runs takes the process down with it, so none is left to Python's
#: collector before then.
_running: set[tuple[QThread, QObject]] = set()


def speaking_limit(utterance: Utterance) -> float:
    """Seconds an utterance may take at most: speech slower than any voice speaks at that rate
    (about 6 characters a second at the slowest, 12 at the voice's own), twice over, and more."""
    slowest = 6.0 if utterance.rate < 0 else 12.0
    return 5.0 + 2 * len(utterance.text) / slowest


class _Maker(QObject):
    """Makes the QTextToSpeech on the engine's thread, with a placeholder engine that loads at
    once (Qt's idle mock, else none at all): the real one is loaded there afterwards."""

    made = Signal(QObject)

    @Slot()
    def make(self) -> None:
        placeholder = "mock" if "mock" in QTextToSpeech.availableEngines() else "none"
        self.made.emit(QTextToSpeech(placeholder, self))


@dataclass
class _Current:
    utterance: Utterance
    began: bool = False


class QtSpeechEngine(QObject):
    """A `SpeechEngine` (kiosk.speech.engine): Qt's TextToSpeech on a thread of its own. Made
    and used on the Qt thread; `on_started` callbacks are called there."""

    #: The engine failed and will not speak again (Read aloud is to be hidden).
    unavailable = Signal()
    #: The engine has started, with a voice for each language.
    ready = Signal()

    # Calls of the QTextToSpeech's slots, queued to its thread (a queued signal costs the Qt
    # thread less than QMetaObject.invokeMethod).
    _make = Signal()
    _set_locale = Signal(QLocale)
    _set_rate = Signal(float)
    _set_volume = Signal(float)
    _say = Signal(str)
    _stop = Signal()

    def __init__(self, settings: SpeechSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._available = True
        self._ready = False
        self._closed = False
        self._wanted = {"fi": settings.voice_fi, "sv": settings.voice_sv, "en": settings.voice_en}
        self._voices: dict[str, QVoice | None] = {}
        self._probing: list[str] = []
        self._callbacks: list[Callable[[Utterance], None]] = []
        self._current: _Current | None = None
        self._waiting: Utterance | None = None
        self._sent: dict[str, object] = {}
        self._watchdog = QTimer(self)
        self._watchdog.setSingleShot(True)
        self._watchdog.timeout.connect(self._overdue)
        self._overdue_code = "start"

        self._tts: QTextToSpeech | None = None
        self._thread = QThread()
        self._thread.setObjectName("speech")
        self._maker = _Maker()
        self._maker.moveToThread(self._thread)
        # Deleted on the engine's thread as it ends, the QTextToSpeech with it: that cancels
        # what it says and disconnects from the server.
        self._thread.finished.connect(self._maker.deleteLater)
        queued = Qt.ConnectionType.QueuedConnection
        self._make.connect(self._maker.make, queued)
        self._maker.made.connect(self._made, queued)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.close)
        _running.add((self._thread, self._maker))
        self._thread.start()
        self._make.emit()
        self._arm("start", OPEN_LIMIT)

    # ---- SpeechEngine -------------------------------------------------------------------------

    @property
    def available(self) -> bool:
        return self._available

    def say(self, utterance: Utterance) -> None:
        if not self._available or not utterance.text.strip() or utterance.language not in LOCALES:
            return
        if not self._ready:
            # Said once the engine has started; only the newest, as each replaces the last.
            self._waiting = utterance
            return
        self._current = _Current(utterance)
        language = LOCALES[utterance.language]
        if self._changed("language", utterance.language):
            self._set_locale.emit(language)
            voice = self._voices[utterance.language]
            if voice is not None:
                self._call("setVoice", Q_ARG(QVoice, voice))
        if self._changed("rate", utterance.rate):
            self._set_rate.emit(utterance.rate)
        if self._changed("volume", utterance.volume):
            self._set_volume.emit(utterance.volume)
        self._say.emit(utterance.text)
        self._arm("no_start", START_LIMIT)

    def stop(self) -> None:
        if not self._available:
            return
        self._waiting = None
        if not self._ready:
            return
        self._stop.emit()
        current = self._current
        if current is not None and not current.began:
            self._current = None
            self._watchdog.stop()
        elif current is not None and self._watchdog.remainingTime() > STOP_LIMIT * 1000:
            self._arm("stuck", STOP_LIMIT)

    def on_started(self, callback: Callable[[Utterance], None]) -> None:
        self._callbacks.append(callback)

    # ---- the rest -----------------------------------------------------------------------------

    @property
    def is_ready(self) -> bool:
        """Whether the engine has started (and has not failed)."""
        return self._ready and self._available

    @property
    def speaking(self) -> bool:
        """Whether an utterance is being said (from its "Speaking" to its end or stop)."""
        return self._current is not None and self._current.began

    def close(self) -> None:
        """End the engine's thread (at the latest when the application quits). The engine is
        deleted there, which cancels what it says and disconnects from the server."""
        if self._closed:
            return
        self._closed = True
        self._available = False
        self._current = self._waiting = None
        self._watchdog.stop()
        self._thread.quit()
        if not self._thread.wait(CLOSE_WAIT_MS):
            # Blocked in a call to a speech server that no longer answers (one stuck on its
            # sound device): the thread is ended by force, as the process is ending anyway, since
            # a QThread destroyed while it runs aborts the whole process.
            log.warning("speech engine did not stop", extra={"code": "close"})
            self._thread.terminate()
            self._thread.wait(CLOSE_WAIT_MS)
        if self._thread.isFinished():
            _running.discard((self._thread, self._maker))

    def _call(self, method: str, *args: QGenericArgumentHolder) -> None:
        """Call a method of the QTextToSpeech on its own thread, after what is queued there."""
        assert self._tts is not None
        QMetaObject.invokeMethod(self._tts, method, Qt.ConnectionType.QueuedConnection, *args)

    def _changed(self, what: str, value: object) -> bool:
        if what in self._sent and self._sent[what] == value:
            return False
        self._sent[what] = value
        return True

    def _arm(self, code: str, seconds: float) -> None:
        self._overdue_code = code
        self._watchdog.start(round(seconds * 1000))

    # ---- starting: the engine loaded, then a voice for each language --------------------------

    def _made(self, tts: QTextToSpeech) -> None:
        if self._closed:
            return
        self._tts = tts
        queued = Qt.ConnectionType.QueuedConnection
        for signal, slot in (
            (self._set_locale, tts.setLocale),
            (self._set_rate, tts.setRate),
            (self._set_volume, tts.setVolume),
            (self._say, tts.say),
            (self._stop, tts.stop),
        ):
            signal.connect(slot, queued)
        tts.engineChanged.connect(self._engine_loaded, queued)
        tts.localeChanged.connect(self._locale_taken, queued)
        tts.stateChanged.connect(self._state_changed, queued)
        tts.errorOccurred.connect(self._error, queued)
        self._call("setEngine", Q_ARG(str, ENGINE))

    def _engine_loaded(self, name: str) -> None:
        if self._closed or not self._available:
            return
        tts = self._tts
        assert tts is not None
        if name != ENGINE or tts.state() == QTextToSpeech.State.Error:
            self._give_up("start", tts.errorString() or "the speechd engine did not load")
            return
        # The engine is idle on its thread now: what it holds can be read from here.
        locales = tts.availableLocales()
        missing = [language for language, locale in LOCALES.items() if locale not in locales]
        if missing:
            self._give_up("no_voice", f"no voice for {', '.join(missing)}")
            return
        self._probing = list(LOCALES)
        self._probe_next()

    def _probe_next(self) -> None:
        language = self._probing[0]
        assert self._tts is not None
        if self._tts.locale() == LOCALES[language]:
            self._locale_taken(LOCALES[language])
        else:
            self._set_locale.emit(LOCALES[language])

    def _locale_taken(self, locale: QLocale) -> None:
        if not self._probing or locale != LOCALES[self._probing[0]] or not self._available:
            return
        language = self._probing.pop(0)
        wanted = self._wanted[language]
        assert self._tts is not None
        voices = self._tts.availableVoices()
        chosen = [v for v in voices if v.name() == wanted] if wanted else []
        if wanted and not chosen:
            log.warning(
                "speech voice not found: the language's own is used",
                extra={"language": language, "reason": wanted},
            )
        self._voices[language] = chosen[0] if chosen else None
        if self._probing:
            self._probe_next()
            return
        self._ready = True
        self._watchdog.stop()
        self.ready.emit()
        waiting, self._waiting = self._waiting, None
        if waiting is not None:
            self.say(waiting)

    # ---- what the engine reports --------------------------------------------------------------

    def _state_changed(self, state: QTextToSpeech.State) -> None:
        current = self._current
        if current is None or not self._available:
            return
        # speech-dispatcher's events name no message: a "Ready" before this utterance began is
        # the end of the one it replaced.
        if state == QTextToSpeech.State.Speaking and not current.began:
            current.began = True
            self._arm("stuck", speaking_limit(current.utterance))
            for callback in list(self._callbacks):
                callback(current.utterance)
        elif state == QTextToSpeech.State.Ready and current.began:
            self._current = None
            self._watchdog.stop()

    def _error(self, reason: QTextToSpeech.ErrorReason, text: str) -> None:
        self._give_up(reason.name.lower(), text)

    def _overdue(self) -> None:
        reasons = {
            "start": "the engine did not start in time",
            "no_start": "an utterance did not start in time",
            "stuck": "the engine stayed speaking far longer than the text could take",
        }
        self._give_up(self._overdue_code, reasons[self._overdue_code])

    def _give_up(self, code: str, reason: str) -> None:
        if not self._available:
            return
        self._available = False
        self._watchdog.stop()
        self._current = self._waiting = None
        log.warning("speech engine unavailable", extra={"code": code, "reason": reason[:200]})
        if self._ready:
            self._stop.emit()
        self.unavailable.emit()


def make_engine(settings: SpeechSettings) -> SpeechEngine:
    """The engine [speech] names: "none", no speech; "speechd", speech-dispatcher set up for
    the kiosk (kiosk.speech.speechd) with Qt's TextToSpeech over it, or no speech (and one line
    in the log) where a part of that is not installed."""
    if settings.engine == "none":
        return SilentEngine()
    missing = _missing()
    if missing:
        log.warning("no speech engine", extra={"code": "missing", "reason": missing})
        return SilentEngine()
    speechd.prepare(settings)
    return QtSpeechEngine(settings)


def _missing() -> str:
    """What of Qt's TextToSpeech over speech-dispatcher is not installed ("" if nothing is)."""
    if QTextToSpeech is None:
        return "QtTextToSpeech (PySide6-Addons)"
    if ENGINE not in QTextToSpeech.availableEngines():
        return "Qt's speechd plugin"
    try:
        ctypes.CDLL("libspeechd.so.2")
    except OSError:
        return "libspeechd.so.2 (libspeechd2)"
    # libspeechd starts the server when none answers, unless the server is on another host.
    if not os.environ.get("SPEECHD_ADDRESS", "").startswith("inet_socket"):
        server = shutil.which(os.environ.get("SPEECHD_CMD", SERVER))
        if server is None:
            return f"{os.environ.get('SPEECHD_CMD', SERVER)} (speech-dispatcher)"
    return ""
