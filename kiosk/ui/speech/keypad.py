"""The tactile keypad: every function of the kiosk without seeing or touching the screen.

The arrows move the focus through what is shown in reading order (kiosk.ui.speech.order):
left and right one control at a time, up and down a row at a time; both wrap round, so nothing
traps the focus. OK (the 5 with the raised dot) presses the focused control. On a text field, OK
starts typing with the on-screen keyboard: the arrows then move over its keys, OK types the key,
and Back leaves the keyboard for the next control. Back presses the screen's own way back, else
Home. Help reads the whole screen, Repeat says the last thing again, Silence stops speaking,
and four keys change the voice's rate and volume. On the attract screen any of these keys
switches Read aloud on.

In a text field only the keypad's own keys are taken: the rest of a keyboard types. In an
e-service's page, left and right move through the page's links and fields (the page's own Tab
order), OK presses Enter there, and up and down leave the page.
Held keys do not repeat (EN 301 549 5.7): each action needs a press of its own; and a second
press of the same key within `[keypad] double_strike_ms` is not taken (5.8).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from kiosk.i18n import N_
from kiosk.speech.describe import phrase
from kiosk.speech.keypad import KeySpec, key_map
from kiosk.speech.narrator import Kind
from kiosk.ui.speech.describe_widget import describe_widget, is_web_page
from kiosk.ui.speech.order import next_below, next_in_line
from kiosk.ui.speech.reader import ScreenReader
from kiosk.ui.widgets.keyboard import OnScreenKeyboard

KEYBOARD = N_(
    "Keyboard. Move over the keys with the arrows, type a key with OK. Back leaves the keyboard."
)
NO_WAY_BACK = N_("There is no way back from here.")
MOVES = {"up": (-1, True), "down": (1, True), "left": (-1, False), "right": (1, False)}


class KeypadNavigator(QObject):
    """Turns the keypad's keys into actions on the window (an event filter of the window's
    input watch)."""

    def __init__(
        self,
        reader: ScreenReader,
        keys: dict[str, str],
        *,
        at_start: Callable[[], bool],
        read_aloud: Callable[[bool], None],
        back_fallback: Callable[[], QAbstractButton | None],
        double_strike_ms: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(reader)
        self.reader = reader
        self.narrator = reader.narrator
        self._keys = key_map(keys)
        self._at_start = at_start
        self._read_aloud = read_aloud
        self._back_fallback = back_fallback
        self._double_strike = double_strike_ms / 1000
        self._clock = clock
        self._last: tuple[str, float] | None = None

    def action_of(self, event: QKeyEvent) -> str | None:
        name = _key_name(event.key())
        if name is None:
            return None
        if event.modifiers() & Qt.KeyboardModifier.KeypadModifier:
            found = self._keys.get(KeySpec(name, True))
            if found is not None:
                return found
        return self._keys.get(KeySpec(name, False))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        action = self.action_of(event)
        if action is None:
            return False
        focus = QApplication.focusWidget()
        keypad = bool(event.modifiers() & Qt.KeyboardModifier.KeypadModifier)
        if _types_text(focus) and not keypad and self._keyboard_cursor() is None:
            return False  # a keyboard's own keys type into the field
        if event.isAutoRepeat() or self._struck_twice(action):
            return True
        self.act(action)
        return True

    def _struck_twice(self, action: str) -> bool:
        """The same key again within `[keypad] double_strike_ms`: not accepted (5.8)."""
        now = self._clock()
        last, self._last = self._last, (action, now)
        return last is not None and last[0] == action and now - last[1] < self._double_strike

    # ---- actions ------------------------------------------------------------------------------

    def act(self, action: str) -> None:
        if not self.narrator.read_aloud and self._at_start() and self.narrator.available:
            self._read_aloud(True)
            return
        if action in MOVES:
            step, vertical = MOVES[action]
            self.move(step, vertical=vertical)
        elif action == "ok":
            self.ok()
        elif action == "back":
            self.back()
        elif action == "help":
            self.narrator.say(self.reader.whole_screen(), Kind.HELP, always=True)
        elif action == "repeat":
            self.narrator.repeat()
        elif action == "silence":
            self.narrator.stop()
        elif action == "read_aloud":
            self._read_aloud(not self.narrator.read_aloud)
        else:
            self.narrator.adjust(action)

    def move(self, step: int, *, vertical: bool) -> None:
        keyboard = self._keyboard_cursor()
        if keyboard is not None:
            key = keyboard.move_cursor(step, vertical=vertical)
            if key is not None:
                self._say_key(key)
            return
        order = self.reader.controls()
        focus = QApplication.focusWidget()
        if is_web_page(focus) and not vertical:
            # Inside an e-service's page, left and right go through the page's own links and
            # fields (its Tab order); up and down leave the page for the kiosk's controls.
            assert focus is not None
            tab = Qt.Key.Key_Tab if step > 0 else Qt.Key.Key_Backtab
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(focus, QKeyEvent(kind, tab, Qt.KeyboardModifier.NoModifier))
            return
        if focus is not None and focus not in order and focus.focusProxy() is None:
            # The focus is inside a control made of parts (a web view's page): from its holder.
            holder = next((w for w in order if w.isAncestorOf(focus)), None)
            focus = holder or focus
        if vertical:
            target = next_below(order, focus, step, self.reader.window)
        else:
            target = next_in_line(order, focus, step)
        if target is None:
            return
        if target is focus:
            self.reader.say_focus(target)  # the only control: say it again
        target.setFocus(Qt.FocusReason.TabFocusReason)

    def ok(self) -> None:
        keyboard = self._keyboard_cursor()
        if keyboard is not None:
            key = keyboard.press_cursor()
            if key is not None:
                self._typed(key)
                cursor = keyboard.key_cursor
                if cursor is not None and (cursor is not key or key.isCheckable()):
                    # Shift's new state, or where the cursor is on the page the key opened.
                    self._say_key(cursor)
            return
        focus = QApplication.focusWidget()
        if isinstance(focus, QAbstractButton):
            if focus.isEnabled():
                focus.click()
                if focus.isCheckable() and QApplication.focusWidget() is focus:
                    # A choice or a switch: its new state is said, as a tap would show it.
                    self.reader.say_focus(focus)
            return
        if _types_text(focus):
            keyboard = self._keyboard_for(focus)
            if keyboard is not None:
                key = keyboard.start_cursor()
                self.narrator.say(KEYBOARD, Kind.MESSAGE, translate=True)
                self._say_key(key)
            return
        if focus is not None:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(
                    focus, QKeyEvent(kind, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier)
                )

    def back(self) -> None:
        for open_row in self._keyboards():
            if open_row.popup is not None:
                # The row of other letters is open: Back closes it, the field keeps the focus.
                open_row.close_alternatives()
                focus = QApplication.focusWidget()
                if focus is not None:
                    self.reader.say_focus(focus)
                return
        keyboard = self._keyboard_cursor()
        if keyboard is not None:
            keyboard.end_cursor()
            focus = QApplication.focusWidget()
            if focus is not None:
                self.move(1, vertical=False)
            return
        shown = self.reader.shown()
        for button in shown.findChildren(QAbstractButton):
            if button.property("keypad") == "back" and button.isVisible() and button.isEnabled():
                button.click()
                return
        fallback = self._back_fallback()
        if fallback is not None and fallback.isVisible() and fallback.isEnabled():
            fallback.click()
            return
        self.narrator.say(NO_WAY_BACK, Kind.ECHO, translate=True, always=True)

    # ---- the on-screen keyboard ---------------------------------------------------------------

    def _keyboards(self) -> list[OnScreenKeyboard]:
        return [k for k in self.reader.shown().findChildren(OnScreenKeyboard) if k.isVisible()]

    def _keyboard_cursor(self) -> OnScreenKeyboard | None:
        return next((k for k in self._keyboards() if k.key_cursor is not None), None)

    def _keyboard_for(self, field: QWidget | None) -> OnScreenKeyboard | None:
        keyboards = self._keyboards()
        return next(
            (k for k in keyboards if k.target is field), keyboards[0] if keyboards else None
        )

    def _say_key(self, key: QAbstractButton) -> None:
        self.narrator.say(phrase(describe_widget(key), self.narrator.t), Kind.FOCUS)

    def _typed(self, key: QAbstractButton) -> None:
        focus = QApplication.focusWidget()
        if focus is not None and _types_text(focus):
            described = describe_widget(focus)
            # What the field holds now, said as the control is: masked stays masked, personal
            # stays in the headphones.
            self.narrator.say(phrase(described, self.narrator.t), Kind.ECHO)


def _types_text(widget: QWidget | None) -> bool:
    return isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit) or is_web_page(widget)


_NAMES: dict[int, str] = {}


def _key_name(key: int) -> str | None:
    """Qt's name of a key code without `Key_` ("Up", "5"), as the config names keys."""
    if not _NAMES:
        for name in dir(Qt.Key):
            if name.startswith("Key_"):
                value = getattr(Qt.Key, name)
                _NAMES.setdefault(int(value.value), name.removeprefix("Key_"))
    return _NAMES.get(int(key))
