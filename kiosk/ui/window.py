"""The kiosk window: composes the screens and enforces the session and the lockdown.

It owns the flow attract → session frame → attract, the idle warning, the ID card's notices,
the way into technician mode (the hidden gesture and its PIN are kiosk.ui.technician_gate's),
and the app-level lockdown: frameless fullscreen, no close, no context menus, and Alt+F4,
Ctrl+Q, Ctrl+W and Escape do nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeyEvent, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.app import Kiosk
from kiosk.config import verify_pin
from kiosk.devices.catalog import DeviceClass
from kiosk.session import EndReason, EndSummary, Phase, Session
from kiosk.threads import mark_ui_thread
from kiosk.ui.bridge import Bridge
from kiosk.ui.remote import systemd_watchdog
from kiosk.ui.screens.attract import AttractScreen
from kiosk.ui.state import UiState
from kiosk.ui.technician_gate import TechnicianGate
from kiosk.ui.theme import install_focus, keys_in_use

# Only the attract screen is needed for the first paint; the other screens are imported and
# built when first wanted, which keeps start-up close to a bare Qt window.
if TYPE_CHECKING:
    from kiosk.devices.cardreader.fineid import CardHolder
    from kiosk.devices.status import DeviceEvent
    from kiosk.speech.engine import SpeechEngine
    from kiosk.ui.remote import RemoteControl
    from kiosk.ui.screen_share import ScreenShareController, ShareBar
    from kiosk.ui.screens.card_reminder import CardReminder
    from kiosk.ui.screens.frame import SessionFrame
    from kiosk.ui.screens.idle import IdleWarning
    from kiosk.ui.screens.technician import PinPad, TechnicianScreen
    from kiosk.ui.speech.control import SpeechControl

log = logging.getLogger(__name__)

T = TypeVar("T")

#: The longest the "take your card" reminder stays before the attract screen returns.
CARD_REMINDER_SECONDS = 30
POLL_MS = 250

_INPUT_EVENTS = {
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseButtonRelease,
    QEvent.Type.TouchBegin,
    QEvent.Type.KeyPress,
    QEvent.Type.Wheel,
}
_MODIFIER_CLOSE_KEYS = {
    (Qt.KeyboardModifier.AltModifier, Qt.Key.Key_F4),
    (Qt.KeyboardModifier.ControlModifier, Qt.Key.Key_Q),
    (Qt.KeyboardModifier.ControlModifier, Qt.Key.Key_W),
}


class KioskWindow(QWidget):
    #: Emitted when the attract screen has been painted for the first time.
    first_painted = Signal()

    def __init__(self, kiosk: Kiosk, ui: UiState, bridge: Bridge) -> None:
        super().__init__(None, Qt.WindowType.FramelessWindowHint)
        self.kiosk = kiosk
        self.ui = ui
        self.bridge = bridge
        # Work that can block (kiosk.threads.blocking) must not run on this thread from now on.
        mark_ui_thread()
        self.setObjectName("KioskWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.setWindowTitle("Kiosk")
        app = QApplication.instance()
        if isinstance(app, QApplication):
            install_focus(app)
        self._allow_close = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self._layout = layout
        #: Screen sharing in a video call: the citizen's question and the banner while shared,
        #: above every screen (made with the first session when there is a call service).
        self.share_bar: ShareBar | None = None
        self.screen_share: ScreenShareController | None = None
        self.stack = QStackedWidget()
        layout.addWidget(self.stack)

        self.attract = AttractScreen(ui)
        self.attract.start_requested.connect(self.start_session)
        self.stack.addWidget(self.attract)
        self.frame: SessionFrame | None = None
        self.technician: TechnicianScreen | None = None
        self._idle: IdleWarning | None = None

        #: The hidden gesture and the PIN pad in front of technician mode.
        self.gate = TechnicianGate(
            ui,
            self.stack,
            kiosk.config.technician,
            clock=kiosk.clock,
            check_pin=self._check_pin,
            bridge=bridge,
            parent=self,
        )
        self.gate.opening.connect(self._end_session_for_technician)
        self.gate.entered.connect(self.open_technician)
        self.gate.left.connect(self.show_attract)

        self._poll = QTimer(self)
        self._poll.timeout.connect(self.poll)
        self._poll.start(POLL_MS)

        kiosk.session.on_end(self._on_session_end)
        self._unusable: set[DeviceClass] = set()
        self._card_present = False
        self._card_reminder: CardReminder | None = None
        bridge.device_event.connect(self._on_device_event)
        #: What hands the window's input to eventFilter (kiosk.ui.input_watch); installed by
        #: kiosk.ui.main once there can be input.
        self.input_watch: QObject | None = None
        #: The app's heartbeat and remote actions; made after the first paint.
        self.remote: RemoteControl | None = None
        #: Read aloud and the keypad (`start_speech`, after the first paint).
        self.speech: SpeechControl | None = None
        self._systemd = systemd_watchdog(self)
        self.first_painted.connect(self._after_first_paint)
        self.attract.on_first_paint = self.first_painted.emit
        self.attract.language_buttons[ui.default_language].setFocus()

    @property
    def card_present(self) -> bool:
        """Whether a card is in the reader (as its last event said)."""
        return self._card_present

    def _after_first_paint(self) -> None:
        # systemd counts the app as started once a citizen can see it.
        if self._systemd is not None:
            self._systemd.ready()
        if self.remote is None:
            from kiosk.ui.remote import RemoteControl

            self.remote = RemoteControl(self, self.kiosk, self.bridge, self.grab)

    def start_speech(self, engine: SpeechEngine) -> SpeechControl:
        """Speech through `engine` and the keypad; Read aloud is offered if the engine speaks."""
        from kiosk.ui.speech.control import SpeechControl

        if self.speech is None:
            self.speech = SpeechControl(
                self,
                engine,
                self.kiosk.config,
                self.ui,
                self.kiosk.session,
                at_start=lambda: self.stack.currentWidget() is self.attract,
                back_fallback=self._home_button,
                clock=self.kiosk.clock,
            )
            self.attract.offer_read_aloud(self.speech.available)
            self.speech.on_unavailable = lambda: self.attract.offer_read_aloud(False)
        return self.speech

    def _home_button(self) -> QAbstractButton | None:
        """Where the keypad's Back goes when a screen has no way back of its own."""
        frame = self.frame
        if frame is None or self.stack.currentWidget() is not frame or frame.at_home():
            return None
        return frame.home_button

    @property
    def pin_pad(self) -> PinPad:
        return self.gate.pin_pad

    @property
    def idle(self) -> IdleWarning:
        if self._idle is None:
            from kiosk.ui.screens.idle import IdleWarning

            self._idle = IdleWarning(self.ui, self)
            self._idle.continue_requested.connect(self._continue_session)
            self._idle.end_requested.connect(lambda: self.end_session(EndReason.USER))
            self._idle.hide()
        return self._idle

    # ---- session ------------------------------------------------------------------------------

    def start_session(self, language: str) -> None:
        if self.kiosk.session.current is not None:
            return
        from kiosk.ui.context import ServiceContext
        from kiosk.ui.screens.frame import SessionFrame

        self.ui.set_language(language)
        session: Session = self.kiosk.session.start(language)
        ctx = ServiceContext(ui=self.ui, root=self.kiosk, bridge=self.bridge)
        self.frame = SessionFrame(ctx, self.kiosk.enabled_services())
        self.frame.end_requested.connect(lambda: self.end_session(EndReason.USER))
        self.frame.home.set_unusable_devices(self._unusable)
        self.stack.addWidget(self.frame)
        self.stack.setCurrentWidget(self.frame)
        self.frame.show_home()
        self._watch_screen_share()
        log.debug("session screens built", extra={"session_id": session.id})
        if self._card_present:
            self._read_card()

    def _watch_screen_share(self) -> None:
        if self.screen_share is not None or self.kiosk.advice is None:
            return
        from kiosk.ui.screen_share import ScreenShareController, ShareBar

        self.share_bar = ShareBar(self.ui)
        self._layout.insertWidget(0, self.share_bar)
        self.screen_share = ScreenShareController(self, self.kiosk.advice, self.share_bar)

    def end_session(self, reason: EndReason) -> None:
        self.kiosk.session.end(reason)

    def _on_session_end(self, summary: EndSummary) -> None:
        language = self.ui.language
        was_read_aloud = self.ui.read_aloud
        if self._idle is not None:
            self._idle.hide()
        if self.screen_share is not None:
            self.screen_share.stop()  # the call ends with the session: so does sharing
        # Throw the session's screens away: rebuilt from scratch at the next start.
        if self.frame is not None:
            self.stack.removeWidget(self.frame)
            self.frame.hide()
            self.frame.deleteLater()
            self.frame = None
        clipboard = QGuiApplication.clipboard()
        clipboard.clear(clipboard.Mode.Clipboard)
        if clipboard.supportsSelection():
            clipboard.clear(clipboard.Mode.Selection)
        self.ui.reset()
        if summary.reason is EndReason.TECHNICIAN:
            self.show_attract()
        elif self._card_present:
            self._remind_card(language)
        else:
            self.attract.show_erased(language, self.kiosk.config.session.ended_message_seconds)
            self.show_attract()
        if (
            was_read_aloud
            and self.speech is not None
            and summary.reason is not EndReason.TECHNICIAN
        ):
            self.speech.farewell(language, card_present=self._card_present)

    def _remind_card(self, language: str) -> None:
        from kiosk.ui.screens.card_reminder import CardReminder

        if self._card_reminder is None:
            self._card_reminder = CardReminder(self.ui)
            self.stack.addWidget(self._card_reminder)
        reminder = self._card_reminder

        def finished() -> None:
            reminder.done.disconnect(finished)
            self.attract.show_erased(language, self.kiosk.config.session.ended_message_seconds)
            self.show_attract()

        reminder.done.connect(finished)
        reminder.show_for(language, CARD_REMINDER_SECONDS)
        self.stack.setCurrentWidget(reminder)

    def _on_device_event(self, event: DeviceEvent) -> None:
        from kiosk.devices.status import CardInserted, CardRemoved, StatusChanged

        if isinstance(event, CardInserted):
            self._card_present = True
            self._read_card()
        elif isinstance(event, CardRemoved):
            self._card_present = False
            if self.frame is not None:
                self.frame.set_card_notice(None)
            reminder = self._card_reminder
            if reminder is not None and self.stack.currentWidget() is reminder:
                reminder.finish()
            # Taking the card out ends a session that used it: the card was the citizen's key.
            self.kiosk.session.card_removed()
        elif isinstance(event, StatusChanged):
            health = event.health
            if health.state.usable:
                self._unusable.discard(health.device_class)
            else:
                self._unusable.add(health.device_class)
            if self.frame is not None:
                self.frame.home.set_unusable_devices(self._unusable)

    # ---- the citizen's ID card ---------------------------------------------------------------

    def _read_card(self) -> None:
        """A card is in the reader during a session: read its holder for the forms to use."""
        session = self.kiosk.session.current
        cards = self.kiosk.cards
        if session is None or self.frame is None or cards is None or cards.in_reader() is None:
            return
        future = cards.read_holder()
        if future is None:
            self.frame.set_card_notice("not_id")
            return
        self.frame.set_card_notice("reading")
        session_id = session.id
        self.bridge.when_done(future, lambda f: self._card_read(session_id, f))

    def _card_read(self, session_id: str, future: Future[CardHolder]) -> None:
        error = future.exception()
        if error is not None:
            # The kind of failure only: the card's contents never reach a log.
            log.warning("id card could not be read", extra={"code": type(error).__name__})
            kept = False
        else:
            cards = self.kiosk.cards
            kept = cards is not None and cards.keep_holder(session_id, future.result())
        current = self.kiosk.session.current
        if self.frame is not None and current is not None and current.id == session_id:
            self.frame.set_card_notice("read" if kept else "unreadable")

    def _continue_session(self) -> None:
        self.kiosk.session.resume()
        self.poll()

    def poll(self) -> None:
        """Timer tick: show, update or hide the idle warning; end a session that timed out."""
        phase = self.kiosk.session.poll()
        if phase is Phase.WARNING:
            self.idle.set_seconds_left(self.kiosk.session.seconds_left())
            if not self.idle.isVisible():
                self.idle.setGeometry(self.rect())
                self.idle.show()
                self.idle.raise_()
                self.idle.continue_button.setFocus(Qt.FocusReason.OtherFocusReason)
                if self.speech is not None and not self.speech.read_aloud:
                    # A timed response is signalled to more than one sense: heard as well as
                    # seen (in Read aloud the screen reader says it with the rest).
                    self.speech.say(self.idle.spoken_text(), always=True)
        elif self._idle is not None and self._idle.isVisible():
            self._idle.hide()
            if self.frame is not None:
                self.frame.setFocus()
                self.frame.focusNextChild()

    def show_attract(self) -> None:
        self.stack.setCurrentWidget(self.attract)
        self.attract.language_buttons[self.ui.default_language].setFocus()

    # ---- technician ---------------------------------------------------------------------------

    def _off_ui(self, fn: Callable[[], T]) -> Future[T]:
        """Run `fn` (work that can block) on the engine's workers."""
        engine = self.kiosk.engine
        if engine is None:
            failed: Future[T] = Future()
            failed.set_exception(RuntimeError("the engine is not running yet"))
            return failed
        return engine.run_blocking(fn)

    def _check_pin(self, pin: str) -> Future[bool]:
        # Key derivation takes a noticeable moment on purpose: not on the Qt thread.
        pin_hash = self.kiosk.config.technician.pin_hash
        return self._off_ui(lambda: verify_pin(pin, pin_hash))

    def _end_session_for_technician(self) -> None:
        if self.kiosk.session.current is not None:
            self.end_session(EndReason.TECHNICIAN)

    def open_pin_pad(self) -> None:
        self.gate.open_pin_pad()

    def open_technician(self) -> None:
        if self.technician is None:
            from kiosk.ui.screens.technician import TechnicianScreen

            self.technician = TechnicianScreen(
                self.ui,
                self.kiosk.devices_list(),
                self.bridge,
                self.kiosk.config.kiosk.id,
                unsettled_payments=lambda: self._off_ui(self.kiosk.unsettled_payments),
            )
            self.technician.back_requested.connect(self.show_attract)
            self.technician.quit_requested.connect(self.quit_to_desktop)
            self.stack.addWidget(self.technician)
        self.technician.show_payments()
        self.stack.setCurrentWidget(self.technician)
        self.technician.back_button.setFocus()

    def quit_to_desktop(self) -> None:
        log.info("technician quit to desktop")
        self._allow_close = True
        QApplication.exit(0)

    # ---- lockdown and input -------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.ContextMenu:
            return True
        if kind in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            key_event = event if isinstance(event, QKeyEvent) else None
            if key_event is not None and self._is_blocked_key(key_event):
                return True
        if kind in _INPUT_EVENTS:
            self.kiosk.session.touch()
        if self.speech is not None and self.speech.eventFilter(watched, event):
            if kind == QEvent.Type.KeyPress:
                keys_in_use()  # the theme's filter comes after: the keypad shows the ring too
            return True
        if isinstance(event, QMouseEvent):
            local = self.mapFromGlobal(event.globalPosition().toPoint())
            return self.gate.on_mouse(kind, local)
        return False

    @staticmethod
    def _is_blocked_key(event: QKeyEvent) -> bool:
        key = event.key()
        if key == Qt.Key.Key_Escape:
            return True
        mods = event.modifiers()
        return any(bool(mods & mod) and key == k for mod, k in _MODIFIER_CLOSE_KEYS)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._allow_close:
            event.accept()
        else:
            event.ignore()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._idle is not None:
            self._idle.setGeometry(self.rect())
