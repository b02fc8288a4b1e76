"""Two checks of a screen for a citizen who cannot see it and uses the keypad.

- spoken: every control that can take the focus (`kiosk.ui.speech.order.takes_keys`) in what is
  shown has a name a listener understands, as the kiosk itself says it
  (`kiosk.ui.speech.describe_widget.describe_widget`, `kiosk.speech.describe.phrase`). A name is
  understood when it has a word: a run of at least two letters that is not an abbreviation of
  up to three capitals ("Print", "Ok", "Tulosta" are words; "", "▾", "⌫", "123", "FI", "A4" are
  not: a speech engine reads them out as signs, digits or letters, or not at all). A key (of the
  on-screen keyboard, or one whose role is `key`) may also be named by the one letter or digit
  it types, which is said as it is. A text field must be named by its own accessible name or its
  form field's label: a placeholder goes as soon as something is typed, and is no name. When an
  on-screen keyboard is shown, each of its keys (on both of its pages) is checked too: the keys
  never take the focus, but the keypad's cursor visits them and says their names.
- keys: no control a finger can use (a button, a field to type into, a list to choose from, a
  web page) is out of the keypad's reach: each is in the reading order
  (`kiosk.ui.speech.order.reading_order`), the keys of an on-screen keyboard excepted (the
  keypad's cursor reaches them). And the real keypad goes round: from the first control the
  keypad's right arrow, pressed once per control and once more, visits every control of the
  reading order in turn and comes back round to the second; a control that keeps the focus (a
  trap) or swallows the key is a finding. Only the arrows are pressed, never OK, and the focus,
  the scroll positions and the keyboards are put back afterwards, so the screen is as it was.

`start_speech(window)` gives a kiosk window its speech (the tests' engine that only hears,
tests/ui/speech_double.py) once; `check_screen` calls it so that every check sees the screen as
it is with speech.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from kiosk.i18n import Catalogue
from kiosk.speech.describe import Role, phrase, plain
from kiosk.speech.keypad import DEFAULT_KEYS
from kiosk.ui.speech.describe_widget import describe_widget, field_parts, is_web_page
from kiosk.ui.speech.order import (
    next_below,
    next_in_line,
    reading_order,
    walk,
    what_is_shown,
)
from kiosk.ui.widgets.keyboard import OnScreenKeyboard
from tests.ui.screen_widgets import Finding, describe

__all__ = ["check_speech", "keys", "spoken", "start_speech", "understood"]

#: A word: two letters or more in a row (any alphabet's).
_WORD = re.compile(r"[^\W\d_]{2,}")
#: An abbreviation a listener hears letter by letter: up to three capitals.
_ABBREVIATION = 3


def check_speech(window: QWidget) -> list[Finding]:
    """Every finding of the two checks on what `window` shows now."""
    return [*spoken(window), *keys(window)]


# ---- spoken -----------------------------------------------------------------------------------


def understood(name: str, *, key: bool = False) -> str:
    """Why a listener would not understand `name` as a control's name, or "" when they would."""
    name = name.strip()
    if not name:
        return "no spoken name"
    if key and len(name) == 1 and name.isalnum():
        return ""
    words = _WORD.findall(name)
    if not any(not (word.isupper() and len(word) <= _ABBREVIATION) for word in words):
        if not any(unicodedata.category(ch).startswith("L") for ch in name):
            return "a name of signs only"
        return "a name of letters only, no word"
    return ""


def _t(window: QWidget) -> tuple[Catalogue, str]:
    ui = getattr(window, "ui", None)
    catalogue = getattr(ui, "catalogue", None)
    language = getattr(ui, "language", "en")
    return (
        catalogue if isinstance(catalogue, Catalogue) else Catalogue(),
        language if isinstance(language, str) else "en",
    )


def _said(widget: QWidget, window: QWidget) -> str:
    """What the kiosk says of `widget`, a personal value left out (it goes into reports)."""
    catalogue, language = _t(window)
    pieces = phrase(describe_widget(widget), lambda m: catalogue.gettext(language, m))
    return plain(pieces, private_ok=False, hidden="(personal)")


def spoken(window: QWidget) -> Iterator[Finding]:
    shown = what_is_shown(window)
    for control in reading_order(shown):
        described = describe_widget(control)
        why = understood(described.name, key=described.role is Role.KEY)
        if not why and described.role in (Role.TEXT_FIELD, Role.PASSWORD):
            label, _error = field_parts(control)
            if not control.accessibleName().strip() and not label.strip():
                why = "a text field with no label nor name of its own"
        if why:
            yield Finding("spoken", describe(control), _said(control, window), why)
    for keyboard in _keyboards(shown):
        for key in _keyboard_keys(keyboard):
            why = understood(describe_widget(key).name, key=True)
            if why:
                yield Finding(
                    "spoken", describe(key), _said(key, window), f"{why} (an on-screen key)"
                )


def _keyboards(shown: QWidget) -> list[OnScreenKeyboard]:
    return [k for k in shown.findChildren(OnScreenKeyboard) if k.isVisible()]


def _keyboard_keys(keyboard: OnScreenKeyboard) -> list[QAbstractButton]:
    """The keys of both of the keyboard's pages: the keypad's cursor reaches the other page
    through its page key."""
    return [*keyboard.letter_keys.values(), *keyboard.symbol_keys.values()]


# ---- keys -------------------------------------------------------------------------------------


def _finger_control(widget: QWidget) -> bool:
    """A control a finger can use: press, type into, choose from, or a web page."""
    if widget.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents):
        return False
    if isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit):
        return not widget.isReadOnly()
    return isinstance(widget, QAbstractButton | QComboBox) or is_web_page(widget)


def _on_keyboard(widget: QWidget, shown: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not shown.parentWidget():
        if isinstance(parent, OnScreenKeyboard):
            return True
        parent = parent.parentWidget()
    return False


def _focus_end(widget: QWidget) -> QWidget:
    """Where the focus goes when `widget` is given it: the end of its focus proxies."""
    seen = {id(widget)}
    while (proxy := widget.focusProxy()) is not None and id(proxy) not in seen:
        seen.add(id(proxy))
        widget = proxy
    return widget


def keys(window: QWidget) -> Iterator[Finding]:
    shown = what_is_shown(window)
    order = reading_order(shown)
    reached = {id(w) for w in order}
    for widget in walk(shown, set()):
        if not widget.isEnabled() or not _finger_control(widget):
            continue
        if _on_keyboard(widget, shown) or id(_focus_end(widget)) in reached:
            continue
        policy = widget.focusPolicy()
        why = (
            "no focus (Qt.NoFocus)"
            if policy == Qt.FocusPolicy.NoFocus
            else f"its focus policy ({int(policy.value)}) leaves out Tab focus"
            if not policy & Qt.FocusPolicy.TabFocus
            else "not in the reading order"
        )
        yield Finding(
            "keys",
            describe(widget),
            _said(widget, window),
            f"a finger can use it, the keypad cannot reach it: {why}",
        )
    yield from keypad_round(window)


# ---- the keypad, driven -----------------------------------------------------------------------


class _Speech(Protocol):
    @property
    def read_aloud(self) -> bool: ...

    def set_read_aloud(self, on: bool) -> None: ...


def start_speech(window: QWidget) -> _Speech:
    """The window's speech and keypad, started with an engine that only hears if it has none
    yet. A kiosk window starts its own (`start_speech`); any other window gets a keypad over
    its widgets, as the kiosk window's input watch hands them to it."""
    from tests.ui.speech_double import HeardEngine

    existing = getattr(window, "speech", None)
    if existing is not None:
        return existing  # type: ignore[no-any-return]
    starter = getattr(window, "start_speech", None)
    if callable(starter):
        speech = starter(HeardEngine())
        _settle()
        return speech  # type: ignore[no-any-return]
    keypad = window.findChild(_PlainKeypad)
    if keypad is None:
        keypad = _PlainKeypad(window)
    return keypad


class _PlainKeypad(QObject):
    """The kiosk's keypad over a window that is not the kiosk's (the checks' own tests)."""

    def __init__(self, window: QWidget) -> None:
        from kiosk.speech.narrator import Narrator
        from kiosk.ui.input_watch import InputWatch
        from kiosk.ui.speech.keypad import KeypadNavigator
        from kiosk.ui.speech.reader import ScreenReader
        from tests.ui.speech_double import HeardEngine

        super().__init__(window)
        self.narrator = Narrator(
            HeardEngine(), Catalogue(), lambda fn: QTimer.singleShot(0, fn), language="en"
        )
        reader = ScreenReader(window, self.narrator)
        self.navigator = KeypadNavigator(
            reader,
            DEFAULT_KEYS,
            at_start=lambda: False,
            read_aloud=self.set_read_aloud,
            back_fallback=lambda: None,
        )
        self.watch = InputWatch(window, [self.navigator])

    @property
    def read_aloud(self) -> bool:
        return self.narrator.read_aloud

    def set_read_aloud(self, on: bool) -> None:
        self.narrator.set_read_aloud(on)


def _settle() -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    for _ in range(3):
        app.processEvents()


@dataclass
class _Kept:
    """What moving the focus may change on a screen, to put back: the focus, how far each
    scroll area is scrolled, and each keyboard's showing, field and page."""

    focus: QWidget | None
    scrolled: list[tuple[QAbstractScrollArea, int, int]]
    keyboards: list[tuple[OnScreenKeyboard, bool, QWidget | None, QWidget | None]]

    @classmethod
    def of(cls, window: QWidget) -> _Kept:
        return cls(
            QApplication.focusWidget() or window.focusWidget(),
            [
                (area, area.horizontalScrollBar().value(), area.verticalScrollBar().value())
                for area in window.findChildren(QAbstractScrollArea)
            ],
            [
                (k, k.isVisible(), k.target, k.pages.currentWidget())
                for k in window.findChildren(OnScreenKeyboard)
            ],
        )

    def restore(self, window: QWidget) -> None:
        if self.focus is not None and _alive(self.focus):
            self.focus.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            now = QApplication.focusWidget()
            if now is not None and window.isAncestorOf(now):
                now.clearFocus()
        _settle()
        for keyboard, visible, target, page in self.keyboards:
            if not _alive(keyboard):
                continue
            if target is not None and _alive(target) and keyboard.target is not target:
                keyboard.attach(target)
            if page is not None and _alive(page):
                keyboard.pages.setCurrentWidget(page)
            keyboard.setVisible(visible)
        _settle()
        for area, across, down in self.scrolled:
            if _alive(area):
                area.horizontalScrollBar().setValue(across)
                area.verticalScrollBar().setValue(down)
        _settle()


def _alive(widget: QWidget) -> bool:
    import shiboken6

    return shiboken6.isValid(widget)


RIGHT = Qt.Key.Key_6
DOWN = Qt.Key.Key_2


def _press(window: QWidget, key: Qt.Key) -> QWidget | None:
    """A key of the keypad (its 6 is right, its 2 down), to the focused control; the focus
    after."""
    target = QApplication.focusWidget() or window.focusWidget() or window
    QTest.keyClick(target, key, Qt.KeyboardModifier.KeypadModifier)
    _settle()
    return QApplication.focusWidget()


def _name(widget: QWidget | None) -> str:
    return "nothing" if widget is None else describe(widget)


def keypad_round(window: QWidget) -> Iterator[Finding]:
    """The keypad's right arrow from the first control, once per control and once more: the
    focus visits every control of the reading order and comes back round to the second.

    In a web page the right arrow goes through the page's own links and fields, and down
    leaves the page for the kiosk's next control: there the round presses down. Controls may
    come and go as the focus moves (a keyboard that is only there while a field has the
    focus): each press is to take the focus to the next control of what is shown then."""
    if not reading_order(what_is_shown(window)):
        return
    speech = start_speech(window)
    if QApplication.activeWindow() is not window.window():
        window.window().activateWindow()  # as the kiosk's is: the only window there is
        _settle()
    kept = _Kept.of(window)
    switched_on = False
    try:
        first = reading_order(what_is_shown(window))[0]
        first.setFocus(Qt.FocusReason.TabFocusReason)
        _settle()
        order = reading_order(what_is_shown(window))
        if first in order:
            at = order.index(first)
            order = order[at:] + order[:at]
        presses = len(order) + 1
        visited: list[QWidget] = []
        while len(visited) < presses:
            was = QApplication.focusWidget()
            now_order = reading_order(what_is_shown(window))
            in_page = is_web_page(was)
            if in_page:
                expected = next_below(now_order, was, 1, window)
            else:
                expected = next_in_line(now_order, was, 1)
            reading = speech.read_aloud
            now = _press(window, DOWN if in_page else RIGHT)
            if not reading and speech.read_aloud and not switched_on:
                # The first key switched Read aloud on (the attract screen): a citizen goes on
                # from there, and so does the round, from the first control again.
                switched_on = True
                first.setFocus(Qt.FocusReason.TabFocusReason)
                _settle()
                continue
            if now is not expected:
                yield _astray(window, was, now, expected, len(visited) + 1, presses)
                return
            assert now is not None
            visited.append(now)
        missing = [w for w in order if w not in visited and _alive(w) and w.isVisible()]
        if missing or first not in visited:
            names = ", ".join(_name(w) for w in missing) or _name(first)
            yield Finding(
                "keys",
                describe(first),
                _said(first, window),
                f"the keypad's right arrow, pressed {presses} times from the first control, "
                f"never reaches {names}",
            )
    finally:
        if switched_on:
            speech.set_read_aloud(False)
        kept.restore(window)


def _astray(
    window: QWidget,
    was: QWidget | None,
    now: QWidget | None,
    expected: QWidget | None,
    press: int,
    presses: int,
) -> Finding:
    if now is was and was is not None:
        why = "the keypad leaves the focus where it is (a trap, or the key is swallowed)"
    else:
        why = f"the keypad takes the focus to {_name(now)}, not to {_name(expected)}"
    subject = was or expected or window
    return Finding(
        "keys", describe(subject), _said(subject, window), f"{why} (press {press} of {presses})"
    )
