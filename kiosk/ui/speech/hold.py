"""Hold to hear: a long press on any text says it, to anyone, Read aloud or not.

A press that stays put for `HOLD_MS` on a label says the label; on a button or a field, says the
control as the keypad's focus would (its name, role, state and value), and the press then does
not count as a tap: the button is not pressed when the finger lifts. Keys of the on-screen
keyboard keep their own long press (other letters), and a widget can keep its own by the property
`hold="own"` (the attract screen's Read aloud spot).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QTimer
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QPlainTextEdit, QWidget

from kiosk.speech.describe import phrase
from kiosk.speech.narrator import Kind, Narrator
from kiosk.ui.speech.describe_widget import describe_widget, label_phrase, text_of

#: Longer than a slow tap (a tap held this long is heard, not pressed).
HOLD_MS = 1000
#: A finger that slides further than this is scrolling, not holding.
SLIDE_PX = 24
_CONTROLS = (QAbstractButton, QLineEdit, QPlainTextEdit)


class HoldToHear(QObject):
    def __init__(self, window: QWidget, narrator: Narrator) -> None:
        super().__init__(window)
        self.window = window
        self.narrator = narrator
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(HOLD_MS)
        self._timer.timeout.connect(self._held)
        self._target: QWidget | None = None
        self._start = QPoint()
        self._spoke = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if not isinstance(event, QMouseEvent) or not isinstance(watched, QWidget):
            return False
        point = event.globalPosition().toPoint()
        if kind == QEvent.Type.MouseButtonPress:
            if self._target is None:
                target = _what_is_held(watched)
                if target is not None and self.narrator.available:
                    self._target = target
                    self._start = point
                    self._spoke = False
                    self._timer.start()
            return False
        if kind == QEvent.Type.MouseMove and self._target is not None:
            if (point - self._start).manhattanLength() > SLIDE_PX:
                self._cancel()
            return False
        if kind == QEvent.Type.MouseButtonRelease and self._target is not None:
            target, spoke = self._target, self._spoke
            self._cancel()
            if spoke:
                if isinstance(target, QAbstractButton):
                    target.setDown(False)
                return True  # heard, not pressed
        return False

    def _cancel(self) -> None:
        self._timer.stop()
        self._target = None
        self._spoke = False

    def _held(self) -> None:
        target = self._target
        if target is None:
            return
        self._spoke = True
        if isinstance(target, QLabel):
            self.narrator.say(label_phrase(target), Kind.MESSAGE, always=True)
        else:
            self.narrator.say(
                phrase(describe_widget(target), self.narrator.t), Kind.FOCUS, always=True
            )


def _what_is_held(widget: QWidget) -> QWidget | None:
    """The text or control a press on `widget` holds: a label with words, or the button or
    field it is part of; None for a key or a widget with a long press of its own."""
    current: QWidget | None = widget
    while current is not None and not current.isWindow():
        if current.property("hold") == "own" or current.property("role") in ("osk", "keyboard"):
            return None
        if isinstance(current, _CONTROLS):
            return current
        if current.focusPolicy() and current.accessibleName():
            return current
        current = current.parentWidget()
    if isinstance(widget, QLabel) and text_of(widget):
        return widget
    return None
