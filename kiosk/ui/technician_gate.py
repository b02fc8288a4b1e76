"""The hidden way into technician mode: hold the top-left corner, then enter the PIN.

The hold and the lock-out after wrong PINs are measured on the kiosk's clock (the one its
sessions use), not on timers of their own, so that what they decide follows that one clock. A
short timer only looks at the clock while the corner is held. The PIN is checked on a worker:
key derivation is slow on purpose (`kiosk.pin`), and the Qt thread must not wait for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, QTimer, Signal
from PySide6.QtWidgets import QStackedWidget

if TYPE_CHECKING:
    from kiosk.config.settings import TechnicianSettings
    from kiosk.ui.bridge import Bridge
    from kiosk.ui.screens.technician import PinPad
    from kiosk.ui.state import UiState

log = logging.getLogger(__name__)

#: The corner that answers the hold: this many pixels from the window's top-left, each way.
CORNER_PX = 80
#: How often the clock is looked at while the corner is held.
HOLD_POLL_MS = 50


class TechnicianGate(QObject):
    """The corner gesture, the PIN pad and the lock-out after too many wrong PINs."""

    #: The corner was held long enough: the PIN pad is about to show (end a running session).
    opening = Signal()
    #: The right PIN was entered.
    entered = Signal()
    #: The PIN pad was cancelled, or the last attempt was wrong.
    left = Signal()

    def __init__(
        self,
        ui: UiState,
        stack: QStackedWidget,
        settings: TechnicianSettings,
        *,
        clock: Callable[[], float],
        check_pin: Callable[[str], Future[bool]],
        bridge: Bridge,
        parent: QObject | None = None,
    ) -> None:
        """`check_pin(pin)` checks a PIN against the configured hash away from the Qt thread."""
        super().__init__(parent)
        self.ui = ui
        self._stack = stack
        self._settings = settings
        self._clock = clock
        self._check_pin = check_pin
        self._bridge = bridge
        self._pin_pad: PinPad | None = None
        self._pressed_at: float | None = None
        self._hold_done = False
        self._failures = 0
        self._locked_until: float | None = None
        #: Counts PIN checks: an answer for an attempt that is no longer on the pad is dropped.
        self._attempt = 0
        self._checking = False
        self._hold_poll = QTimer(self)
        self._hold_poll.setInterval(HOLD_POLL_MS)
        self._hold_poll.timeout.connect(self.check_hold)

    @property
    def pin_pad(self) -> PinPad:
        if self._pin_pad is None:
            from kiosk.ui.screens.technician import PinPad

            self._pin_pad = PinPad(self.ui)
            self._pin_pad.submitted.connect(self._submitted)
            self._pin_pad.cancelled.connect(self._cancelled)
            self._stack.addWidget(self._pin_pad)
        return self._pin_pad

    @property
    def locked(self) -> bool:
        """Too many wrong PINs: the gesture does nothing until the lock-out has passed."""
        return self._locked_until is not None and self._clock() < self._locked_until

    @property
    def checking(self) -> bool:
        """A PIN is being checked."""
        return self._checking

    @staticmethod
    def corner_point() -> QPoint:
        """A point inside the corner, in the window's coordinates."""
        return QPoint(CORNER_PX // 4, CORNER_PX // 4)

    # ---- the gesture --------------------------------------------------------------------------

    def on_mouse(self, kind: QEvent.Type, local: QPoint) -> bool:
        """A mouse event at `local` (window coordinates); True when it must go no further."""
        in_corner = 0 <= local.x() < CORNER_PX and 0 <= local.y() < CORNER_PX
        if kind == QEvent.Type.MouseButtonPress:
            self._hold_done = False
            if in_corner:
                self._pressed_at = self._clock()
                self._hold_poll.start()
        elif kind == QEvent.Type.MouseMove and self._pressed_at is not None and not in_corner:
            self._stop_hold()
        elif kind == QEvent.Type.MouseButtonRelease:
            self._stop_hold()
            if self._hold_done:
                # The release that ends the gesture must not also press what lies under it.
                self._hold_done = False
                return True
        return False

    def check_hold(self) -> None:
        """Open the PIN pad if the corner has been held for [technician] hold_seconds by now."""
        if self._pressed_at is None:
            return
        if self._clock() - self._pressed_at < self._settings.hold_seconds:
            return
        self._stop_hold()
        self._hold_done = True
        if self.locked:
            log.warning("technician gesture locked after wrong PINs")
            return
        self.open_pin_pad()

    def _stop_hold(self) -> None:
        self._pressed_at = None
        self._hold_poll.stop()

    # ---- the PIN ------------------------------------------------------------------------------

    def open_pin_pad(self) -> None:
        self.opening.emit()
        pad = self.pin_pad
        self._attempt += 1
        self._checking = False
        pad.reset()
        self._stack.setCurrentWidget(pad)
        pad.keys["1"].setFocus()

    def _cancelled(self) -> None:
        self._attempt += 1
        self._checking = False
        self.left.emit()

    def _submitted(self, pin: str) -> None:
        if self._checking:
            return  # one check at a time: a second OK while the first runs counts for nothing
        self._checking = True
        self._attempt += 1
        attempt = self._attempt
        future = self._check_pin(pin)
        self._bridge.when_done(future, lambda f: self._checked(attempt, f))

    def _checked(self, attempt: int, future: Future[bool]) -> None:
        if attempt != self._attempt:
            return  # the pad was cancelled or opened afresh meanwhile
        self._checking = False
        error = future.exception()
        if error is not None:
            # Not the technician's mistake: no attempt is counted; they may try again.
            log.warning("the technician PIN could not be checked", exc_info=error)
            self.pin_pad.reset()
            return
        if future.result():
            self._failures = 0
            log.info("technician mode opened")
            self.entered.emit()
            return
        self._failures += 1
        log.warning("wrong technician PIN", extra={"code": "wrong_pin"})
        left = self._settings.max_attempts - self._failures
        if left <= 0:
            self._failures = 0
            self._locked_until = self._clock() + self._settings.lockout_seconds
            self.left.emit()
        else:
            self.pin_pad.show_wrong(left)
