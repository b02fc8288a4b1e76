"""Speech and the keypad in the kiosk window: one object that puts the parts together.

The narrator (kiosk.speech.narrator) decides what is said; the screen reader watches the window;
the keypad navigator and hold to hear take the window's input (handed on by the window's event
filter); the headset is polled. Read aloud is part of the presentation state (`UiState`), like
large text: switched on from the attract screen, the keypad or Help, and off again for the next
citizen, with the rate and volume back at the kiosk's defaults. While Read aloud is on, the
session's idle time and its warning are longer (`[speech] read_aloud_time_factor`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

from kiosk.config import Config
from kiosk.session import SessionManager
from kiosk.speech.engine import SpeechEngine
from kiosk.speech.headset import Headset, make_headset
from kiosk.speech.narrator import Kind, Narrator
from kiosk.ui.speech.hold import HoldToHear
from kiosk.ui.speech.keypad import KeypadNavigator
from kiosk.ui.speech.reader import ScreenReader
from kiosk.ui.state import UiState

log = logging.getLogger(__name__)

HEADSET_POLL_MS = 500
_TOUCHES = (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin)


class SpeechControl(QObject):
    def __init__(
        self,
        window: QWidget,
        engine: SpeechEngine,
        config: Config,
        ui: UiState,
        sessions: SessionManager,
        *,
        at_start: Callable[[], bool],
        back_fallback: Callable[[], QAbstractButton | None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(window)
        self.ui = ui
        self.sessions = sessions
        self.settings = config.speech
        self.narrator = Narrator(
            engine,
            ui.catalogue,
            lambda fn: QTimer.singleShot(0, fn),
            language=ui.language,
            rate=self.settings.rate,
            volume=self.settings.volume,
            loudspeaker=self.settings.loudspeaker,
        )
        self.reader = ScreenReader(window, self.narrator)
        self.keypad = KeypadNavigator(
            self.reader,
            config.keypad.keys(),
            at_start=at_start,
            read_aloud=self.set_read_aloud,
            back_fallback=back_fallback,
            double_strike_ms=config.keypad.double_strike_ms,
            clock=clock,
        )
        self.hold = HoldToHear(window, self.narrator)
        #: Called when the engine is lost (the window hides the attract screen's spot).
        self.on_unavailable: Callable[[], None] = lambda: None
        self.headset: Headset = make_headset(self.settings.headset, self.settings.headset_device)
        self._headset_timer = QTimer(self)
        self._headset_timer.setInterval(HEADSET_POLL_MS)
        self._headset_timer.timeout.connect(self.poll_headset)
        if self.settings.headset != "none":
            self._headset_timer.start()
        ui.changed.connect(self._ui_changed)
        ui.speech = self
        if not engine.available:
            log.info("no speech engine: Read aloud is not offered")

    @property
    def available(self) -> bool:
        return self.narrator.available

    @property
    def read_aloud(self) -> bool:
        return self.narrator.read_aloud

    def set_read_aloud(self, on: bool) -> None:
        if on == self.narrator.read_aloud or (on and not self.available):
            return
        self.narrator.set_read_aloud(on)
        self.sessions.time_factor = self.settings.read_aloud_time_factor if on else 1.0
        if on:
            self.reader.start()
        else:
            self.reader.stop()
        log.info("read aloud", extra={"code": "on" if on else "off"})
        self.ui.changed.emit()

    def close(self) -> None:
        """The app is quitting: the engine's thread ends (an engine without one has nothing to
        end)."""
        self._headset_timer.stop()
        close = getattr(self.narrator.engine, "close", None)
        if callable(close):
            close()

    def engine_lost(self) -> None:
        """The engine stopped speaking for good (logged by the engine): Read aloud is no longer
        offered, and a citizen who had it goes on by touch and keys."""
        self.set_read_aloud(False)
        self.on_unavailable()

    def poll_headset(self) -> None:
        plugged = self.headset.plugged()
        if plugged == self.narrator.headset:
            return
        self.narrator.set_headset(plugged)
        # Headphones plugged in where Read aloud is off: the citizen wants to listen.
        if plugged and not self.narrator.read_aloud and self.available:
            self.set_read_aloud(True)

    def reset(self) -> None:
        """The session is over: Read aloud off, the kiosk's voice, nothing kept."""
        self.reader.stop()
        self.narrator.reset()
        self.sessions.time_factor = 1.0

    def adjust(self, action: str) -> None:
        """`louder`, `quieter`, `faster` or `slower`, from Help's buttons or the keypad."""
        self.narrator.adjust(action)

    def farewell(self, language: str, *, card_present: bool) -> None:
        """The session's end, said to the citizen who was listening, in their language, though
        Read aloud is now off for the next one: their data is erased, or their card is still in
        the reader. Not kept for Repeat, which is the next citizen's."""
        from kiosk.ui.screens.attract import ERASED
        from kiosk.ui.screens.card_reminder import TAKE_CARD, TAKE_CARD_DETAIL

        said = (TAKE_CARD, TAKE_CARD_DETAIL) if card_present else (ERASED,)
        words = " ".join(self.ui.t_in(language, message) for message in said)
        self.narrator.say(words, Kind.ECHO, always=True, language=language)

    def say(self, text: str, *, always: bool = False, language: str | None = None) -> None:
        self.narrator.say(text, Kind.MESSAGE, always=always, language=language)

    def _ui_changed(self) -> None:
        self.narrator.set_language(self.ui.language)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.available:
            return self.keypad.eventFilter(watched, event)
        kind = event.type()
        if kind == QEvent.Type.Paint:
            if self.narrator.read_aloud and isinstance(watched, QLabel):
                self.reader.label_painted(watched)
            return False
        if kind in _TOUCHES and self.narrator.read_aloud:
            # A touch stops what is being said (5.1.3.5); what it does says what comes next.
            self.narrator.stop()
        return self.keypad.eventFilter(watched, event) or self.hold.eventFilter(watched, event)
